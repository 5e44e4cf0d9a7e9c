import { CityError } from '../../core/index.js';
import type { BusEvent } from '../port.js';

/** The most a message carries (NATS refuses payloads over its max_payload, 1 MiB by default). */
export const MAX_MESSAGE_BYTES = 512 * 1024;

function eventJson(event: BusEvent): string {
  const { topic, key, time, payload } = event;
  try {
    return JSON.stringify({ topic, key, time, payload });
  } catch (err) {
    throw new CityError('BadRequestData', `a ${topic} event cannot be sent as JSON`, {
      cause: err,
    });
  }
}

/**
 * The messages that carry `events` of one subject, in order: JSON arrays of events
 * (`topic`, `key`, `time`, `payload`), as many as fit in `maxBytes` each. One JetStream
 * publish then stores what one commit changed in a partition, instead of one per event.
 */
export function encodeEvents(
  events: readonly BusEvent[],
  maxBytes = MAX_MESSAGE_BYTES,
): Uint8Array[] {
  const messages: Uint8Array[] = [];
  let part: string[] = [];
  let bytes = 2;
  const cut = () => {
    if (part.length > 0) messages.push(Buffer.from(`[${part.join(',')}]`, 'utf8'));
    part = [];
    bytes = 2;
  };
  for (const event of events) {
    const json = eventJson(event);
    const size = Buffer.byteLength(json, 'utf8') + 1;
    if (part.length > 0 && bytes + size > maxBytes) cut();
    part.push(json);
    bytes += size;
  }
  cut();
  return messages;
}

/**
 * Reads a message back into its events: a JSON array of events, or one event object (as
 * streams written before batching hold). Anything else throws a `BadRequestData` CityError.
 */
export function decodeEvents(data: Uint8Array): BusEvent[] {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (err) {
    throw new CityError('BadRequestData', 'a bus message is not JSON', { cause: err });
  }
  if (!Array.isArray(value)) return [asEvent(value)];
  if (value.length === 0) throw notAnEvent('an empty list');
  return value.map(asEvent);
}

function asEvent(value: unknown): BusEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw notAnEvent('not an object');
  const { topic, key, time, payload } = value as Record<string, unknown>;
  if (typeof topic !== 'string') throw notAnEvent('no string topic');
  if (typeof key !== 'string') throw notAnEvent('no string key');
  if (typeof time !== 'number' || !Number.isFinite(time)) throw notAnEvent('no numeric time');
  return { topic, key, time, payload };
}

const notAnEvent = (why: string) =>
  new CityError('BadRequestData', `a bus message is not an event: ${why}`);
