import type { BusEvent } from '../../bus/index.js';
import { CommandTopics, type Incident, type Task } from '../../brain/command/index.js';
import { auditedIncident, auditedTask, type AuditedItem } from './command-audit.js';

/** What the event stream says of an incident or task change: enough to know to read it again. */
export interface CommandFrame {
  id: string;
  /** What the change was: `created`, `dispatched`, `accepted`, `overdue`, `alert-added` … */
  change: string;
  status: string;
  /** Counts the item's changes: a reader holding this version or a newer one has nothing to do. */
  version?: number;
  modifiedAt: string;
}

/** An incident or task change from the bus: its frame, who sees it, and what the audit keeps. */
export interface CommandChange {
  /** The stream's event name. */
  event: 'incident' | 'task';
  frame: CommandFrame;
  participants: readonly string[];
  audited: AuditedItem;
}

const INCIDENT_TOPICS: readonly string[] = [
  CommandTopics.incidentCreated,
  CommandTopics.incidentUpdated,
];
const TASK_TOPICS: readonly string[] = [CommandTopics.taskCreated, CommandTopics.taskUpdated];

function frameOf(doc: Incident | Task, created: boolean): CommandFrame {
  return {
    id: doc.id,
    change: doc.lastChange ?? (created ? 'created' : 'updated'),
    status: doc.status,
    ...(doc.version !== undefined && { version: doc.version }),
    modifiedAt: doc.modifiedAt,
  };
}

/** The change an `incident.*` or `task.*` bus event carries; undefined for other topics. */
export function commandChangeOf(event: BusEvent): CommandChange | undefined {
  const created = event.topic.endsWith('.created');
  if (INCIDENT_TOPICS.includes(event.topic)) {
    const incident = event.payload as Incident;
    return {
      event: 'incident',
      frame: frameOf(incident, created),
      participants: incident.participants,
      audited: auditedIncident(incident),
    };
  }
  if (TASK_TOPICS.includes(event.topic)) {
    const task = event.payload as Task;
    return {
      event: 'task',
      frame: frameOf(task, created),
      participants: task.participants,
      audited: auditedTask(task),
    };
  }
  return undefined;
}
