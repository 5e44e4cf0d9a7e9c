import { useI18n } from '../i18n.js';
import { formatMoment } from '../sharing/format.js';
import { useCommandEnv } from './command-context.js';
import type { Task } from './command-model.js';
import { orgName } from './command-names.js';
import { ProgressBar, StatusPill } from './command-parts.js';
import { isOverdue } from './task-state.js';

/** A task on one line (in an incident): priority, title, assignee, due, status; opens it. */
export function TaskLine({ task: t }: { task: Task }) {
  const tr = useI18n();
  const env = useCommandEnv();
  const late = isOverdue(t, env.now);
  return (
    <button
      type="button"
      class={`mini mini--task prio--${t.priority}${late ? ' is-overdue' : ''}`}
      data-testid="task-line"
      data-task-id={t.id}
      data-status={t.status}
      onClick={() => env.openTask(t.id)}
    >
      <span class="prio-dot" title={tr.tx('prio', t.priority)} />
      <span class="mini__title">{t.title}</span>
      <span class="muted">{orgName(tr, env.organisations, t.assignee)}</span>
      <span class={`due${late ? ' is-late' : ''}`}>{formatMoment(tr, t.due, env.now)}</span>
      <ProgressBar percent={t.progress} />
      <StatusPill kind="task" status={t.status} />
    </button>
  );
}
