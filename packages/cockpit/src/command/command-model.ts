// The command-and-dispatch API's shapes, as the server sends them (docs/command.md, docs/rules.md).
import type {
  ActorRef,
  AlertStatus,
  EscalationStep,
  HistoryEntry,
  Rule,
  Severity,
} from '../model.js';

/** What can be done to an alert. */
export const ALERT_ACTIONS = ['acknowledge', 'assign', 'escalate', 'resolve', 'close'] as const;
/** One alert action. */
export type AlertAction = (typeof ALERT_ACTIONS)[number];

/** The statuses each alert action applies to (the server's lifecycle). */
export const ALERT_ALLOWED_FROM: Readonly<Record<AlertAction, readonly AlertStatus[]>> = {
  acknowledge: ['raised'],
  assign: ['raised', 'acknowledged', 'assigned'],
  escalate: ['raised', 'acknowledged', 'assigned'],
  resolve: ['raised', 'acknowledged', 'assigned'],
  close: ['resolved'],
};

/** Which alerts to list (`GET /api/v1/alerts`). */
export interface AlertQuery {
  status: readonly AlertStatus[];
  severity: readonly Severity[];
  category?: string;
  area?: string;
}

/** One page of alerts, with the total the filters match. */
export interface AlertPage<T> {
  items: T[];
  total: number;
}

/** The outcome of one alert in a bulk action. */
export type BulkOutcome =
  | { id: string; ok: true; status: AlertStatus }
  | { id: string; ok: false; problem: { detail?: string; title?: string; status?: number } };

/** Where an incident is in its lifecycle. */
export type IncidentStatus = 'open' | 'resolved' | 'closed';

/** The status changes an incident allows. */
export const INCIDENT_NEXT: Readonly<Record<IncidentStatus, readonly IncidentStatus[]>> = {
  open: ['resolved'],
  resolved: ['open', 'closed'],
  closed: [],
};

/** Related alerts (same category and area, close in time) handled as one. */
export interface Incident {
  id: string;
  type: 'Incident';
  title: string;
  category: string;
  subCategory?: string;
  area: string;
  severity: Severity;
  status: IncidentStatus;
  alerts: string[];
  /** The commander. */
  responsibleOrganisation?: string;
  participants: string[];
  createdAt: string;
  modifiedAt: string;
  lastAlertAt: string;
  /** Counts its changes (absent on incidents stored before versions). */
  version?: number;
  /** What the latest change was. */
  lastChange?: string;
  history: HistoryEntry[];
}

/** Incidents and tasks: what the event stream tells of. */
export type CommandKind = 'incident' | 'task';

/** What the event stream says of an incident or task change (`incident`, `task` frames). */
export interface CommandChange {
  id: string;
  /** `created`, `dispatched`, `accepted`, `alert-added`, `participant-added`, `escalated` … */
  change: string;
  status: string;
  version?: number;
  modifiedAt: string;
}

/** A change of an incident. */
export interface IncidentPatch {
  status?: IncidentStatus;
  title?: string;
  responsibleOrganisation?: string;
  note?: string;
}

/** Where a task is in its lifecycle. */
export type TaskStatus =
  'dispatched' | 'accepted' | 'in-progress' | 'completed' | 'rejected' | 'cancelled';

/** Statuses of a task still to be done. */
export const ACTIVE_TASK_STATUSES: readonly TaskStatus[] = [
  'dispatched',
  'accepted',
  'in-progress',
];

/** How urgent a task is. */
export const TASK_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
/** One priority. */
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** A photo of a task's report, fetched back at `url` (with the token). */
export interface PhotoRef {
  id: string;
  contentType: string;
  size: number;
  url: string;
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

/** A work order dispatched to a department or community. */
export interface Task {
  id: string;
  type: 'Task';
  title: string;
  description?: string;
  priority: TaskPriority;
  due: string;
  status: TaskStatus;
  incident?: string;
  alert?: string;
  category: string;
  subCategory?: string;
  area?: string;
  assignee: string;
  dispatcher?: string;
  dispatchedBy: ActorRef;
  escalationChain: EscalationStep[];
  participants: string[];
  progress: number;
  notes: ProgressNote[];
  photos: PhotoRef[];
  report?: { text: string; photos: string[]; at: string; by: ActorRef };
  rejection?: { reason: string; at: string; by: ActorRef };
  overdue: boolean;
  escalatedTo?: string;
  createdAt: string;
  modifiedAt: string;
  /** Counts its changes (absent on tasks stored before versions). */
  version?: number;
  /** What the latest change was. */
  lastChange?: string;
  history: HistoryEntry[];
}

/** What dispatching a task takes: from an incident or from an alert (exactly one). */
export interface DispatchRequest {
  title: string;
  description?: string;
  priority: TaskPriority;
  due: string;
  assignee: string;
  incident?: string;
  alert?: string;
}

/** A change of a task by its assignee (or its dispatcher: cancel). */
export type TaskAction =
  | { action: 'accept'; note?: string }
  | { action: 'progress'; percent: number; note?: string }
  | { action: 'complete'; report: string; photos?: string[] }
  | { action: 'reject'; reason: string }
  | { action: 'cancel'; note?: string };

/** The statuses each task action applies to. */
export const TASK_ALLOWED_FROM: Readonly<Record<TaskAction['action'], readonly TaskStatus[]>> = {
  accept: ['dispatched'],
  progress: ['accepted', 'in-progress'],
  complete: ['accepted', 'in-progress'],
  reject: ['dispatched', 'accepted'],
  cancel: ACTIVE_TASK_STATUSES,
};

/** A photo to upload: its type and its bytes in base64. */
export interface PhotoUpload {
  contentType: string;
  data: string;
}

/** A rule as the server keeps it: the definition and its version. */
export interface StoredRule extends Rule {
  kind: string;
  name: string;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

/** One version of a rule. */
export interface RuleVersion {
  rule: Record<string, unknown> & { id: string };
  version: number;
  updatedAt: string;
  updatedBy: string;
  deleted?: boolean;
}

/** One alert a backtest would have raised (or cleared). */
export interface BacktestSignal {
  kind: string;
  key: string;
  at: string;
  value?: unknown;
  evidence: { observedAt: string; value: unknown; entityId?: string; attr?: string }[];
}

/** What a rule would have raised over a past period. */
export interface BacktestResult {
  rule: string;
  from: string;
  to: string;
  /** Facts read from the stored history, and the entities they came from. */
  facts: number;
  entities: number;
  alerts: BacktestSignal[];
}
