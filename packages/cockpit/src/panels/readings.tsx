import type { Reading } from '../domain/attributes.js';

/** Props of the readings grid. */
export interface ReadingsProps {
  readings: readonly Reading[];
  charted: string | undefined;
  onPick: (attr: string) => void;
}

/** The live readings of a device as a grid of tiles; numeric ones can be picked for the chart. */
export function Readings({ readings, charted, onPick }: ReadingsProps) {
  return (
    <ul class="readings">
      {readings.map((r) => (
        <li
          key={r.attr}
          class={`reading${r.attr === charted ? ' is-charted' : ''}${r.numeric ? ' is-numeric' : ''}`}
        >
          <button
            type="button"
            disabled={!r.numeric}
            onClick={() => onPick(r.attr)}
            data-attr={r.attr}
          >
            <span class="reading__label">{r.label}</span>
            <span class="reading__value">
              {r.value}
              {r.unit && <small>{r.unit}</small>}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
