import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Bus } from '../../bus/index.js';
import { CityError, type Entity } from '../../core/index.js';
import type { DocumentCollection } from '../../store/index.js';
import { iso, OPEN_ALERT_STATUSES, viewAlert } from '../alerts/alert-model.js';
import type { AlertService } from '../alerts/alert-service.js';
import {
  DISPATCHER_ROLES,
  notFound,
  refOf,
  requireRole,
  RESPONDER_ROLES,
  SYSTEM,
  withParticipant,
  type Actor,
} from './actor.js';
import { updateDoc } from './doc-update.js';
import { nextVersion } from './doc-version.js';
import type { IncidentService } from './incident-service.js';
import { ACTIVE_TASK_STATUSES, type DispatchTask, type PhotoRef, type Task } from './task.js';
import {
  checkTaskVisible,
  markOverdue,
  transitionTask,
  type TaskAction,
} from './task-lifecycle.js';
import {
  decodePhoto,
  MAX_PHOTOS_PER_TASK,
  type PhotoUpload,
  type StoredPhoto,
} from './task-photo.js';
import { CommandTopics } from './topics.js';

/** Filters of a task listing. */
export interface TaskFilter {
  status?: string;
  assignee?: string;
  incident?: string;
  overdue?: boolean;
}

/** What the task service is built from. */
export interface TaskServiceOptions {
  tasks: DocumentCollection<Task>;
  photos: DocumentCollection<StoredPhoto>;
  bus: Bus;
  logger: Logger;
  clock: () => number;
  incidents: IncidentService;
  alerts: () => Pick<AlertService, 'get'>;
  /** Largest photo in bytes. */
  maxPhotoBytes?: number;
}

/** Where a task comes from: what it inherits of its incident or alert. */
type Origin = Pick<Task, 'category' | 'escalationChain'> &
  Partial<Pick<Task, 'incident' | 'alert' | 'subCategory' | 'area'>>;

/** Work orders: dispatched, accepted, progressed, completed with a report, or rejected. */
export class TaskService {
  constructor(private readonly options: TaskServiceOptions) {}

  /** Dispatches a task from an incident the actor commands or an alert his organisation holds. */
  async dispatch(input: DispatchTask, actor: Actor): Promise<Task> {
    if ((input.incident === undefined) === (input.alert === undefined))
      throw new CityError('BadRequestData', 'a task is dispatched from an incident or an alert');
    const due = Date.parse(input.due);
    if (Number.isNaN(due)) throw new CityError('BadRequestData', `due ${input.due} is no date`);
    const origin = input.incident
      ? await this.fromIncident(input.incident, actor)
      : await this.fromAlert(input.alert!, actor);
    const now = iso(this.options.clock());
    const task: Task = {
      id: `urn:ngsi-ld:Task:${randomUUID()}`,
      type: 'Task',
      title: input.title,
      ...(input.description !== undefined && { description: input.description }),
      priority: input.priority ?? 'normal',
      due: iso(due),
      status: 'dispatched',
      ...origin,
      assignee: input.assignee,
      ...(actor.organisation !== undefined && { dispatcher: actor.organisation }),
      dispatchedBy: refOf(actor),
      participants: withParticipant([input.assignee], actor.organisation),
      progress: 0,
      notes: [],
      photos: [],
      overdue: false,
      createdAt: now,
      modifiedAt: now,
      version: 1,
      lastChange: 'dispatched',
      history: [
        {
          action: 'dispatched',
          at: now,
          by: refOf(actor),
          to: 'dispatched',
          organisation: input.assignee,
        },
      ],
    };
    await this.options.tasks.put(task.id, task);
    if (task.incident) await this.options.incidents.addParticipant(task.incident, task.assignee);
    this.options.logger.info({ task: task.id, assignee: task.assignee }, 'task dispatched');
    await this.publish(CommandTopics.taskCreated, task);
    return task;
  }

  private async fromIncident(id: string, actor: Actor): Promise<Origin> {
    const incident = await this.options.incidents.get(id, actor);
    this.options.incidents.checkCommander(incident, actor, `dispatch a task for incident ${id}`);
    if (incident.status !== 'open')
      throw new CityError(
        'BadRequestData',
        `incident ${id} is ${incident.status}: reopen it first`,
      );
    const first = incident.alerts[0];
    const chain = first
      ? viewAlert(await this.options.alerts().get(first, SYSTEM)).escalationChain
      : [];
    return {
      incident: id,
      category: incident.category,
      ...(incident.subCategory !== undefined && { subCategory: incident.subCategory }),
      area: incident.area,
      escalationChain: chain,
    };
  }

