import { useMemo, useState } from 'preact/hooks';
import type { CockpitStore } from '../cockpit-store.js';
import type { Alert } from '../model.js';
import { useLoadable, type Loadable } from '../sharing/use-loadable.js';
import { withLiveAlerts } from './alert-list.js';
import type { CommandApi } from './command-api.js';
import type { AlertPage, AlertQuery } from './command-model.js';

/** The alerts the filters select, kept live. */
export interface AlertList {
  page: Loadable<AlertPage<Alert>>;
  /** The listed alerts with every live change applied, newest first. */
  alerts: Alert[];
  reload: () => void;
}

/** Most alerts listed at once. */
export const ALERT_LIMIT = 200;

/**
 * Lists the alerts the filters select from the server, then keeps them fresh from the live
 * store (the event stream's alerts, which the map's feed shows too): `tick` changes with it.
 */
export function useAlertList(
  api: CommandApi,
  query: AlertQuery,
  store: CockpitStore,
  tick: number,
): AlertList {
  const [version, setVersion] = useState(0);
  const key = JSON.stringify(query);
  const page = useLoadable(() => api.alerts(query, ALERT_LIMIT), [api, key, version]);
  const alerts = useMemo(
    () => withLiveAlerts(page.value?.items ?? [], store.alerts, query),
    [page.value, tick, key],
  );
  return { page, alerts, reload: () => setVersion((v) => v + 1) };
}
