import type { DispatchRequest, TaskPriority } from './command-model.js';
import type { DispatchOrigin } from './command-context.js';

/** The dispatch form as typed. */
export interface DispatchDraft {
  assignee: string;
  title: string;
  description: string;
  /** `datetime-local` value: local time, minutes. */
  due: string;
  priority: TaskPriority;
}

/** Why the draft cannot be sent yet (a message key), or undefined. */
export type DispatchProblem =
  | 'cmd.dispatch.needAssignee'
  | 'cmd.dispatch.needTitle'
  | 'cmd.dispatch.needDue'
  | 'cmd.dispatch.duePast';

/** Time given to a new task by default. */
const DEFAULT_HOURS = 4;

/** A `datetime-local` value of an epoch ms, in local time. */
export function localInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A new draft: due in a few hours, normal priority. */
export function emptyDispatch(now: number, title = ''): DispatchDraft {
  return {
    assignee: '',
    title,
    description: '',
    due: localInput(now + DEFAULT_HOURS * 3_600_000),
    priority: 'normal',
  };
}

/** The request of a draft, or what is missing. */
export function dispatchRequest(
  draft: DispatchDraft,
  origin: DispatchOrigin,
  now: number,
): { request: DispatchRequest } | { problem: DispatchProblem } {
  if (!draft.assignee) return { problem: 'cmd.dispatch.needAssignee' };
  if (!draft.title.trim()) return { problem: 'cmd.dispatch.needTitle' };
  // A datetime-local value without a zone is local time, as the user typed it.
  const due = Date.parse(draft.due);
  if (!draft.due || Number.isNaN(due)) return { problem: 'cmd.dispatch.needDue' };
  if (due <= now) return { problem: 'cmd.dispatch.duePast' };
  return {
    request: {
      title: draft.title.trim(),
      ...(draft.description.trim() && { description: draft.description.trim() }),
      priority: draft.priority,
      due: new Date(due).toISOString(),
      assignee: draft.assignee,
      [origin.kind]: origin.id,
    },
  };
}
