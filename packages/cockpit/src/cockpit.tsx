import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ApiClient } from './api.js';
import type { Position } from './domain/geometry.js';
import { alertPosition } from './map/alert-markers.js';
import { CityMap, type MapHandle } from './map/city-map.js';
import { Legend } from './map/legend.js';
import { isOpenAlert, type Alert, type DeviceKind, type Rule } from './model.js';
import { AlertFeed } from './panels/alert-feed.js';
import { DevicePanel } from './panels/device-panel.js';
import { HeaderBar } from './panels/header-bar.js';
import type { CockpitView } from './panels/view-switch.js';
import type { Purpose } from './sharing/sharing-model.js';
import { SharingView } from './sharing/sharing-view.js';
import { CommandView } from './command/command-view.js';
import { useLiveCity } from './use-live-city.js';
import { useMe } from './use-me.js';
import { useI18n } from './i18n.js';
import { installTestHooks } from './test-hooks.js';

/** Props of the cockpit. */
export interface CockpitProps {
  api: ApiClient;
  /** States another purpose (the app then hands over a client that states it). */
  onPurpose: (purpose: Purpose | undefined) => void;
  onSignOut: () => void;
}

function useClock(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

/**
 * The signed-in dashboard: map, header, alert feed, legend and device detail; or the command
 * or data-sharing view over it (the map stays mounted and live underneath, so coming back is
 * instant and keeps its state).
 */
export function Cockpit({ api, onPurpose, onSignOut }: CockpitProps) {
  const live = useLiveCity(api);
  const me = useMe(api);
  const purpose = api.purpose;
  const { store } = live;
  const { lang } = useI18n();
  const now = useClock();
  const handle = useMemo<MapHandle>(() => ({ deviceCount: 0, deviceCountByKind: new Map() }), []);
  const [selectedId, setSelectedId] = useState<string>();
  const [hidden, setHidden] = useState<ReadonlySet<DeviceKind>>(new Set());
  const [focus, setFocus] = useState<{ at: Position; key: number }>();
  const [view, setView] = useState<CockpitView>('map');
  // Once opened, the sharing and command views stay mounted (hidden) so half-typed work survives.
  const [sharingOpened, setSharingOpened] = useState(false);
  const [commandOpened, setCommandOpened] = useState(false);
  const viewRef = useRef(view);
  viewRef.current = view;
  const places = useMemo(
    () =>
      new Map(
        [...(live.geometry?.districts ?? []), ...(live.geometry?.communities ?? [])].map((e) => [
          e.id,
          e,
        ]),
      ),
    [live.geometry],
  );
  const rulesById = useMemo(
    () => new Map<string, Rule>(live.rules.map((r) => [r.id, r])),
    [live.rules],
  );

  useEffect(
    () => installTestHooks({ store, handle, view: () => viewRef.current }),
    [store, handle],
  );
  // The operator reads everything: a purpose kept from an earlier session would only mislabel its reads.
  useEffect(() => {
    if (me?.kind === 'operator' && purpose !== undefined) onPurpose(undefined);
  }, [me, purpose]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') setSelectedId(undefined);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const pickAlert = (alert: Alert): void => {
    const at = alertPosition(alert, store.devices);
    if (at) setFocus({ at, key: Date.now() });
    if (alert.alertSource) setSelectedId(alert.alertSource);
  };
  const toggleKind = (kind: DeviceKind): void => {
    const next = new Set(hidden);
    if (!next.delete(kind)) next.add(kind);
    setHidden(next);
  };

  return (
    <div class={`cockpit cockpit--${view}`} data-view={view}>
      {live.city && (
        <CityMap
          store={store}
          city={live.city}
          geometry={live.geometry}
          places={places}
          selectedId={selectedId}
          hidden={hidden}
          focus={focus}
          handle={handle}
          tick={live.tick}
          onSelectDevice={setSelectedId}
          onPickAlert={pickAlert}
        />
      )}
      <div class="vignette" />
      <HeaderBar
        cityName={lang === 'zh' ? (live.city?.nameZh ?? live.city?.name) : live.city?.name}
        now={now}
        devices={store.devices.size}
        openAlerts={store.alerts.filter(isOpenAlert).length}
        districts={live.geometry?.districts.length ?? 0}
        connection={live.connection}
        health={live.health}
        alertPulse={live.alertPulse}
        view={view}
        onView={(next) => {
          if (next === 'sharing') setSharingOpened(true);
          if (next === 'command') setCommandOpened(true);
          setView(next);
        }}
        purpose={purpose}
        onPurpose={me && me.kind !== 'operator' ? onPurpose : undefined}
        onSignOut={onSignOut}
      />
      <div class="side">
        <AlertFeed
          alerts={store.alerts}
          fresh={store.freshAlerts}
          rules={rulesById}
          districts={live.geometry?.districts ?? []}
          now={now}
          selectedSource={selectedId}
          onPick={pickAlert}
        />
        <Legend devices={store.devices} hidden={hidden} onToggle={toggleKind} />
      </div>
      {selectedId && (
        <DevicePanel
          api={api}
          store={store}
          deviceId={selectedId}
          device={store.devices.get(selectedId)}
          rules={live.rules}
          places={places}
          now={now}
          onClose={() => setSelectedId(undefined)}
        />
      )}
      {commandOpened && (
        <CommandView
          client={api}
          store={store}
          tick={live.tick}
          feed={live.commandFeed}
          me={me}
          now={now}
          districts={live.geometry?.districts ?? []}
          places={places}
          rules={rulesById}
          onRulesChanged={live.reloadRules}
          hidden={view !== 'command'}
        />
      )}
      {sharingOpened && <SharingView api={api} now={now} hidden={view !== 'sharing'} />}
    </div>
  );
}
