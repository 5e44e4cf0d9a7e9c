import {
  CityError,
  isDateTime,
  namesGeometry,
  parseGeometry,
  type Observation,
  type ObservedValue,
} from '../core/index.js';
import type { Device } from '../store/index.js';

const RESERVED = new Set(['id', 'type', '@context', 'observedAt', 'createdAt', 'modifiedAt']);
const ATTR_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const MAX_OBSERVATIONS = 10_000;

/** A payload citybrain refuses, with the dead-letter reason. */
export class IngestRefusal extends CityError {
  constructor(
    readonly reason: 'malformed-payload' | 'invalid-observation',
    message: string,
  ) {
    super('BadRequestData', message, { details: { reason } });
  }
}

function decodeTime(raw: unknown, receivedAt: number): number {
  if (raw === undefined) return receivedAt;
  if (typeof raw === 'number' && Number.isInteger(raw) && raw > 0) return raw;
  if (isDateTime(raw)) return Date.parse(raw);
  throw new IngestRefusal(
    'invalid-observation',
    'observedAt must be an ISO 8601 date-time or epoch milliseconds',
  );
}

function decodeValue(name: string, raw: unknown, device: Device): ObservedValue {
  if (raw === null || raw === undefined)
    throw new IngestRefusal('invalid-observation', `attribute ${name} has no value`);
  if (typeof raw === 'number' && !Number.isFinite(raw))
    throw new IngestRefusal('invalid-observation', `attribute ${name} is not a finite number`);
  const explicit =
    typeof raw === 'object' && !Array.isArray(raw) && 'value' in raw
      ? (raw as { value: unknown; unitCode?: unknown })
      : undefined;
  if (explicit) {
    if (explicit.unitCode !== undefined && typeof explicit.unitCode !== 'string')
      throw new IngestRefusal('invalid-observation', `attribute ${name}.unitCode must be a string`);
    const inner = decodeValue(name, explicit.value, device);
    const unitCode = explicit.unitCode ?? device.units[name];
    return unitCode === undefined ? inner : { value: inner.value, unitCode };
  }
  if (namesGeometry(raw)) checkGeometry(name, raw);
  const unitCode = device.units[name];
  const value = raw as ObservedValue['value'];
  return unitCode === undefined ? { value } : { value, unitCode };
}

/** A value that says it is a GeoJSON geometry must be one: it will be a GeoProperty. */
function checkGeometry(name: string, value: unknown): void {
  try {
    parseGeometry(value, name);
  } catch (err) {
    if (!(err instanceof CityError)) throw err;
    throw new IngestRefusal(
      'invalid-observation',
      `attribute ${name} is not a valid GeoJSON geometry: ${err.message}`,
    );
  }
}

function decodeOne(raw: unknown, device: Device, receivedAt: number): Observation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new IngestRefusal('invalid-observation', 'an observation must be a JSON object');
  const attrs: Record<string, ObservedValue> = {};
  let observedAt = receivedAt;
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === 'observedAt') observedAt = decodeTime(value, receivedAt);
    else if (RESERVED.has(name))
      throw new IngestRefusal('invalid-observation', `${name} is reserved and cannot be reported`);
    else if (!ATTR_NAME.test(name))
      throw new IngestRefusal(
        'invalid-observation',
        `invalid attribute name ${JSON.stringify(name)}`,
      );
    else attrs[name] = decodeValue(name, value, device);
  }
  if (Object.keys(attrs).length === 0)
    throw new IngestRefusal('invalid-observation', 'the observation has no attribute');
  return {
    entityId: device.entityId,
    entityType: device.entityType,
    deviceId: device.id,
    observedAt,
    attrs,
  };
}

/** Decodes a device payload (one JSON observation or an array of them); throws IngestRefusal. */
export function decodeObservations(
  payload: Buffer | string,
  device: Device,
  receivedAt: number,
): Observation[] {
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  if (text.trim().length === 0)
    throw new IngestRefusal('malformed-payload', 'the payload is empty');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new IngestRefusal(
      'malformed-payload',
      `the payload is not JSON: ${(err as Error).message}`,
    );
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  if (items.length === 0) throw new IngestRefusal('invalid-observation', 'the array is empty');
  if (items.length > MAX_OBSERVATIONS)
    throw new IngestRefusal('invalid-observation', `more than ${MAX_OBSERVATIONS} observations`);
  return items.map((item) => decodeOne(item, device, receivedAt));
}
