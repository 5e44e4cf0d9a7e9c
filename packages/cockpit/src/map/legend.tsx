import { useState } from 'preact/hooks';
import { DEVICE_STATES } from '../domain/device-state.js';
import { useI18n } from '../i18n.js';
import { DEVICE_KINDS, type DeviceEntity, type DeviceKind } from '../model.js';

/** Props of the legend. */
export interface LegendProps {
  devices: ReadonlyMap<string, DeviceEntity>;
  hidden: ReadonlySet<DeviceKind>;
  onToggle: (kind: DeviceKind) => void;
}

/** Map legend: one row per device kind (click to show/hide), its states when expanded. */
export function Legend({ devices, hidden, onToggle }: LegendProps) {
  const tr = useI18n();
  const [open, setOpen] = useState<DeviceKind | undefined>();
  const counts = new Map<string, number>();
  for (const d of devices.values()) counts.set(d.type, (counts.get(d.type) ?? 0) + 1);
  return (
    <section class="legend glass" aria-label={tr.t('legend.title')}>
      <header class="panel-title">{tr.t('legend.title')}</header>
      <ul class="legend__kinds">
        {DEVICE_KINDS.map((kind) => (
          <li
            key={kind}
            class={`legend__kind${hidden.has(kind) ? ' is-hidden' : ''}${open === kind ? ' is-open' : ''}`}
          >
            <div class="legend__row">
              <button
                class="legend__eye"
                title={tr.t('legend.toggle')}
                aria-pressed={!hidden.has(kind)}
                onClick={() => onToggle(kind)}
              >
                <span class="legend__swatches">
                  {DEVICE_STATES[kind].map((s) => (
                    <i key={s.label} style={{ background: s.color }} />
                  ))}
                </span>
              </button>
              <button
                class="legend__name"
                onClick={() => setOpen(open === kind ? undefined : kind)}
              >
                {tr.tx('kind', kind)}
                <span class="legend__count">{counts.get(kind) ?? 0}</span>
              </button>
            </div>
            {open === kind && (
              <ul class="legend__states">
                {DEVICE_STATES[kind].map((s) => (
                  <li key={s.label}>
                    <i style={{ background: s.color }} />
                    {tr.t(s.label)}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
        <li class="legend__alert">
          <i class="legend__pulse" />
          {tr.t('legend.alert')}
        </li>
      </ul>
    </section>
  );
}
