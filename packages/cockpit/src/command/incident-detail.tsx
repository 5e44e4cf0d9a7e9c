import { useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import type { Alert } from '../model.js';
import { CardState } from '../sharing/card-state.js';
import { formatMoment } from '../sharing/format.js';
import { useLoadable } from '../sharing/use-loadable.js';
import { useCommandEnv } from './command-context.js';
import { INCIDENT_NEXT, type Incident, type IncidentStatus, type Task } from './command-model.js';
import { alertHeadline, areaName, incidentTitle, orgName } from './command-names.js';
import { ActionNotice, SeverityChip, StatusPill } from './command-parts.js';
import { HistoryList } from './history-list.js';
import { MergeAlerts } from './merge-alerts.js';
import { TaskLine } from './task-line.js';
import { useAction } from './use-action.js';

/** Props of an incident's detail. */
export interface IncidentDetailProps {
  incident: Incident;
  tasks: readonly Task[];
  alerts: ReadonlyMap<string, Alert>;
}

/** Most of an incident's alerts shown (and asked for one by one when not known). */
const SHOWN_ALERTS = 50;

const STATUS_ACTION: Record<IncidentStatus, 'resolve' | 'reopen' | 'close'> = {
  resolved: 'resolve',
  open: 'reopen',
  closed: 'close',
};

/** One incident: its status and commander, its alerts and tasks, and what can be done to it. */
export function IncidentDetail({ incident: i, tasks, alerts }: IncidentDetailProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  const runner = useAction(env.changed);
  const [note, setNote] = useState('');
  const [merging, setMerging] = useState(false);
  const ids = i.alerts.slice(0, SHOWN_ALERTS);
  const missing = ids.filter((id) => !alerts.has(id));
  const fetched = useLoadable(
    () => Promise.all(missing.map((id) => env.api.alert(id).catch(() => undefined))),
    [env.api, missing.join(',')],
  );
  const known = new Map(alerts);
  for (const a of fetched.value ?? []) if (a) known.set(a.id, a);
  const title = incidentTitle(tr, env.places, env.districts, i);
  const when = (at: string) => formatMoment(tr, at, env.now);

  const setStatus = (status: IncidentStatus): void =>
    void runner
      .run(
        status,
        () => env.api.patchIncident(i.id, { status, ...(note.trim() && { note: note.trim() }) }),
        (changed) => tr.t('cmd.done.incident', { title, status: tr.tx('istatus', changed.status) }),
      )
      .then((ok) => ok && setNote(''));

  return (
    <section
      class="card glass command__detail"
      data-testid="incident-detail"
      data-incident-id={i.id}
    >
      <header class="card__head card__head--detail">
        <div>
          <div class="drawer__kicker">{tr.t('cmd.incident.kicker')}</div>
          <h2 class="drawer__title">{title}</h2>
          <code class="grant__id">{i.id}</code>
        </div>
        <div class="drawer__chips">
          <SeverityChip severity={i.severity} />
          <StatusPill kind="incident" status={i.status} />
        </div>
      </header>
      <div class="card__body detail">
        <div class="detail__cols">
          <div class="detail__col">
            <dl class="facts">
              <dt>{tr.t('cmd.incident.commander')}</dt>
              <dd>{orgName(tr, env.organisations, i.responsibleOrganisation)}</dd>
              <dt>{tr.t('cmd.alerts.category')}</dt>
              <dd>
                {[tr.tx('cat', i.category), i.subCategory && tr.tx('sub', i.subCategory)]
                  .filter(Boolean)
                  .join(' · ')}
              </dd>
              <dt>{tr.t('cmd.alerts.area')}</dt>
              <dd>{areaName(tr, env.places, env.districts, i.area)}</dd>
              <dt>{tr.t('cmd.incident.created')}</dt>
              <dd>{when(i.createdAt)}</dd>
              <dt>{tr.t('cmd.incident.lastAlert')}</dt>
              <dd>{when(i.lastAlertAt)}</dd>
            </dl>
            <div class="panel-subtitle">{tr.t('cmd.incident.status')}</div>
            {INCIDENT_NEXT[i.status].length === 0 ? (
              <p class="muted">{tr.t('cmd.incident.final')}</p>
            ) : (
              <div class="act">
                <input
                  type="text"
                  class="act__note"
                  name="note"
                  value={note}
                  maxLength={2000}
                  placeholder={tr.t('cmd.notePlaceholder')}
                  onInput={(e) => setNote((e.target as HTMLInputElement).value)}
                />
                <div class="act__buttons">
                  {INCIDENT_NEXT[i.status].map((s) => (
                    <button
                      key={s}
                      type="button"
                      class="button button--small button--ghost"
                      disabled={runner.busy !== undefined}
                      data-action={STATUS_ACTION[s]}
                      onClick={() => setStatus(s)}
                    >
                      {tr.t(`cmd.incident.${STATUS_ACTION[s]}`)}
                    </button>
                  ))}
                  {i.status === 'open' && (
                    <button
                      type="button"
                      class="button button--small button--primary"
                      data-action="dispatch"
                      onClick={() => env.dispatchFrom({ kind: 'incident', id: i.id, title })}
                    >
                      {tr.t('cmd.dispatch.open')}
                    </button>
                  )}
                </div>
              </div>
            )}
            <ActionNotice runner={runner} testId="incident-notice" />
            <div class="panel-subtitle">{tr.t('cmd.history.title')}</div>
            <HistoryList entries={i.history} statusPrefix="istatus" />
          </div>
          <div class="detail__col">
            <div class="panel-subtitle">
              {tr.t('cmd.incident.alerts')}
              <span class="panel-subtitle__attr">{i.alerts.length}</span>
            </div>
            <ul class="mini-list" data-testid="incident-alerts">
              {ids.map((id) => {
                const a = known.get(id);
                return (
                  <li key={id}>
                    <button
                      type="button"
                      class="mini"
                      data-alert-id={id}
                      onClick={() => env.openAlert(id)}
                    >
                      {a ? <SeverityChip severity={a.severity} /> : <span class="chip">…</span>}
                      <span class="mini__title">{a ? alertHeadline(tr, a, env.rules) : id}</span>
                      {a && <StatusPill kind="alert" status={a.status} />}
                    </button>
                  </li>
                );
              })}
            </ul>
            {i.status === 'open' &&
              (merging ? (
                <MergeAlerts incident={i} alerts={alerts} onDone={() => setMerging(false)} />
              ) : (
                <button
                  type="button"
                  class="button button--ghost button--small"
                  data-action="merge"
                  onClick={() => setMerging(true)}
                >
                  {tr.t('cmd.merge.open')}
                </button>
              ))}
            <div class="panel-subtitle">
              {tr.t('cmd.incident.tasks')}
              <span class="panel-subtitle__attr">{tasks.length}</span>
            </div>
            {tasks.length === 0 ? (
              <p class="muted">{tr.t('cmd.incident.noTasks')}</p>
            ) : (
              <ul class="mini-list" data-testid="incident-tasks">
                {tasks.map((t) => (
                  <li key={t.id}>
                    <TaskLine task={t} />
                  </li>
                ))}
              </ul>
            )}
            {fetched.error !== undefined && <CardState kind="error" error={fetched.error} />}
          </div>
        </div>
      </div>
    </section>
  );
}
