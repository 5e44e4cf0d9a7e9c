import type { Me } from '../sharing/sharing-model.js';
import {
  ACTIVE_TASK_STATUSES,
  TASK_ALLOWED_FROM,
  type Task,
  type TaskAction,
} from './command-model.js';

/** A task's action name. */
export type TaskActionName = TaskAction['action'];

/** The order the actions are offered in. */
const ORDER: readonly TaskActionName[] = ['accept', 'progress', 'complete', 'reject', 'cancel'];

/** True while a task is still to be done. */
export const isActiveTask = (t: Task): boolean => ACTIVE_TASK_STATUSES.includes(t.status);

/** True when an active task is past its due time (the server marks it so within seconds). */
export function isOverdue(t: Task, now: number): boolean {
  return isActiveTask(t) && (t.overdue || Date.parse(t.due) < now);
}

/**
 * What the signed-in user may do to a task now: its assignee works it (accept, progress,
 * complete, reject), its dispatcher cancels it, the operator does either.
 */
export function taskActionsFor(t: Task, me: Me | undefined): TaskActionName[] {
  const operator = me?.kind === 'operator';
  const org = me?.organisation;
  const assignee = operator || (org !== undefined && org === t.assignee);
  const dispatcher = operator || (org !== undefined && org === t.dispatcher);
  return ORDER.filter(
    (a) => (a === 'cancel' ? dispatcher : assignee) && TASK_ALLOWED_FROM[a].includes(t.status),
  );
}

/** How the task list is narrowed. */
export const TASK_FILTERS = ['active', 'overdue', 'done', 'all'] as const;
/** One of them. */
export type TaskFilter = (typeof TASK_FILTERS)[number];

/** True when the task is shown under the filter. */
export function matchesTaskFilter(t: Task, f: TaskFilter, now: number): boolean {
  switch (f) {
    case 'active':
      return isActiveTask(t);
    case 'overdue':
      return isOverdue(t, now);
    case 'done':
      return !isActiveTask(t);
    case 'all':
      return true;
  }
}
