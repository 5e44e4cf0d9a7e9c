import { useState } from 'preact/hooks';
import { useI18n, type MessageKey } from '../i18n.js';
import { CardState, StaleNotice } from '../sharing/card-state.js';
import { formatMoment } from '../sharing/format.js';
import type { Loadable } from '../sharing/use-loadable.js';
import { useCommandEnv } from './command-context.js';
import type { Incident, Task } from './command-model.js';
import { incidentTitle, orgName } from './command-names.js';
import { ProgressBar, StatusPill } from './command-parts.js';
import { isOverdue, matchesTaskFilter, TASK_FILTERS, type TaskFilter } from './task-state.js';

/** Props of the task board. */
export interface TaskBoardProps {
  tasks: Loadable<Task[]>;
  incidents: ReadonlyMap<string, Incident>;
  onRetry: () => void;
}

const HEADINGS: MessageKey[] = [
  'cmd.tasks.priority',
  'cmd.tasks.task',
  'cmd.tasks.assignee',
  'cmd.tasks.dispatcher',
  'cmd.tasks.due',
  'cmd.tasks.progress',
  'cmd.tasks.status',
];

/** Work orders, soonest due first, overdue ones marked; a click opens one. */
export function TaskBoard({ tasks, incidents, onRetry }: TaskBoardProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  const [filter, setFilter] = useState<TaskFilter>('active');
  const all = tasks.value;
  const shown = (all ?? []).filter((t) => matchesTaskFilter(t, filter, env.now));
  const count = (f: TaskFilter) =>
    (all ?? []).filter((t) => matchesTaskFilter(t, f, env.now)).length;
  return (
    <section class="card glass command__main" data-testid="task-board">
      <header class="card__head">
        <h2 class="panel-title">
          {tr.t('cmd.tasks.title')}
          <span class={`badge${count('overdue') > 0 ? ' badge--alert' : ''}`}>
            {all?.length ?? '–'}
          </span>
        </h2>
        <div class="segmented segmented--small" role="tablist">
          {TASK_FILTERS.map((f) => (
            <button
              key={f}
              type="button"
              role="tab"
              class={filter === f ? 'is-active' : ''}
              aria-selected={filter === f}
              data-filter={f}
              onClick={() => setFilter(f)}
            >
              {tr.t(`cmd.tasks.filter.${f}`)}
              {f !== 'all' && count(f) > 0 && <span class="segmented__count">{count(f)}</span>}
            </button>
          ))}
        </div>
      </header>
      <div class="card__body card__body--table">
        {all && tasks.error !== undefined && <StaleNotice error={tasks.error} />}
        {!all && (
          <CardState
            kind={tasks.settled ? 'error' : 'loading'}
            error={tasks.error}
            onRetry={onRetry}
          />
        )}
        {all && shown.length === 0 && (
          <CardState
            kind="empty"
            text={tr.t(filter === 'all' ? 'cmd.tasks.empty' : 'cmd.tasks.emptyFilter')}
          />
        )}
        {shown.length > 0 && (
          <table class="table table--tasks" data-testid="task-table">
            <thead>
              <tr>
                {HEADINGS.map((h) => (
                  <th key={h}>{tr.t(h)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((t) => {
                const late = isOverdue(t, env.now);
                const incident = t.incident ? incidents.get(t.incident) : undefined;
                return (
                  <tr
                    key={t.id}
                    class={`trow prio--${t.priority}${late ? ' is-overdue' : ''}`}
                    data-testid="task-row"
                    data-task-id={t.id}
                    data-status={t.status}
                    data-overdue={late}
                    onClick={() => env.openTask(t.id)}
                  >
                    <td>
                      <span class="prio">
                        <span class="prio-dot" />
                        {tr.tx('prio', t.priority)}
                      </span>
                    </td>
                    <td class="trow__what">
                      <button type="button" class="arow__title" onClick={() => env.openTask(t.id)}>
                        {t.title}
                      </button>
                      {incident && (
                        <div class="arow__desc">
                          {incidentTitle(tr, env.places, env.districts, incident)}
                        </div>
                      )}
                    </td>
                    <td>{orgName(tr, env.organisations, t.assignee)}</td>
                    <td>
                      {t.dispatcher
                        ? orgName(tr, env.organisations, t.dispatcher)
                        : tr.t('cmd.who.operator')}
                    </td>
                    <td class="trow__due">
                      <span class={`due${late ? ' is-late' : ''}`}>
                        {formatMoment(tr, t.due, env.now)}
                      </span>
                      {late && <span class="tag tag--late">{tr.t('cmd.tasks.overdue')}</span>}
                    </td>
                    <td>
                      <ProgressBar percent={t.progress} />
                      <span class="trow__pct">{`${t.progress} %`}</span>
                    </td>
                    <td>
                      <StatusPill kind="task" status={t.status} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
