import { CityError, type Entity } from '../../core/index.js';
import { notFound, refOf, sees, SYSTEM, type Actor } from '../command/actor.js';
import { transitionAlert } from './alert-lifecycle.js';
import { appended, iso, viewAlert, withAttributes } from './alert-model.js';

/**
 * Escalates an alert whose current level let the acknowledge-within time pass by `now`: to the
 * next level of its chain (history `escalated`, by `system`), or, at the chain's end, records
 * `unacknowledged` once and stops the clock. Undefined when nothing is due. Pure.
 */
export function escalateIfDue(alert: Entity, now: number): Entity | undefined {
  const view = viewAlert(alert);
  if (view.status !== 'raised' || view.acknowledgeBy === undefined || view.acknowledgeBy > now)
    return undefined;
  const late = `not acknowledged by ${iso(view.acknowledgeBy)} at level ${view.escalationLevel}`;
  if (view.escalationChain[view.escalationLevel] !== undefined)
    return transitionAlert(alert, { action: 'escalate', actor: SYSTEM, at: now, note: late });
  return withAttributes(alert, {
    acknowledgeBy: undefined,
    history: appended(view.history, {
      action: 'unacknowledged',
      at: iso(now),
      by: refOf(SYSTEM),
      note: `${late}, the last level of its escalation chain`,
      level: view.escalationLevel,
    }),
  });
}

/** Longest comment, in characters. */
export const MAX_COMMENT_LENGTH = 4000;

/** Adds a comment to an alert the actor sees (any member of a participant may comment). Pure. */
export function commentOn(
  alert: Entity,
  comment: { id: string; actor: Actor; at: number; text: string },
): Entity {
  const view = viewAlert(alert);
  if (!sees(comment.actor, view.participants)) throw notFound('alert', view.id);
  const text = comment.text.trim();
  if (text.length === 0 || text.length > MAX_COMMENT_LENGTH)
    throw new CityError('BadRequestData', `a comment has 1 to ${MAX_COMMENT_LENGTH} characters`);
  return withAttributes(alert, {
    comments: appended(view.comments, {
      id: comment.id,
      at: iso(comment.at),
      by: refOf(comment.actor),
      text,
    }),
  });
}
