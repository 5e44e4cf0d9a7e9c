import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Topics, type Bus } from '../../bus/index.js';
import { CityError, toCityError, type Entity } from '../../core/index.js';
import type { DocumentCollection, Store } from '../../store/index.js';
import { notFound, refOf, SYSTEM, type Actor } from '../command/actor.js';
import type { RoutingTarget } from '../command/responsibility-matrix.js';
import { commentOn, escalateIfDue } from './alert-escalation.js';
import { transitionAlert, type AlertAction } from './alert-lifecycle.js';
import {
  appended,
  areasOf,
  iso,
  OPEN_ALERT_STATUSES,
  viewAlert,
  withAttributes,
  type AlertComment,
} from './alert-model.js';
import { findAlerts, type AlertFilter } from './alert-query.js';
import { seesAlert } from './alert-visibility.js';
import {
  alertIdOf,
  buildAlert,
  refreshAlert,
  type AlertRoute,
  type RaiseAlert,
} from './alert-raise.js';

export type { RaiseAlert } from './alert-raise.js';

/** The collection of open-alert claims: (rule, key) → the open alert raised for it. */
export const ALERT_CLAIMS = 'command.alert-claims';

/** What the alert service is built from besides the store, the bus and the logger. */
export interface AlertServiceOptions {
  /** Wall-clock time, epoch ms (deadlines, history); `Date.now` by default. */
  clock?: () => number;
  /** Who is responsible for a new alert (the responsibility matrix); nobody when absent. */
  route?: (target: RoutingTarget) => Promise<AlertRoute | undefined>;
  /** Puts a new alert in an incident and answers the incident's id. */
  placeInIncident?: (alert: Entity) => Promise<string | undefined>;
  /**
   * Told of every change of an alert, with the alert as it was, after the change is announced
   * (its incident follows its parties).
   */
  changed?: (alert: Entity, before: Entity | undefined) => Promise<void>;
}

/** A request to change an alert (the time is the service's clock). */
export interface AlertRequest {
  action: AlertAction;
  actor: Actor;
  note?: string;
  assignee?: string;
}

/** The outcome of one id of a bulk action. */
export type BulkResult =
  { id: string; ok: true; alert: Entity } | { id: string; ok: false; error: CityError };

/** Most ids of one bulk action. */
export const MAX_BULK = 500;

interface AlertClaim {
  alertId: string;
}

const isAlert = (e: Entity | undefined): e is Entity =>
  e !== undefined && (e.type === 'Alert' || (Array.isArray(e.type) && e.type.includes('Alert')));

/**
 * Alert entities (FIWARE Smart Data Models Alert) through their lifecycle: raised (one open
 * alert per rule and key), routed to the responsible organisation, acknowledged, assigned,
 * escalated, resolved and closed, each change recorded in the alert's history and announced
 * on the bus (`alert.raised`, `alert.updated`).
 */
