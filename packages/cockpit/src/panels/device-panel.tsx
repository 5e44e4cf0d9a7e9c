import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import type { CockpitStore } from '../cockpit-store.js';
import { defaultChartAttribute, readingsOf } from '../domain/attributes.js';
import { deviceState } from '../domain/device-state.js';
import { deviceTitle, inLanguage, placeName, slugOf } from '../domain/places.js';
import { unitCodesOf, unitOf, type UnitCodes } from '../domain/units.js';
import { relativeTime, useI18n } from '../i18n.js';
import type { DeviceEntity, KeyValuesEntity, Rule } from '../model.js';
import { DeviceChart } from './device-chart.js';
import { Readings } from './readings.js';

/** Props of the device panel. */
export interface DevicePanelProps {
  api: ApiClient;
  store: CockpitStore;
  deviceId: string;
  device: DeviceEntity | undefined;
  rules: readonly Rule[];
  places: ReadonlyMap<string, KeyValuesEntity>;
  now: number;
  onClose: () => void;
}

/** Latest `observedAt` among a normalized entity's attributes, in epoch ms. */
function lastObserved(entity: Record<string, unknown>): number | undefined {
  const times = Object.values(entity)
    .map((v) => Date.parse(String((v as { observedAt?: unknown } | null)?.observedAt)))
    .filter(Number.isFinite);
  return times.length > 0 ? Math.max(...times) : undefined;
}

/** Detail of the selected device: live readings and a history chart of one of them. */
export function DevicePanel(p: DevicePanelProps) {
  const { device, deviceId } = p;
  const tr = useI18n();
  const [attr, setAttr] = useState<string | undefined>(device && defaultChartAttribute(device));
  const [codes, setCodes] = useState<UnitCodes>({});
  const [observed, setObserved] = useState<number>();
  useEffect(() => setAttr(device && defaultChartAttribute(device)), [deviceId, !device]);
  useEffect(() => {
    let alive = true;
    setCodes({});
    setObserved(undefined);
    // Unit codes and observation times live only in the normalized form.
    p.api.entity(deviceId).then(
      (e) => {
        if (!alive) return;
        setCodes(unitCodesOf(e));
        setObserved(lastObserved(e));
      },
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [p.api, deviceId]);

  const state = device && deviceState(device);
  const district =
    typeof device?.refDistrict === 'string' ? p.places.get(device.refDistrict) : undefined;
  const description = typeof device?.description === 'string' ? device.description : undefined;
  const rule = p.rules.find((r) => r.select?.entityType === device?.type && r.attribute === attr);
  const updated = Math.max(p.store.seenAt.get(deviceId) ?? 0, observed ?? 0);
  const unit = attr ? unitOf(attr, codes) : '';

  return (
    <aside class="device glass" data-testid="device-panel" data-device-id={deviceId}>
      <header class="device__head">
        <div>
          <div class="device__kind">
            {device ? tr.tx('kind', device.type) : ''}
            {district && <span class="device__district">{placeName(district, tr.lang)}</span>}
          </div>
          <h2 class="device__name">
            {device ? deviceTitle(tr, device, p.places) : slugOf(deviceId)}
          </h2>
          {description && inLanguage(description, tr.lang) && (
            <div class="device__description">{description}</div>
          )}
          <div class="device__id">{deviceId}</div>
        </div>
        <button
          class="icon-button"
          type="button"
          aria-label={tr.t('device.close')}
          title={tr.t('device.close')}
          onClick={p.onClose}
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
        <div class="device__status">
          <span class="device__state" style={{ '--c': state.color }}>
            <i />
            {tr.t(state.label)}
          </span>
          {updated > 0 && (
            <span class="device__updated">
              {`${tr.t('device.lastUpdate')} ${relativeTime(tr, new Date(updated).toISOString(), p.now)}`}
            </span>
          )}
        </div>
      )}
      {device && (
        <>
          <div class="panel-subtitle">{tr.t('device.attributes')}</div>
          <Readings readings={readingsOf(tr, device, codes)} charted={attr} onPick={setAttr} />
          <div class="panel-subtitle">
            {tr.t('device.chart')}
            {attr && (
              <span class="panel-subtitle__attr">{`${tr.tx('attr', attr)}${unit ? ` · ${tr.tx('unit', unit, unit)}` : ''}`}</span>
            )}
          </div>
          {attr ? (
            <DeviceChart
              key={`${deviceId}|${attr}`}
              api={p.api}
              store={p.store}
              entityId={deviceId}
              attr={attr}
              threshold={typeof rule?.value === 'number' ? rule.value : undefined}
            />
          ) : (
            <p class="device__empty">{tr.t('device.noNumeric')}</p>
          )}
        </>
      )}
    </aside>
  );
}
