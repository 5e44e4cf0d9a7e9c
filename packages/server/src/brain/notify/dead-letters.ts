import type { DocumentCollection } from '../../store/index.js';
import type { Delivery, NotificationMessage } from './channel.js';
import type { NotificationTarget } from './target.js';
import type { DeadLetterReason, JobOutcome } from './target-queues.js';

/** The collection of notification dead letters, keyed by delivery id. */
export const NOTIFICATION_DEAD_LETTERS = 'notification-dead-letters';

/** A delivery given up on, kept whole so that it can be retried with the same delivery id. */
export interface NotificationDeadLetter {
  id: string;
  targetId: string;
  organisation: string;
  kind: NotificationTarget['kind'];
  event: string;
  subjectId: string;
  reason: DeadLetterReason;
  /** The last attempt's error. */
  error: string;
  attempts: number;
  deadAt: string;
  message: NotificationMessage;
}

/** Which dead letters to list. */
export interface DeadLetterFilter {
  /** Only these organisations' (all when undefined). */
  organisations?: (organisation: string) => boolean;
  targetId?: string;
  limit: number;
  offset: number;
}

/** Notification dead letters: a page of them, newest first, with the total. */
export async function listDeadLetters(
  collection: DocumentCollection<NotificationDeadLetter>,
  filter: DeadLetterFilter,
): Promise<{ total: number; deadLetters: NotificationDeadLetter[] }> {
  const matching = (await collection.list())
    .map(({ doc }) => doc)
    .filter(
      (d) =>
        (filter.organisations?.(d.organisation) ?? true) &&
        (filter.targetId === undefined || d.targetId === filter.targetId),
    )
    .sort((a, b) => b.deadAt.localeCompare(a.deadAt) || a.id.localeCompare(b.id));
  return {
    total: matching.length,
    deadLetters: matching.slice(filter.offset, filter.offset + filter.limit),
  };
}

/** The dead letter of a delivery that failed so. */
export function deadLetterOf(
  delivery: Delivery,
  outcome: JobOutcome & { ok: false },
  deadAt: string,
): NotificationDeadLetter {
  const { id, target, message } = delivery;
  return {
    id,
    targetId: target.id,
    organisation: target.organisation,
    kind: target.kind,
    event: message.event,
    subjectId: message.subject.id,
    reason: outcome.reason,
    error: outcome.error,
    attempts: outcome.attempts,
    deadAt,
    message,
  };
}
