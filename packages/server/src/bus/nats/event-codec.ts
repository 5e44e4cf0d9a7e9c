import { CityError } from '../../core/index.js';
import type { BusEvent } from '../port.js';

/** The bytes an event travels and is stored as: its JSON (`topic`, `key`, `time`, `payload`). */
export function encodeEvent(event: BusEvent): Uint8Array {
  const { topic, key, time, payload } = event;
  let json: string;
  try {
    json = JSON.stringify({ topic, key, time, payload });
  } catch (err) {
    throw new CityError('BadRequestData', `a ${topic} event cannot be sent as JSON`, {
      cause: err,
    });
  }
  return Buffer.from(json, 'utf8');
}

/** Reads an event back; a message that is not one throws a `BadRequestData` CityError. */
export function decodeEvent(data: Uint8Array): BusEvent {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (err) {
    throw new CityError('BadRequestData', 'a bus message is not JSON', { cause: err });
  }
  if (typeof value !== 'object' || value === null) throw notAnEvent('not an object');
  const { topic, key, time, payload } = value as Record<string, unknown>;
  if (typeof topic !== 'string') throw notAnEvent('no string topic');
  if (typeof key !== 'string') throw notAnEvent('no string key');
  if (typeof time !== 'number' || !Number.isFinite(time)) throw notAnEvent('no numeric time');
  return { topic, key, time, payload };
}

const notAnEvent = (why: string) =>
  new CityError('BadRequestData', `a bus message is not an event: ${why}`);