  private async fromAlert(id: string, actor: Actor): Promise<Origin> {
    const alert: Entity = await this.options.alerts().get(id, actor);
    const view = viewAlert(alert);
    requireRole(
      actor,
      [view.responsibleOrganisation],
      DISPATCHER_ROLES,
      `dispatch for alert ${id}`,
    );
    if (!OPEN_ALERT_STATUSES.includes(view.status))
      throw new CityError('BadRequestData', `alert ${id} is ${view.status}: no task for it`);
    return {
      alert: id,
      ...(view.incident !== undefined && { incident: view.incident }),
      category: view.category,
      ...(view.subCategory !== undefined && { subCategory: view.subCategory }),
      ...(view.areas[0] !== undefined && { area: view.areas[0] }),
      escalationChain: view.escalationChain,
    };
  }

  /** Tasks the actor sees, soonest due first. */
  async list(filter: TaskFilter, actor: Actor): Promise<Task[]> {
    const visible = (t: Task) => {
      try {
        checkTaskVisible(t, actor);
        return true;
      } catch {
        return false;
      }
    };
    return (await this.options.tasks.list())
      .map((r) => r.doc)
      .filter(
        (t) =>
          visible(t) &&
          (!filter.status || t.status === filter.status) &&
          (!filter.assignee || t.assignee === filter.assignee) &&
          (!filter.incident || t.incident === filter.incident) &&
          (filter.overdue === undefined || t.overdue === filter.overdue),
      )
      .sort((a, b) => a.due.localeCompare(b.due) || a.id.localeCompare(b.id));
  }

  /** One task the actor sees; 404 otherwise. */
  async get(id: string, actor: Actor): Promise<Task> {
    const task = await this.options.tasks.get(id);
    if (!task) throw notFound('task', id);
    checkTaskVisible(task, actor);
    return task;
  }

  /** Accepts, progresses, completes, rejects or cancels a task (see transitionTask). */
  async act(id: string, action: TaskAction, actor: Actor): Promise<Task> {
    return this.update(id, (t) => transitionTask(t, action, actor, this.options.clock()));
  }

  /** Stores a photo for the task's report (its assignee, while the task is active). */
  async addPhoto(id: string, upload: PhotoUpload, actor: Actor): Promise<PhotoRef> {
    const task = await this.get(id, actor);
    requireRole(actor, [task.assignee], RESPONDER_ROLES, `add a photo to task ${id}`);
    const bytes = decodePhoto(upload, this.options.maxPhotoBytes);
    const photoId = randomUUID();
    const at = iso(this.options.clock());
    const ref: PhotoRef = {
      id: photoId,
      contentType: upload.contentType,
      size: bytes.length,
      url: `/api/v1/tasks/${encodeURIComponent(id)}/photos/${photoId}`,
      at,
      by: refOf(actor),
    };
    // The bytes first: a task never lists a photo that cannot be fetched.
    await this.options.photos.put(photoId, { ...ref, task: id, data: bytes.toString('base64') });
    try {
      await this.update(id, (current) => {
        if (!ACTIVE_TASK_STATUSES.includes(current.status))
          throw new CityError('BadRequestData', `task ${id} is ${current.status}: no more photos`);
        if (current.photos.length >= MAX_PHOTOS_PER_TASK)
          throw new CityError('BadRequestData', `a task has at most ${MAX_PHOTOS_PER_TASK} photos`);
        return { ...current, photos: [...current.photos, ref], modifiedAt: at };
      });
    } catch (err) {
      await this.options.photos.delete(photoId);
      throw err;
    }
    return ref;
  }

  /** A photo of a task the actor sees. */
  async photo(
    id: string,
    photoId: string,
    actor: Actor,
  ): Promise<{ contentType: string; bytes: Buffer }> {
    const task = await this.get(id, actor);
    const photo = task.photos.some((p) => p.id === photoId)
      ? await this.options.photos.get(photoId)
      : undefined;
    if (!photo || photo.task !== id) throw notFound('photo', photoId);
    return { contentType: photo.contentType, bytes: Buffer.from(photo.data, 'base64') };
  }

  /** Marks active tasks past due overdue and escalates them (see markOverdue); answers how many. */
  async markOverdue(now: number): Promise<number> {
    let changed = 0;
    for (const { doc } of await this.options.tasks.list()) {
      if (!markOverdue(doc, now)) continue;
      try {
        await this.update(doc.id, (t) => markOverdue(t, now));
        changed++;
      } catch (err) {
        this.options.logger.error({ err, task: doc.id }, 'task overdue escalation failed');
      }
    }
    return changed;
  }

  private async update(id: string, change: (t: Task) => Task | undefined): Promise<Task> {
    const versioned = (current: Task) => {
      const next = change(current);
      if (!next || next === current) return undefined;
      const silent = next.photos.length === current.photos.length ? 'updated' : 'photo-added';
      return nextVersion(current, next, silent);
    };
    const result = await updateDoc(this.options.tasks, id, versioned, () => notFound('task', id));
    if (result.changed) await this.publish(CommandTopics.taskUpdated, result.after);
    return result.after;
  }

  private async publish(topic: string, task: Task): Promise<void> {
    await this.options.bus.publish([
      { topic, key: task.id, time: this.options.clock(), payload: task },
    ]);
  }
}
