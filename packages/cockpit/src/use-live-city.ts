import { useEffect, useMemo, useState } from 'preact/hooks';
import { openEventStream, type ApiClient, type ConnectionState } from './api.js';
import { createCockpitStore, type CockpitStore } from './cockpit-store.js';
import { createCommandFeed, type CommandFeed } from './command/command-feed.js';
import type { CityGeometry } from './map/city-geometry.js';
import { loadCityGeometry } from './map/city-geometry.js';
import { DEVICE_KINDS, type CityInfo, type Health, type Rule } from './model.js';

/** Everything the cockpit shows, kept live. */
export interface LiveCity {
  store: CockpitStore;
  /** Changes on every store notification (at most every 500 ms for device updates). */
  tick: number;
  city?: CityInfo;
  geometry?: CityGeometry;
  rules: Rule[];
  health?: Health;
  connection: ConnectionState;
  /** Bumps when a new alert arrives live. */
  alertPulse: number;
  /** Incident and task changes from the event stream, for the command view. */
  commandFeed: CommandFeed;
  /** Reads the rules again (after one was changed in the cockpit). */
  reloadRules: () => void;
}

const HEALTH_EVERY_MS = 10_000;

/**
 * Loads the city, its devices and alerts, then follows the event stream. A new client (another
 * purpose stated) starts over with an empty store: nothing read under the last purpose stays.
 */
export function useLiveCity(api: ApiClient): LiveCity {
  const store = useMemo(() => createCockpitStore(), [api]);
  const commandFeed = useMemo(() => createCommandFeed(), [api]);
  const [tick, setTick] = useState(0);
  const [city, setCity] = useState<CityInfo>();
  const [geometry, setGeometry] = useState<CityGeometry>();
  const [rules, setRules] = useState<Rule[]>([]);
  const [health, setHealth] = useState<Health>();
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [alertPulse, setAlertPulse] = useState(0);
  const [rulesVersion, setRulesVersion] = useState(0);

  useEffect(() => store.subscribe(() => setTick((t) => t + 1)), [store]);

  useEffect(() => {
    let alive = true;
    const guard =
      <T>(set: (v: T) => void) =>
      (v: T) => {
        if (alive) set(v);
      };
    const ignore = (): void => undefined; // a failed load shows as an empty layer; 401s log out via the client
    const syncLive = (): void => {
      api.entities(DEVICE_KINDS).then(
        guard((list) => store.setDevices(list)),
        ignore,
      );
      api.alerts(50).then(
        guard((list) => store.setAlerts(list)),
        ignore,
      );
    };
    api.city().then(guard(setCity), ignore);
    loadCityGeometry(api).then(guard(setGeometry), ignore);
    syncLive();
    const pollHealth = (): void =>
      void api.health().then(guard(setHealth), () => alive && setHealth(undefined));
    pollHealth();
    const healthTimer = setInterval(pollHealth, HEALTH_EVERY_MS);

    const stream = openEventStream({
      token: api.token,
      ...(api.purpose !== undefined && { purpose: api.purpose }),
      onState: guard(setConnection),
      onEntity: (e) => {
        if (e.kind === 'deleted' || e.kind === 'delete') store.removeDevice(e.id);
        else if (e.entity) store.upsertDevice({ ...e.entity, id: e.id, type: e.type });
      },
      onAlert: (a) => {
        store.upsertAlert(a, true);
        if (alive && a.status === 'raised') setAlertPulse((n) => n + 1);
      },
      onCommand: (kind, change) => commandFeed.publish({ type: 'change', kind, change }),
      onReconnected: () => {
        syncLive();
        commandFeed.publish({ type: 'resync' });
      },
      // A stream that closes for good may mean the token was revoked: one authenticated call finds out.
      onClosed: () => void api.city().catch(ignore),
    });
    return () => {
      alive = false;
      clearInterval(healthTimer);
      stream.close();
    };
  }, [api, store, commandFeed]);

  useEffect(() => {
    let alive = true;
    api.rules().then(
      (list) => alive && setRules(list),
      () => undefined, // no rules known: alerts are titled by their category
    );
    return () => {
      alive = false;
    };
  }, [api, rulesVersion]);

  return {
    store,
    tick,
    city,
    geometry,
    rules,
    health,
    connection,
    alertPulse,
    commandFeed,
    reloadRules: () => setRulesVersion((v) => v + 1),
  };
}
