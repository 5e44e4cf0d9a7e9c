import { useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import { CardState } from '../sharing/card-state.js';
import { formatMoment } from '../sharing/format.js';
import { CloseIcon } from '../sharing/icons.js';
import { useEscape } from '../sharing/use-escape.js';
import { useLoadable } from '../sharing/use-loadable.js';
import { useCommandEnv } from './command-context.js';
import type { Incident, Task } from './command-model.js';
import { actorName, incidentTitle, orgName } from './command-names.js';
import { ProgressBar, StatusPill } from './command-parts.js';
import { HistoryList } from './history-list.js';
import { TaskActions } from './task-actions.js';
import { TaskPhotos } from './task-photos.js';
import { isOverdue } from './task-state.js';

/** Props of the task drawer. */
export interface TaskDrawerProps {
  id: string;
  /** The task as the list last saw it. */
  known: Task | undefined;
  incidents: ReadonlyMap<string, Incident>;
  onClose: () => void;
}

const newer = (a: Task, b: Task): Task =>
  Date.parse(a.modifiedAt) > Date.parse(b.modifiedAt) ? a : b;

/** One work order in full: what, for whom, by when, its progress, report, photos and history. */
export function TaskDrawer({ id, known, incidents, onClose }: TaskDrawerProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  useEscape(onClose);
  const loaded = useLoadable(() => env.api.task(id), [env.api, id]);
  const [answered, setAnswered] = useState<Task>();
  const copies = [loaded.value, answered?.id === id ? answered : undefined, known].filter(
    (t): t is Task => t !== undefined,
  );
  const t = copies.reduce<Task | undefined>((a, b) => (a ? newer(a, b) : b), undefined);
  return (
    <aside class="drawer drawer--wide glass" data-testid="task-drawer" data-task-id={id}>
      <header class="drawer__head">
        <div>
          <div class="drawer__kicker">{tr.t('cmd.task.kicker')}</div>
          <h2 class="drawer__title">{t?.title ?? '…'}</h2>
          <code class="grant__id">{id}</code>
        </div>
        <button
          type="button"
          class="icon-button"
          aria-label={tr.t('share.close')}
          title={tr.t('share.close')}
          onClick={onClose}
        >
          <CloseIcon />
        </button>
      </header>
      <div class="drawer__body">
        {!t && <CardState kind={loaded.settled ? 'error' : 'loading'} error={loaded.error} />}
        {t && <TaskDetail task={t} incidents={incidents} onChanged={setAnswered} />}
      </div>
    </aside>
  );
}

function TaskDetail({
  task: t,
  incidents,
  onChanged,
}: {
  task: Task;
  incidents: ReadonlyMap<string, Incident>;
  onChanged: (t: Task) => void;
}) {
  const tr = useI18n();
  const env = useCommandEnv();
  const when = (at: string) => formatMoment(tr, at, env.now);
  const late = isOverdue(t, env.now);
  const incident = t.incident ? incidents.get(t.incident) : undefined;
  return (
    <>
      <div class="drawer__chips">
        <StatusPill kind="task" status={t.status} />
        <span class={`prio prio--${t.priority}`}>
          <span class="prio-dot" />
          {tr.tx('prio', t.priority)}
        </span>
        {late && <span class="tag tag--late">{tr.t('cmd.tasks.overdue')}</span>}
      </div>
      {t.description && <p class="drawer__lead">{t.description}</p>}
      <div class="task-progress">
        <ProgressBar percent={t.progress} />
        <span>{`${t.progress} %`}</span>
      </div>
      <dl class="facts">
        <dt>{tr.t('cmd.tasks.assignee')}</dt>
        <dd>{orgName(tr, env.organisations, t.assignee)}</dd>
        <dt>{tr.t('cmd.tasks.dispatcher')}</dt>
        <dd>{actorName(tr, env.organisations, t.dispatchedBy)}</dd>
        <dt>{tr.t('cmd.tasks.due')}</dt>
        <dd class={late ? 'is-late' : ''}>{when(t.due)}</dd>
        {t.escalatedTo && [
          <dt key="e-t">{tr.t('cmd.task.escalatedTo')}</dt>,
          <dd key="e-d">{orgName(tr, env.organisations, t.escalatedTo)}</dd>,
        ]}
        {t.incident && [
          <dt key="i-t">{tr.t('cmd.alert.incident')}</dt>,
          <dd key="i-d">
            <button type="button" class="link" onClick={() => env.openIncident(t.incident!)}>
              {incident
                ? incidentTitle(tr, env.places, env.districts, incident)
                : tr.t('cmd.alert.openIncident')}
            </button>
          </dd>,
        ]}
        {t.alert && [
          <dt key="a-t">{tr.t('cmd.task.alert')}</dt>,
          <dd key="a-d">
            <button type="button" class="link" onClick={() => env.openAlert(t.alert!)}>
              {tr.t('cmd.task.openAlert')}
            </button>
          </dd>,
        ]}
        <dt>{tr.t('cmd.incident.created')}</dt>
        <dd>{when(t.createdAt)}</dd>
      </dl>
      <div class="panel-subtitle">{tr.t('cmd.task.actions')}</div>
      <TaskActions task={t} onChanged={onChanged} />
      {t.report && (
        <>
          <div class="panel-subtitle">{tr.t('cmd.task.report')}</div>
          <div class="report" data-testid="task-report">
            <p>{t.report.text}</p>
            <div class="report__by">{`${actorName(tr, env.organisations, t.report.by)} · ${when(t.report.at)}`}</div>
          </div>
        </>
      )}
      {t.rejection && (
        <>
          <div class="panel-subtitle">{tr.t('cmd.task.rejection')}</div>
          <div class="report report--bad">
            <p>{t.rejection.reason}</p>
            <div class="report__by">{`${actorName(tr, env.organisations, t.rejection.by)} · ${when(t.rejection.at)}`}</div>
          </div>
        </>
      )}
      <div class="panel-subtitle">
        {tr.t('cmd.task.photos')}
        <span class="panel-subtitle__attr">{t.photos.length}</span>
      </div>
      <TaskPhotos photos={t.photos} />
      {t.notes.length > 0 && (
        <>
          <div class="panel-subtitle">{tr.t('cmd.task.notes')}</div>
          <ul class="notes">
            {[...t.notes].reverse().map((n, i) => (
              <li key={`${n.at}-${i}`}>
                <span class="notes__pct">{`${n.percent} %`}</span>
                <span>{n.note ?? ''}</span>
                <time class="muted">{when(n.at)}</time>
              </li>
            ))}
          </ul>
        </>
      )}
      <div class="panel-subtitle">{tr.t('cmd.history.title')}</div>
      <HistoryList entries={t.history} statusPrefix="tstatus" />
    </>
  );
}
