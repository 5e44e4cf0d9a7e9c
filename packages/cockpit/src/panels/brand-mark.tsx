/** The citybrain mark: a hexagon around a node, drawn in the accent colour. */
export function BrandMark({ size = 28 }: { size?: number }) {
  return (
    <svg class="brand-mark" width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <defs>
        <linearGradient id="bm" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stop-color="#6ee7ff" />
          <stop offset="1" stop-color="#3b82f6" />
        </linearGradient>
      </defs>
      <path
        d="M16 3.5l10.8 6.25v12.5L16 28.5 5.2 22.25V9.75z"
        fill="none"
        stroke="url(#bm)"
        stroke-width="2"
      />
      <path
        d="M16 9.5v5M16 17.5v5M10.4 12.7l4.3 2.5M17.3 16.8l4.3 2.5M21.6 12.7l-4.3 2.5M14.7 16.8l-4.3 2.5"
        stroke="#4fd1ff"
        stroke-opacity=".55"
        stroke-width="1.2"
      />
      <circle cx="16" cy="16" r="2.6" fill="#6ee7ff" />
    </svg>
  );
}
