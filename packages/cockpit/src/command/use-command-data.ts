import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import { byId } from '../sharing/names.js';
import type { Organisation } from '../sharing/sharing-model.js';
import { useLoadable, type Loadable } from '../sharing/use-loadable.js';
import type { CommandApi } from './command-api.js';
import type { Incident, Task } from './command-model.js';

/** Incidents, tasks and organisations, with a way to load them again. */
export interface CommandData {
  organisations: Loadable<Organisation[]>;
  organisationsById: ReadonlyMap<string, Organisation>;
  incidents: Loadable<Incident[]>;
  tasks: Loadable<Task[]>;
  /** Loads incidents and tasks again (after an action, or on demand). */
  refresh: () => void;
}

/** Incidents and tasks change without a push of their own: look again now and then. */
const POLL_MS = 15_000;
/** A burst of alerts (each may open or grow an incident) loads incidents once. */
const ALERT_SETTLE_MS = 1500;

/** Options of useCommandData. */
export interface CommandDataOptions {
  client: ApiClient;
  api: CommandApi;
  /** Bumps with every new live alert. */
  alertPulse: number;
  /** False while the view is hidden: nothing is polled then, and all is read again on return. */
  active: boolean;
}

/**
 * Loads what the command screens list besides alerts. New live alerts (`alertPulse`) load the
 * incidents again, since the server groups each new alert into one.
 */
export function useCommandData({
  client,
  api,
  alertPulse,
  active,
}: CommandDataOptions): CommandData {
  const [version, setVersion] = useState(0);
  const bump = () => setVersion((v) => v + 1);
  const first = useRef(true);
  useEffect(() => {
    if (!active) return;
    if (first.current) first.current = false;
    else bump(); // back from another view: what changed meanwhile
    const timer = setInterval(bump, POLL_MS);
    return () => clearInterval(timer);
  }, [active]);
  const seenPulse = useRef(alertPulse);
  useEffect(() => {
    if (!active || alertPulse === seenPulse.current) return;
    seenPulse.current = alertPulse;
    const timer = setTimeout(bump, ALERT_SETTLE_MS);
    return () => clearTimeout(timer);
  }, [alertPulse, active]);

  const organisations = useLoadable(() => client.organisations(), [client]);
  const incidents = useLoadable(() => api.incidents(), [api, version]);
  const tasks = useLoadable(() => api.tasks(), [api, version]);
  const organisationsById = useMemo(() => byId(organisations.value), [organisations.value]);
  return { organisations, organisationsById, incidents, tasks, refresh: bump };
}
