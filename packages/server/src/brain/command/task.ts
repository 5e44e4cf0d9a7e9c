import { Type } from 'typebox';
import type { EscalationStep, HistoryEntry } from '../alerts/alert-model.js';
import type { ActorRef } from './actor.js';
import type { Versioned } from './doc-version.js';

/** Where a task is in its lifecycle. */
export type TaskStatus =
  'dispatched' | 'accepted' | 'in-progress' | 'completed' | 'rejected' | 'cancelled';

/** Statuses of a task still to be done: overdue checks apply to them. */
export const ACTIVE_TASK_STATUSES: readonly TaskStatus[] = [
  'dispatched',
  'accepted',
  'in-progress',
];

/** How urgent a task is. */
export type TaskPriority = 'low' | 'normal' | 'high' | 'urgent';

/** A photo of a task's report, fetched back at `url`. */
export interface PhotoRef {
  id: string;
  contentType: string;
  size: number;
  url: string;
  /** ISO 8601. */
  at: string;
  by: ActorRef;
}

/** A progress note of the assignee. */
export interface ProgressNote {
  at: string;
  by: ActorRef;
  percent: number;
  note?: string;
}

/** A work order dispatched to a department or community organisation. */
export interface Task extends Versioned {
  /** `urn:ngsi-ld:Task:<uuid>`. */
  id: string;
  type: 'Task';
  title: string;
  description?: string;
  priority: TaskPriority;
  /** ISO 8601: past it and not completed, the task is overdue. */
  due: string;
  status: TaskStatus;
  incident?: string;
  alert?: string;
  category: string;
  subCategory?: string;
  area?: string;
  /** The organisation that does the work. */
  assignee: string;
  /** The organisation that dispatched it (the incident's commander); absent for the operator. */
  dispatcher?: string;
  /** Who dispatched it. */
  dispatchedBy: ActorRef;
  /** The escalation chain of its alert: an overdue task escalates past the dispatcher's level. */
  escalationChain: EscalationStep[];
  /** Organisations that see it: assignee, dispatcher, escalation targets. */
  participants: string[];
  /** 0–100. */
  progress: number;
  notes: ProgressNote[];
  photos: PhotoRef[];
  report?: { text: string; photos: string[]; at: string; by: ActorRef };
  rejection?: { reason: string; at: string; by: ActorRef };
  overdue: boolean;
  /** The organisation an overdue task escalated to. */
  escalatedTo?: string;
  createdAt: string;
  modifiedAt: string;
  history: HistoryEntry[];
}

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const Note = Type.Optional(Type.String({ maxLength: 2000 }));

/** What dispatching a task takes: from an incident or from an alert (exactly one). */
export const DispatchTaskSchema = Type.Object(
  {
    title: Text(300),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    priority: Type.Optional(
      Type.Union(['low', 'normal', 'high', 'urgent'].map((p) => Type.Literal(p))),
    ),
    due: Type.String({ format: 'date-time', description: 'ISO 8601' }),
    assignee: Type.String({ minLength: 1, maxLength: 200, description: 'the organisation' }),
    incident: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    alert: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

/** A request to dispatch a task. */
export interface DispatchTask {
  title: string;
  description?: string;
  priority?: TaskPriority;
  due: string;
  assignee: string;
  incident?: string;
  alert?: string;
}

/** Body of accept and cancel. */
export const TaskNoteSchema = Type.Object({ note: Note }, { additionalProperties: false });

/** Body of a progress note. */
export const TaskProgressSchema = Type.Object(
  { percent: Type.Integer({ minimum: 0, maximum: 100 }), note: Note },
  { additionalProperties: false },
);

/** Body of a completion: the report and the ids of photos uploaded before. */
export const TaskCompleteSchema = Type.Object(
  {
    report: Text(8000),
    photos: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 })),
  },
  { additionalProperties: false },
);

/** Body of a rejection. */
export const TaskRejectSchema = Type.Object(
  { reason: Text(2000) },
  { additionalProperties: false },
);
