// Line icons of the views, drawn like the header's (24-unit box, currentColor).

/** Props of an icon. */
interface IconProps {
  size?: number;
}

function Icon({ size = 16, d }: IconProps & { d: string }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
    >
      <path d={d} />
    </svg>
  );
}

/** A folded map: the map view. */
export const MapIcon = (p: IconProps) => (
  <Icon {...p} d="M9 4 3 6.5v13L9 17l6 2.5 6-2.5V4l-6 2.5L9 4zM9 4v13M15 6.5v13" />
);
/** A siren on a base: command and dispatch. */
export const CommandIcon = (p: IconProps) => (
  <Icon
    {...p}
    d="M6 18v-6a6 6 0 0 1 12 0v6M4 18h16v3H4zM12 2v2M4.2 5.2l1.4 1.4M19.8 5.2l-1.4 1.4M12 10v4"
  />
);
/** Three linked nodes: data sharing. */
export const ShareIcon = (p: IconProps) => (
  <Icon
    {...p}
    d="M18 8a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM6 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM18 22a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM8.6 13.5l6.8 4M15.4 6.5l-6.8 4"
  />
);
/** A circular arrow: load again. */
export const RefreshIcon = (p: IconProps) => <Icon {...p} d="M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7" />;
/** A cross: close. */
export const CloseIcon = (p: IconProps) => <Icon {...p} d="M6 6l12 12M18 6L6 18" />;
/** Curly braces: the machine-readable agreement. */
export const CodeIcon = (p: IconProps) => (
  <Icon
    {...p}
    d="M8 4H7a2 2 0 0 0-2 2v4l-2 2 2 2v4a2 2 0 0 0 2 2h1M16 4h1a2 2 0 0 1 2 2v4l2 2-2 2v4a2 2 0 0 1-2 2h-1"
  />
);
/** A target: the purpose data is read for. */
export const PurposeIcon = (p: IconProps) => (
  <Icon
    {...p}
    d="M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM12 12h.01"
  />
);
/** A downward chevron: a menu opens here. */
export const ChevronIcon = (p: IconProps) => <Icon {...p} d="M6 9l6 6 6-6" />;
