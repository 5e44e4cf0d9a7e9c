import { CityError, type Entity } from '../../core/index.js';
import {
  notFound,
  refOf,
  requireRole,
  RESPONDER_ROLES,
  sees,
  withParticipant,
  type Actor,
} from '../command/actor.js';
import {
  appended,
  iso,
  viewAlert,
  withAttributes,
  type AlertStatus,
  type AlertView,
  type HistoryEntry,
} from './alert-model.js';

/** What can be done to an alert. */
export type AlertAction = 'acknowledge' | 'assign' | 'resolve' | 'close' | 'escalate';

/** Every alert action. */
export const ALERT_ACTIONS: readonly AlertAction[] = [
  'acknowledge',
  'assign',
  'resolve',
  'close',
  'escalate',
];

/** The statuses each action applies to. */
export const ALLOWED_FROM: Readonly<Record<AlertAction, readonly AlertStatus[]>> = {
  acknowledge: ['raised'],
  assign: ['raised', 'acknowledged', 'assigned'],
  resolve: ['raised', 'acknowledged', 'assigned'],
  close: ['resolved'],
  escalate: ['raised', 'acknowledged', 'assigned'],
};

/** One request to change an alert. */
export interface AlertTransition {
  action: AlertAction;
  actor: Actor;
  /** When, epoch ms. */
  at: number;
  note?: string;
  /** The organisation to assign (assign only). */
  assignee?: string;
}

const PAST: Record<AlertAction, string> = {
  acknowledge: 'acknowledged',
  assign: 'assigned',
  resolve: 'resolved',
  close: 'closed',
  escalate: 'escalated',
};

/** Throws 404 when the actor may not see the alert. */
export function checkVisible(view: AlertView, actor: Actor): void {
  if (!sees(actor, view.participants)) throw notFound('alert', view.id);
}

/** Who may take an action: the responsible organisation; the assignee may resolve too. */
function mayAct(view: AlertView, action: AlertAction): (string | undefined)[] {
  return action === 'resolve'
    ? [view.responsibleOrganisation, view.assignee]
    : [view.responsibleOrganisation];
}

/** Throws 400 with the reason when the action does not apply to the alert's status. */
function checkAllowed(view: AlertView, action: AlertAction): void {
  const from = ALLOWED_FROM[action];
  if (!from.includes(view.status))
    throw new CityError(
      'BadRequestData',
      `cannot ${action} alert ${view.id}: it is ${view.status}, and ${action} applies to ${from.join(', ')} alerts only`,
      { details: { alert: view.id, status: view.status, action, allowedFrom: from } },
    );
}

/** The attributes an escalation to the next level changes; throws 400 at the chain's end. */
function nextLevel(view: AlertView, at: number): Record<string, unknown> {
  const next = view.escalationChain[view.escalationLevel];
  if (next === undefined)
    throw new CityError(
      'BadRequestData',
      `cannot escalate alert ${view.id}: its escalation chain has no level ${view.escalationLevel + 1}`,
      { details: { alert: view.id, level: view.escalationLevel } },
    );
  const within = next.acknowledgeWithinSeconds;
  return {
    escalationLevel: view.escalationLevel + 1,
    responsibleOrganisation: next.organisation,
    participants: withParticipant(view.participants, next.organisation),
    acknowledgeBy: view.status === 'raised' && within ? iso(at + within * 1000) : undefined,
  };
}

/** The attribute changes of an action (history aside). */
function changesOf(view: AlertView, t: AlertTransition): Record<string, unknown> {
  switch (t.action) {
    case 'acknowledge':
      return { status: 'acknowledged', acknowledgeBy: undefined };
    case 'assign': {
      if (!t.assignee)
        throw new CityError('BadRequestData', 'assign needs the assignee organisation');
      return {
        status: 'assigned',
        assignee: t.assignee,
        participants: withParticipant(view.participants, t.assignee),
        acknowledgeBy: undefined,
      };
    }
    case 'resolve':
      return { status: 'resolved', validTo: iso(t.at), acknowledgeBy: undefined };
    case 'close':
      return { status: 'closed' };
    case 'escalate':
      return nextLevel(view, t.at);
  }
}

/**
 * Applies an action to an Alert entity as `t.actor` (checked: 404 when the actor may not see
 * it, 403 without the right, 400 when the action does not apply to its status) and records it
 * in the alert's history. Pure: returns a new entity.
 */
export function transitionAlert(alert: Entity, t: AlertTransition): Entity {
  const view = viewAlert(alert);
  checkVisible(view, t.actor);
  requireRole(t.actor, mayAct(view, t.action), RESPONDER_ROLES, `${t.action} alert ${view.id}`);
  checkAllowed(view, t.action);
  const changes = changesOf(view, t);
  const to = typeof changes.status === 'string' ? changes.status : view.status;
  const entry: HistoryEntry = {
    action: PAST[t.action],
    at: iso(t.at),
    by: refOf(t.actor),
    from: view.status,
    to,
    ...(t.note !== undefined && { note: t.note }),
    ...(t.action === 'assign' && { organisation: t.assignee }),
    ...(t.action === 'escalate' && {
      organisation: changes.responsibleOrganisation as string,
      level: changes.escalationLevel as number,
    }),
  };
  return withAttributes(alert, { ...changes, history: appended(view.history, entry) });
}
