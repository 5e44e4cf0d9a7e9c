import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { BusEvent } from '../port.js';
import { deadLetterSubject } from './subjects.js';

/** An event a group gave up on, kept in the dead-letter stream with the reason. */
export interface DeadLetter {
  /** The group that could not handle it. */
  group: string;
  /** The topic pattern of the group's subscription. */
  pattern: string;
  /** The event; absent when the message could not be decoded (then see `raw`). */
  event?: BusEvent;
  /** The message text, when it was not an event. */
  raw?: string;
  /** Why it was given up: the last handler error, or why it could not be read. */
  reason: string;
  /** How many times it was delivered to the group. */
  deliveries: number;
  /** Its subject and sequence in the event stream. */
  subject: string;
  sequence: number;
  /** When it was given up, epoch ms. */
  failedAt: number;
}

/** Stores a dead letter, resolving once JetStream has it. */
export async function keepDeadLetter(
  js: JetStreamClient,
  prefix: string,
  letter: DeadLetter,
): Promise<void> {
  await js.publish(deadLetterSubject(prefix, letter.group), JSON.stringify(letter));
}

/** Reads up to `limit` dead letters of a stream, oldest first (for operators and tests). */
export async function readDeadLetters(
  jsm: JetStreamManager,
  deadStream: string,
  limit = 1000,
): Promise<DeadLetter[]> {
  const { state } = await jsm.streams.info(deadStream);
  const wanted = Math.min(state.messages, limit);
  if (wanted === 0) return [];
  const consumer = await jsm.jetstream().consumers.get(deadStream, { opt_start_seq: 0 });
  const letters: DeadLetter[] = [];
  try {
    const messages = await consumer.fetch({ max_messages: wanted, expires: 5000 });
    for await (const m of messages) {
      letters.push(m.json<DeadLetter>());
      if (letters.length === wanted) break;
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
  return letters;
}
