import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Bus } from '../../bus/index.js';
import { CityError, KeyedChains, type Entity } from '../../core/index.js';
import type { DocumentCollection } from '../../store/index.js';
import { appended, iso, maxSeverity, viewAlert, type AlertView } from '../alerts/alert-model.js';
import type { AlertService } from '../alerts/alert-service.js';
import {
  DISPATCHER_ROLES,
  notFound,
  refOf,
  requireRole,
  sees,
  SYSTEM,
  withParticipant,
  type Actor,
} from './actor.js';
import { updateDoc } from './doc-update.js';
import { nextVersion } from './doc-version.js';
import { checkIncidentTransition, type Incident, type IncidentPatch } from './incident.js';
import { CommandTopics } from './topics.js';

/** The open incident a (category, area) groups new alerts into, and its newest alert's time. */
interface IncidentSlot {
  incidentId: string;
  lastAlertAt: number;
}

/** Filters of an incident listing. */
export interface IncidentFilter {
  status?: string;
  category?: string;
  area?: string;
}

/** What the incident service is built from. */
export interface IncidentServiceOptions {
  incidents: DocumentCollection<Incident>;
  slots: DocumentCollection<IncidentSlot>;
  bus: Bus;
  logger: Logger;
  clock: () => number;
  /** Alerts of the same category and area closer in time than this join one incident. */
  windowMs: number;
  /** The alert service (a function: the two services refer to each other). */
  alerts: () => Pick<AlertService, 'get' | 'linkIncident'>;
}

const missing = (id: string) => () => notFound('incident', id);

/** Groups alerts into incidents, and lets commanders change and merge them. */
export class IncidentService {
  /** Placements per category and area, one at a time on this node (nodes race by the slots). */
  private readonly placing = new KeyedChains();

  constructor(private readonly options: IncidentServiceOptions) {}

  /**
   * Places a new alert in an incident: the open incident of its category and area whose newest
   * alert is within the window, or a new one. Answers the incident's id.
   */
  place(alert: Entity): Promise<string> {
    const view = viewAlert(alert);
    const area = view.areas[0] ?? 'city';
    const key = `${view.category} ${area}`;
    return this.placing.run(key, () => this.placeIn(key, view, area));
  }

  private async placeIn(key: string, view: AlertView, area: string): Promise<string> {
    const at = Date.parse(view.dateIssued) || this.options.clock();
    for (let attempt = 0; attempt < 10; attempt++) {
      const slot = await this.options.slots.get(key);
      if (slot && Math.abs(at - slot.lastAlertAt) <= this.options.windowMs) {
        if (await this.join(slot.incidentId, view, at)) {
          const next = { ...slot, lastAlertAt: Math.max(at, slot.lastAlertAt) };
          await this.options.slots.replaceIf(key, next, slot);
          return slot.incidentId;
        }
      }
      const incident = this.newIncident(view, area, at);
      if (
        !(await this.options.slots.replaceIf(
          key,
          { incidentId: incident.id, lastAlertAt: at },
          slot,
        ))
      )
        continue;
      await this.options.incidents.put(incident.id, incident);
      this.options.logger.info({ incident: incident.id, alert: view.id }, 'incident created');
      await this.publish(CommandTopics.incidentCreated, incident);
      return incident.id;
    }
    throw new CityError('ServiceUnavailable', `incidents of ${key} are being changed by others`);
  }

  private newIncident(view: AlertView, area: string, at: number): Incident {
    const now = iso(this.options.clock());
    const commander = view.responsibleOrganisation;
    return {
      id: `urn:ngsi-ld:Incident:${randomUUID()}`,
      type: 'Incident',
      title: `${view.subCategory ?? view.category} in ${area}`,
      category: view.category,
      ...(view.subCategory !== undefined && { subCategory: view.subCategory }),
      area,
      severity: view.severity,
      status: 'open',
      alerts: [view.id],
      ...(commander !== undefined && { responsibleOrganisation: commander }),
      participants: commander === undefined ? [] : [commander],
      createdAt: now,
      modifiedAt: now,
      lastAlertAt: iso(at),
      version: 1,
      lastChange: 'created',
      history: [{ action: 'created', at: now, by: refOf(SYSTEM), note: `alert ${view.id}` }],
    };
  }

  /** Adds an alert to an open incident; false when the incident is no longer open. */
  private async join(id: string, view: AlertView, at: number): Promise<boolean> {
    const change = await this.update(id, (current) => {
      if (current.status !== 'open') return undefined;
      return this.withAlert(current, view, SYSTEM, Math.max(at, Date.parse(current.lastAlertAt)));
    });
    return change.changed || change.after.alerts.includes(view.id);
  }

  private withAlert(incident: Incident, view: AlertView, actor: Actor, at?: number): Incident {
    if (incident.alerts.includes(view.id)) return incident;
    const commander = incident.responsibleOrganisation ?? view.responsibleOrganisation;
    return {
      ...incident,
      ...(commander !== undefined && { responsibleOrganisation: commander }),
      alerts: [...incident.alerts, view.id],
      severity: maxSeverity(incident.severity, view.severity),
      participants: withParticipant(incident.participants, view.responsibleOrganisation),
      ...(at !== undefined && { lastAlertAt: iso(at) }),
      history: appended(incident.history, {
        action: 'alert-added',
        at: iso(this.options.clock()),
        by: refOf(actor),
        note: view.id,
      }),
    };
  }

  /** Incidents the actor sees, newest first. */
  async list(filter: IncidentFilter, actor: Actor): Promise<Incident[]> {
    return (await this.options.incidents.list())
      .map((r) => r.doc)
      .filter(
        (i) =>
          sees(actor, i.participants) &&
          (!filter.status || i.status === filter.status) &&
          (!filter.category || i.category === filter.category) &&
          (!filter.area || i.area === filter.area),
      )
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
  }