export class AlertService {
  private readonly claims: DocumentCollection<AlertClaim>;
  private readonly clock: () => number;

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly logger: Logger,
    private readonly options: AlertServiceOptions = {},
  ) {
    this.claims = store.collection<AlertClaim>(ALERT_CLAIMS);
    this.clock = options.clock ?? Date.now;
  }

  /**
   * Raises an alert for a rule breach, idempotent per (rule, key): while the alert of the key is
   * open, it refreshes its evidence, `lastSeen` and `occurrences` (`alert.updated`) and returns
   * it; otherwise it creates a routed Alert in an incident (`alert.raised`).
   */
  async raise(input: RaiseAlert): Promise<Entity> {
    const key = `${input.rule.id} ${input.key ?? input.source.id}`;
    for (let attempt = 0; attempt < 10; attempt++) {
      const claim = await this.claims.get(key);
      const open = claim && (await this.refresh(claim.alertId, input));
      if (open) return open;
      const id = alertIdOf(input);
      if (!(await this.claims.replaceIf(key, { alertId: id }, claim))) continue;
      // The same (rule, key, start) again is a replay: the alert exists, open or not.
      const existing = await this.store.entities.get(id);
      if (isAlert(existing)) return (await this.refresh(id, input)) ?? existing;
      return this.create(input);
    }
    throw new CityError('ServiceUnavailable', `alert ${key} is being raised by others: try again`);
  }

  private async refresh(id: string, input: RaiseAlert): Promise<Entity | undefined> {
    const result = await this.change(id, (current) =>
      isAlert(current) ? refreshAlert(current, input) : undefined,
    );
    return result.changed ? result.after : undefined;
  }

  private async create(input: RaiseAlert): Promise<Entity> {
    const { rule, source } = input;
    const route = await this.options.route?.({
      category: rule.category,
      ...(rule.subCategory !== undefined && { subCategory: rule.subCategory }),
      areas: areasOf(source),
    });
    const alert = buildAlert(input, route, this.clock());
    const incident = await this.options.placeInIncident?.(alert);
    if (incident) alert.incident = { type: 'Relationship', object: incident };
    await this.store.entities.create(alert);
    const responsible = route?.chain[0]?.organisation;
    this.logger.info({ alert: alert.id, rule: rule.id, responsible, incident }, 'alert raised');
    await this.publish(Topics.alertRaised, alert);
    return alert;
  }

  /** The rule's condition cleared: resolves the alert when it is still open (else nothing). */
  async resolve(alertId: string, at: number): Promise<void> {
    const result = await this.change(alertId, (current) =>
      isAlert(current) && OPEN_ALERT_STATUSES.includes(viewAlert(current).status)
        ? transitionAlert(current, {
            action: 'resolve',
            actor: SYSTEM,
            at,
            note: 'the condition cleared',
          })
        : undefined,
    );
    if (result.changed) this.logger.info({ alert: alertId }, 'alert resolved');
  }

  /** Alerts, optionally of one status, newest issued first (all of them: for the system). */
  list(status?: string): Promise<Entity[]> {
    return findAlerts(this.store, status === undefined ? {} : { status: [status] });
  }

  /** Open alerts (raised, acknowledged, assigned), for rebuilding rule state after a restart. */
  open(): Promise<Entity[]> {
    return findAlerts(this.store, { status: OPEN_ALERT_STATUSES });
  }

  /** Alerts matching a filter that the actor sees, newest issued first. */
  find(filter: AlertFilter, actor: Actor): Promise<Entity[]> {
    return findAlerts(this.store, filter, actor);
  }

  /** One alert the actor sees; 404 otherwise. */
  async get(id: string, actor: Actor): Promise<Entity> {
    const alert = await this.store.entities.get(id);
    if (!isAlert(alert) || !seesAlert(actor, alert)) throw notFound('alert', id);
    return alert;
  }

  /** Acknowledges, assigns, resolves, closes or escalates an alert (see transitionAlert). */
  async act(id: string, request: AlertRequest): Promise<Entity> {
    const at = this.clock();
    const result = await this.change(id, (current) => {
      if (!isAlert(current)) throw notFound('alert', id);
      return transitionAlert(current, { ...request, at });
    });
    return result.after!;
  }

  /** Applies one action to many alerts; each id succeeds or fails on its own. */
  async bulk(ids: readonly string[], request: AlertRequest): Promise<BulkResult[]> {
    if (ids.length > MAX_BULK)
      throw new CityError('BadRequestData', `a bulk action takes at most ${MAX_BULK} ids`);
    const out: BulkResult[] = [];
    for (const id of new Set(ids)) {
      try {
        out.push({ id, ok: true, alert: await this.act(id, request) });
      } catch (err) {
        out.push({ id, ok: false, error: toCityError(err) });
      }
    }
    return out;
  }

  /** Adds a comment by the actor (who must see the alert). */
  async comment(id: string, actor: Actor, text: string): Promise<AlertComment> {
    const commentId = randomUUID();
    const at = this.clock();
    const result = await this.change(id, (current) => {
      if (!isAlert(current)) throw notFound('alert', id);
      return commentOn(current, { id: commentId, actor, at, text });
    });
    return viewAlert(result.after!).comments.find((c) => c.id === commentId)!;
  }

  /** The comments of an alert the actor sees, oldest first. */
  async comments(id: string, actor: Actor): Promise<AlertComment[]> {
    return viewAlert(await this.get(id, actor)).comments;
  }

  /** Links an alert to an incident (merges, by a commander who sees the alert). */
  async linkIncident(alertId: string, incidentId: string, actor: Actor): Promise<Entity> {
    const at = this.clock();
    const result = await this.change(alertId, (current) => {
      if (!isAlert(current) || !seesAlert(actor, current)) throw notFound('alert', alertId);
      const view = viewAlert(current);
      if (view.incident === incidentId) return undefined;
      return withAttributes(current, {
        incident: { type: 'Relationship', object: incidentId },
        history: appended(view.history, {
          action: 'linked',
          at: iso(at),
          by: refOf(actor),
          note: `moved to incident ${incidentId}`,
          ...(view.incident !== undefined && { from: view.incident }),
          to: incidentId,
        }),
      });
    });
    return result.after!;
  }

  /** Escalates every raised alert not acknowledged in time (see escalateIfDue); answers how many changed. */
  async escalateDue(now: number): Promise<number> {
    let changed = 0;
    for (const alert of await findAlerts(this.store, { status: ['raised'], acknowledgeBy: now })) {
      try {
        const result = await this.change(alert.id, (current) =>
          isAlert(current) ? escalateIfDue(current, now) : undefined,
        );
        if (result.changed) changed++;
      } catch (err) {
        this.logger.error({ err, alert: alert.id }, 'alert escalation failed');
      }
    }
    return changed;
  }

  /** Writes one alert atomically and announces the change. */
  private async change(
    id: string,
    mutate: (current: Entity | undefined) => Entity | undefined,
  ): Promise<{ changed: boolean; after?: Entity }> {
    const [result] = await this.store.entities.write([{ id, mutate }]);
    if (result?.error) throw result.error;
    const after = result?.after ?? result?.before;
    if (result?.changed && result.after) {
      await this.publish(Topics.alertUpdated, result.after);
      await this.options.changed?.(result.after, result.before);
    }
    return { changed: result?.changed ?? false, ...(after && { after }) };
  }

  private async publish(topic: string, alert: Entity): Promise<void> {
    await this.bus.publish([{ topic, key: alert.id, time: this.clock(), payload: alert }]);
  }
}
