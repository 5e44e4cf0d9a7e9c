import { useMemo, useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import type { CockpitStore } from '../cockpit-store.js';
import { isOpenAlert, type Alert, type KeyValuesEntity, type Rule } from '../model.js';
import type { Me } from '../sharing/sharing-model.js';
import { AlertBoard } from './alert-board.js';
import { AlertDrawer } from './alert-drawer.js';
import { DEFAULT_ALERT_QUERY } from './alert-filters.js';
import { newerAlert } from './alert-list.js';
import { createCommandApi } from './command-api.js';
import { CommandBar, type CommandTab } from './command-bar.js';
import { CommandContext, type CommandEnv, type DispatchOrigin } from './command-context.js';
import type { CommandFeed } from './command-feed.js';
import type { AlertQuery, Task } from './command-model.js';
import { DispatchDialog } from './dispatch-dialog.js';
import { IncidentBoard } from './incident-board.js';
import { RuleBoard } from './rule-board.js';
import { TaskBoard } from './task-board.js';
import { TaskDrawer } from './task-drawer.js';
import { isOverdue } from './task-state.js';
import { useAlertList } from './use-alert-list.js';
import { useCommandData } from './use-command-data.js';

/** Props of the command view. */
export interface CommandViewProps {
  client: ApiClient;
  store: CockpitStore;
  /** Changes with every store notification: live alerts are merged in. */
  tick: number;
  /** Incident and task changes from the event stream: the screens follow them live. */
  feed: CommandFeed | undefined;
  me: Me | undefined;
  now: number;
  districts: readonly KeyValuesEntity[];
  places: ReadonlyMap<string, KeyValuesEntity>;
  rules: ReadonlyMap<string, Rule>;
  /** A rule was saved: the cockpit reads its rules again (alert titles, chart thresholds). */
  onRulesChanged: () => void;
  /** Kept but not shown (another view is on screen). */
  hidden?: boolean;
}

/** Command and dispatch: alerts, incidents, tasks and rules, over the map like data sharing. */
export function CommandView(p: CommandViewProps) {
  const api = useMemo(() => createCommandApi(p.client), [p.client]);
  const data = useCommandData({ client: p.client, api, feed: p.feed, active: !p.hidden });
  const [tab, setTab] = useState<CommandTab>('alerts');
  const [query, setQuery] = useState<AlertQuery>(DEFAULT_ALERT_QUERY);
  const list = useAlertList(api, query, p.store, p.tick);
  const [alertId, setAlertId] = useState<string>();
  const [taskId, setTaskId] = useState<string>();
  const [incidentId, setIncidentId] = useState<string>();
  const [dispatching, setDispatching] = useState<DispatchOrigin>();
  // The task the server just answered a dispatch with: shown before the list is read again.
  const [dispatched, setDispatched] = useState<Task>();

  const known = useMemo(() => {
    const out = new Map<string, Alert>(list.alerts.map((a) => [a.id, a]));
    for (const a of p.store.alerts) {
      const listed = out.get(a.id);
      out.set(a.id, listed ? newerAlert(listed, a) : a);
    }
    return out;
  }, [list.alerts, p.tick]);
  const incidentsById = useMemo(
    () => new Map((data.incidents.value ?? []).map((i) => [i.id, i])),
    [data.incidents.value],
  );
  const tasks = data.tasks.value ?? [];
  const refresh = (): void => {
    data.refresh();
    list.reload();
  };

  const env: CommandEnv = {
    api,
    client: p.client,
    me: p.me,
    organisations: data.organisationsById,
    organisationList: data.organisations.value ?? [],
    districts: p.districts,
    places: p.places,
    devices: p.store.devices,
    rules: p.rules,
    now: p.now,
    openAlert: (id) => {
      setTaskId(undefined);
      setAlertId(id);
    },
    openTask: (id) => {
      setAlertId(undefined);
      setTaskId(id);
    },
    openIncident: (id) => {
      setAlertId(undefined);
      setTaskId(undefined);
      setIncidentId(id);
      setTab('incidents');
    },
    dispatchFrom: setDispatching,
    changed: refresh,
  };
  const openIncidents = (data.incidents.value ?? []).filter((i) => i.status === 'open').length;
  const overdue = tasks.filter((t) => isOverdue(t, p.now)).length;
  const openAlerts = [...known.values()].filter(isOpenAlert).length;

  return (
    <CommandContext.Provider value={env}>
      <section
        class={`command${p.hidden ? ' is-hidden' : ''}`}
        data-testid="command-view"
        data-tab={tab}
      >
        <CommandBar
          tab={tab}
          onTab={setTab}
          counts={{
            alerts: { n: openAlerts, hot: openAlerts > 0 },
            incidents: { n: openIncidents },
            tasks:
              overdue > 0
                ? { n: overdue, hot: true }
                : {
                    n: tasks.filter(
                      (t) =>
                        t.status !== 'completed' &&
                        t.status !== 'rejected' &&
                        t.status !== 'cancelled',
                    ).length,
                  },
          }}
          me={p.me}
          organisations={data.organisationsById}
          onRefresh={refresh}
        />
        <div class="command__body">
          {tab === 'alerts' && (
            <AlertBoard list={list} query={query} onQuery={setQuery} store={p.store} />
          )}
          {tab === 'incidents' && (
            <IncidentBoard
              incidents={data.incidents}
              tasks={tasks}
              alerts={known}
              selected={incidentId}
              onSelect={setIncidentId}
              onRetry={data.refresh}
            />
          )}
          {tab === 'tasks' && (
            <TaskBoard tasks={data.tasks} incidents={incidentsById} onRetry={data.refresh} />
          )}
          {tab === 'rules' && <RuleBoard onSaved={p.onRulesChanged} />}
        </div>
        {alertId && (
          <AlertDrawer
            key={alertId}
            id={alertId}
            known={known.get(alertId)}
            onClose={() => setAlertId(undefined)}
          />
        )}
        {taskId && (
          <TaskDrawer
            key={taskId}
            id={taskId}
            known={
              tasks.find((t) => t.id === taskId) ??
              (dispatched?.id === taskId ? dispatched : undefined)
            }
            incidents={incidentsById}
            onClose={() => setTaskId(undefined)}
          />
        )}
        {dispatching && !p.hidden && (
          <DispatchDialog
            origin={dispatching}
            onCancel={() => setDispatching(undefined)}
            onDone={(task) => {
              setDispatching(undefined);
              setDispatched(task);
              refresh();
              env.openTask(task.id);
            }}
          />
        )}
      </section>
    </CommandContext.Provider>
  );
}
