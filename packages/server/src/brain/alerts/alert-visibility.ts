import type { Entity } from '../../core/index.js';
import { sees, type Actor } from '../command/actor.js';
import { valueOf } from './alert-model.js';

/** The organisations taking part in an alert (its chain up to the current level, its assignee). */
export function alertParticipants(alert: Entity): string[] {
  const v = valueOf(alert, 'participants');
  return Array.isArray(v) ? v.filter((o): o is string => typeof o === 'string') : [];
}

/**
 * True when the actor sees the alert: the operator, or a member of one of its participants.
 * Every path that shows an alert (the routes, the event stream) decides with this.
 */
export function seesAlert(actor: Actor, alert: Entity): boolean {
  return sees(actor, alertParticipants(alert));
}
