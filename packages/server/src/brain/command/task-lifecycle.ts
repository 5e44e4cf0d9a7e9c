import { CityError } from '../../core/index.js';
import { appended, iso, type HistoryEntry } from '../alerts/alert-model.js';
import {
  DISPATCHER_ROLES,
  notFound,
  refOf,
  requireRole,
  RESPONDER_ROLES,
  sees,
  withParticipant,
  type Actor,
} from './actor.js';
import { ACTIVE_TASK_STATUSES, type Task, type TaskStatus } from './task.js';

/** A change to a task by its assignee or its dispatcher. */
export type TaskAction =
  | { action: 'accept'; note?: string }
  | { action: 'progress'; percent: number; note?: string }
  | { action: 'complete'; report: string; photos?: readonly string[] }
  | { action: 'reject'; reason: string }
  | { action: 'cancel'; note?: string };

const ALLOWED_FROM: Readonly<Record<TaskAction['action'], readonly TaskStatus[]>> = {
  accept: ['dispatched'],
  progress: ['accepted', 'in-progress'],
  complete: ['accepted', 'in-progress'],
  reject: ['dispatched', 'accepted'],
  cancel: ACTIVE_TASK_STATUSES,
};

const PAST: Record<TaskAction['action'], string> = {
  accept: 'accepted',
  progress: 'progressed',
  complete: 'completed',
  reject: 'rejected',
  cancel: 'cancelled',
};

/** Throws 404 when the actor may not see the task. */
export function checkTaskVisible(task: Task, actor: Actor): void {
  if (!sees(actor, task.participants)) throw notFound('task', task.id);
}

/** Throws 403 unless the actor may take the action: cancel is the dispatcher's, the rest the assignee's. */
function checkRights(task: Task, a: TaskAction, actor: Actor): void {
  const what = `${a.action} task ${task.id}`;
  if (a.action === 'cancel') requireRole(actor, [task.dispatcher], DISPATCHER_ROLES, what);
  else requireRole(actor, [task.assignee], RESPONDER_ROLES, what);
}

/** Throws 400 with the reason when the action does not apply to the task's status. */
export function checkTaskAllowed(task: Task, action: TaskAction['action']): void {
  const from = ALLOWED_FROM[action];
  if (!from.includes(task.status))
    throw new CityError(
      'BadRequestData',
      `cannot ${action} task ${task.id}: it is ${task.status}, and ${action} applies to ${from.join(', ')} tasks only`,
      { details: { task: task.id, status: task.status, action, allowedFrom: from } },
    );
}

function changesOf(task: Task, a: TaskAction, actor: Actor, at: string): Partial<Task> {
  const by = refOf(actor);
  switch (a.action) {
    case 'accept':
      return { status: 'accepted' };
    case 'progress':
      return {
        status: 'in-progress',
        progress: a.percent,
        notes: appended(task.notes, {
          at,
          by,
          percent: a.percent,
          ...(a.note !== undefined && { note: a.note }),
        }),
      };
    case 'complete': {
      const known = new Set(task.photos.map((p) => p.id));
      const unknown = (a.photos ?? []).filter((p) => !known.has(p));
      if (unknown.length > 0)
        throw new CityError('BadRequestData', `no photo ${unknown.join(', ')} on task ${task.id}`);
      const photos = [...new Set(a.photos ?? [])];
      return { status: 'completed', progress: 100, report: { text: a.report, photos, at, by } };
    }
    case 'reject':
      return { status: 'rejected', rejection: { reason: a.reason, at, by } };
    case 'cancel':
      return { status: 'cancelled' };
  }
}

/**
 * Applies an action to a task as `actor` (404 when he may not see it, 403 without the right,
 * 400 when it does not apply to the task's status), recorded in its history. Pure.
 */
export function transitionTask(task: Task, a: TaskAction, actor: Actor, now: number): Task {
  checkTaskVisible(task, actor);
  checkRights(task, a, actor);
  checkTaskAllowed(task, a.action);
  const at = iso(now);
  const changes = changesOf(task, a, actor, at);
  const note = 'note' in a ? a.note : a.action === 'reject' ? a.reason : undefined;
  const entry: HistoryEntry = {
    action: PAST[a.action],
    at,
    by: refOf(actor),
    from: task.status,
    to: changes.status ?? task.status,
    ...(note !== undefined && { note }),
  };
  return { ...task, ...changes, modifiedAt: at, history: appended(task.history, entry) };
}

/**
 * Marks an active task past its due time overdue, once, escalating it to the level after the
 * dispatcher's organisation in its escalation chain (when there is one). Undefined when not due.
 */
export function markOverdue(task: Task, now: number): Task | undefined {
  if (task.overdue || !ACTIVE_TASK_STATUSES.includes(task.status) || Date.parse(task.due) > now)
    return undefined;
  const chain = task.escalationChain;
  const level = chain.findIndex((s) => s.organisation === task.dispatcher);
  const next = level >= 0 ? chain[level + 1]?.organisation : undefined;
  const at = iso(now);
  const entry: HistoryEntry = {
    action: next ? 'escalated' : 'overdue',
    at,
    by: { subject: 'system' },
    note: `not completed by ${task.due}`,
    ...(next !== undefined && { organisation: next, level: level + 2 }),
  };
  return {
    ...task,
    overdue: true,
    ...(next !== undefined && {
      escalatedTo: next,
      participants: withParticipant(task.participants, next),
    }),
    modifiedAt: at,
    history: appended(task.history, entry),
  };
}