  /** One incident the actor sees; 404 otherwise. */
  async get(id: string, actor: Actor): Promise<Incident> {
    const incident = await this.options.incidents.get(id);
    if (!incident || !sees(actor, incident.participants)) throw notFound('incident', id);
    return incident;
  }

  /** Changes status, title or commander (the commander's dispatchers or the operator). */
  async patch(id: string, patch: IncidentPatch, actor: Actor): Promise<Incident> {
    const change = await this.update(id, (current) => {
      this.checkCommander(current, actor, `change incident ${id}`);
      if (patch.status !== undefined && patch.status !== current.status)
        checkIncidentTransition(id, current.status, patch.status);
      const next: Incident = {
        ...current,
        ...(patch.status !== undefined && { status: patch.status }),
        ...(patch.title !== undefined && { title: patch.title }),
        ...(patch.responsibleOrganisation !== undefined && {
          responsibleOrganisation: patch.responsibleOrganisation,
          participants: withParticipant(current.participants, patch.responsibleOrganisation),
        }),
      };
      return {
        ...next,
        history: appended(current.history, {
          action: patch.status && patch.status !== current.status ? patch.status : 'updated',
          at: iso(this.options.clock()),
          by: refOf(actor),
          from: current.status,
          to: next.status,
          ...(patch.responsibleOrganisation && { organisation: patch.responsibleOrganisation }),
          ...(patch.note !== undefined && { note: patch.note }),
        }),
      };
    });
    return change.after;
  }

  /** Moves alerts the actor sees into an open incident he commands (out of their old ones). */
  async merge(id: string, alertIds: readonly string[], actor: Actor): Promise<Incident> {
    const target = await this.get(id, actor);
    this.checkCommander(target, actor, `merge alerts into incident ${id}`);
    if (target.status !== 'open')
      throw new CityError('BadRequestData', `incident ${id} is ${target.status}: reopen it first`);
    const alerts = this.options.alerts();
    const views = [];
    for (const alertId of new Set(alertIds))
      views.push(viewAlert(await alerts.get(alertId, actor)));
    for (const view of views) {
      await alerts.linkIncident(view.id, id, actor);
      await this.update(id, (current) => this.withAlert(current, view, actor));
      if (view.incident !== undefined && view.incident !== id)
        await this.removeAlert(view.incident, view.id, id, actor);
    }
    return this.get(id, actor);
  }

  /** Takes an alert out of its former incident; an open incident left empty is closed. */
  private async removeAlert(from: string, alertId: string, into: string, actor: Actor) {
    try {
      await this.update(from, (current) => {
        if (!current.alerts.includes(alertId)) return undefined;
        const alerts = current.alerts.filter((a) => a !== alertId);
        const closes = alerts.length === 0 && current.status === 'open';
        return {
          ...current,
          alerts,
          ...(closes && { status: 'closed' as const }),
          history: appended(current.history, {
            action: closes ? 'merged' : 'alert-removed',
            at: iso(this.options.clock()),
            by: refOf(actor),
            note: `alert ${alertId} moved to incident ${into}`,
          }),
        };
      });
    } catch (err) {
      if (!(err instanceof CityError && err.code === 'ResourceNotFound')) throw err;
    }
  }

  /** Adds organisations to the participants (a task's assignee); no event when all are in. */
  async addParticipant(id: string, ...organisations: (string | undefined)[]): Promise<void> {
    await this.update(id, (current) => {
      const participants = organisations.reduce(withParticipant, current.participants);
      return participants.length === current.participants.length
        ? undefined
        : { ...current, participants };
    });
  }

  /**
   * An alert changed: the organisations it escalated or was assigned to see its incident too.
   * Nothing to do when its parties and incident are those it had (`before`): most changes (a
   * clear, a comment) leave them, and an incident of many alerts is costly to read.
   */
  async followAlert(alert: Entity, before?: Entity): Promise<void> {
    const view = viewAlert(alert);
    if (view.incident === undefined) return;
    if (before) {
      const was = viewAlert(before);
      if (
        was.incident === view.incident &&
        was.responsibleOrganisation === view.responsibleOrganisation &&
        was.assignee === view.assignee
      )
        return;
    }
    try {
      await this.addParticipant(view.incident, view.responsibleOrganisation, view.assignee);
    } catch (err) {
      if (!(err instanceof CityError && err.code === 'ResourceNotFound')) throw err;
    }
  }

  /** Throws 403 unless the actor commands the incident (after a 404 for outsiders). */
  checkCommander(incident: Incident, actor: Actor, what: string): void {
    if (!sees(actor, incident.participants)) throw notFound('incident', incident.id);
    requireRole(actor, [incident.responsibleOrganisation], DISPATCHER_ROLES, what);
  }

  private async update(id: string, change: (current: Incident) => Incident | undefined) {
    const result = await updateDoc(
      this.options.incidents,
      id,
      (current) => {
        const next = change(current);
        if (!next || next === current) return undefined;
        const silent =
          next.participants.length === current.participants.length
            ? 'updated'
            : 'participant-added';
        return nextVersion(current, { ...next, modifiedAt: iso(this.options.clock()) }, silent);
      },
      missing(id),
    );
    if (result.changed) await this.publish(CommandTopics.incidentUpdated, result.after);
    return result;
  }

  private async publish(topic: string, incident: Incident): Promise<void> {
    await this.options.bus.publish([
      { topic, key: incident.id, time: this.options.clock(), payload: incident },
    ]);
  }
}
