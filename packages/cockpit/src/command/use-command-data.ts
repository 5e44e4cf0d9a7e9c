import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import { byId } from '../sharing/names.js';
import type { Organisation } from '../sharing/sharing-model.js';
import { useLoadable, type Loadable } from '../sharing/use-loadable.js';
import type { CommandApi } from './command-api.js';
import type { CommandFeed } from './command-feed.js';
import type { Incident, Task } from './command-model.js';
import { byNewest, bySoonestDue } from './live-list.js';
import { useLiveList } from './use-live-list.js';

/** Incidents, tasks and organisations, with a way to load them again. */
export interface CommandData {
  organisations: Loadable<Organisation[]>;
  organisationsById: ReadonlyMap<string, Organisation>;
  incidents: Loadable<Incident[]>;
  tasks: Loadable<Task[]>;
  /** Loads incidents and tasks again (after an action, or on demand). */
  refresh: () => void;
}

/**
 * Incidents and tasks come live from the event stream; reading them whole now and then heals
 * whatever a dropped stream missed.
 */
export const RESYNC_MS = 60_000;

/** Options of useCommandData. */
export interface CommandDataOptions {
  client: ApiClient;
  api: CommandApi;
  /** Incident and task changes pushed by the event stream (and when to read all again). */
  feed: CommandFeed | undefined;
  /** False while the view is hidden: nothing is read then, and all is read again on return. */
  active: boolean;
}

/**
 * Loads what the command screens list besides alerts, and keeps it current from the event
 * stream: each change of an incident or task (a new alert in an incident, a dispatch, an
 * acceptance, a report, an overdue escalation) reads that item again. The whole lists are read
 * again every RESYNC_MS, after the stream reconnects, and on coming back to the view.
 */
export function useCommandData({ client, api, feed, active }: CommandDataOptions): CommandData {
  const [version, setVersion] = useState(0);
  const bump = () => setVersion((v) => v + 1);
  const first = useRef(true);
  useEffect(() => {
    if (!active) return;
    if (first.current) first.current = false;
    else bump(); // back from another view: what changed meanwhile
    const timer = setInterval(bump, RESYNC_MS);
    return () => clearInterval(timer);
  }, [active]);
  useEffect(
    () =>
      feed?.subscribe((event) => {
        if (event.type === 'resync' && active) bump();
      }),
    [feed, active],
  );

  const organisations = useLoadable(() => client.organisations(), [client]);
  const live = { feed, version, active, source: api };
  const incidents = useLiveList<Incident>({
    ...live,
    kind: 'incident',
    load: () => api.incidents(),
    loadOne: (id) => api.incident(id),
    order: byNewest,
  });
  const tasks = useLiveList<Task>({
    ...live,
    kind: 'task',
    load: () => api.tasks(),
    loadOne: (id) => api.task(id),
    order: bySoonestDue,
  });
  const organisationsById = useMemo(() => byId(organisations.value), [organisations.value]);
  return { organisations, organisationsById, incidents, tasks, refresh: bump };
}
