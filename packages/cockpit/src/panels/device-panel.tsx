import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import type { CockpitStore } from '../cockpit-store.js';
import { defaultChartAttribute, readingsOf, unitOf } from '../domain/attributes.js';
import { deviceState } from '../domain/device-state.js';
import { useI18n } from '../i18n.js';
import type { DeviceEntity, Rule } from '../model.js';
import { DeviceChart } from './device-chart.js';

/** Props of the device panel. */
export interface DevicePanelProps {
  api: ApiClient;
  store: CockpitStore;
  deviceId: string;
  device: DeviceEntity | undefined;
  rules: readonly Rule[];
  onClose: () => void;
}

/** Detail of the selected device: live readings and a history chart of one of them. */
export function DevicePanel({ api, store, deviceId, device, rules, onClose }: DevicePanelProps) {
  const tr = useI18n();
  const [attr, setAttr] = useState<string | undefined>(device && defaultChartAttribute(device));
  useEffect(
    () => setAttr(device && defaultChartAttribute(device)),
    [deviceId, device === undefined],
  );
  const state = device && deviceState(device);
  const readings = device ? readingsOf(tr, device) : [];
  const threshold = rules.find(
    (r) => r.entityType === device?.type && r.attribute === attr && typeof r.value === 'number',
  );
  const shortId = deviceId.split(':').pop();

  return (
    <aside class="device glass" data-testid="device-panel" data-device-id={deviceId}>
      <header class="device__head">
        <div>
          <div class="device__kind">{device ? tr.tx('kind', device.type) : ''}</div>
          <h2 class="device__name">{device?.name ?? shortId}</h2>
          <div class="device__id">{deviceId}</div>
        </div>
        <button
          class="icon-button"
          type="button"
          aria-label={tr.t('device.close')}
          title={tr.t('device.close')}
          onClick={onClose}
        >
          <svg
            width="16"
            height="16"
            viewBox="0 0 24 24"
            stroke="currentColor"
            stroke-width="2"
            aria-hidden="true"
          >
            <path d="M6 6l12 12M18 6L6 18" />
          </svg>
        </button>
      </header>
      {!device && <p class="device__empty">{tr.t('device.gone')}</p>}
      {state && (
        <div class="device__state" style={{ '--c': state.color }}>
          <i />
          {tr.t(state.label)}
        </div>
      )}
      {device && (
        <>
          <div class="panel-subtitle">{tr.t('device.attributes')}</div>
          <ul class="readings">
            {readings.map((r) => (
              <li
                key={r.attr}
                class={`reading${r.attr === attr ? ' is-charted' : ''}${r.numeric ? ' is-numeric' : ''}`}
              >
                <button
                  type="button"
                  disabled={!r.numeric}
                  onClick={() => setAttr(r.attr)}
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
          <div class="panel-subtitle">
            {tr.t('device.chart')}
            {attr && (
              <span class="panel-subtitle__attr">{`${tr.tx('attr', attr)}${unitOf(attr) ? ` · ${unitOf(attr)}` : ''}`}</span>
            )}
          </div>
          {attr ? (
            <DeviceChart
              key={`${deviceId}|${attr}`}
              api={api}
              store={store}
              entityId={deviceId}
              attr={attr}
              threshold={typeof threshold?.value === 'number' ? threshold.value : undefined}
            />
          ) : (
            <p class="device__empty">{tr.t('device.noNumeric')}</p>
          )}
        </>
      )}
    </aside>
  );
}
