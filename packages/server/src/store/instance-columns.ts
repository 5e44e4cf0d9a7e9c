import type { Attribute } from '../core/index.js';
import type { AttributeInstance } from './port.js';

/**
 * How both adapters store one attribute instance of the history: a time key `t`, the numeric
 * value apart (what aggregations read), the rest as JSON (NULL for a plain numeric Property,
 * the ingest case), the unit, and the system times.
 */
export interface InstanceColumns {
  /** The instance's observedAt, or its createdAt when it has none (`tkind` = 1), epoch ms. */
  t: number;
  num: number | null;
  json: string | null;
  unit: string | null;
  /** 0: `t` is observedAt; 1: the instance has none and `t` is its createdAt. */
  tkind: 0 | 1;
  created: number | null;
}

/** A stored row as read back. */
export interface StoredInstanceColumns extends Omit<InstanceColumns, 'tkind'> {
  tkind: number;
  modified: number | null;
}

/** Members kept in columns of their own, never in `json`. */
const COLUMN_MEMBERS = new Set([
  'observedAt',
  'datasetId',
  'createdAt',
  'modifiedAt',
  'instanceId',
  'unitCode',
]);

/** The columns of an instance created at `createdAt` (which keys it when it has no observedAt). */
export function encodeInstanceColumns(attribute: Attribute, createdAt: number): InstanceColumns {
  const { observedAt, unitCode } = attribute;
  const rest = Object.fromEntries(
    Object.entries(attribute).filter(([k]) => !COLUMN_MEMBERS.has(k)),
  ) as Record<string, unknown>;
  const num = rest.type === 'Property' && typeof rest.value === 'number' ? rest.value : null;
  const plain = num !== null && Object.keys(rest).length === 2;
  return {
    t: observedAt === undefined ? createdAt : Date.parse(observedAt),
    num,
    json: plain ? null : JSON.stringify(rest),
    unit: typeof unitCode === 'string' ? unitCode : null,
    tkind: observedAt === undefined ? 1 : 0,
    created: createdAt,
  };
}

/**
 * The instanceId of a stored instance, derived from its key: `urn:ngsi-ld:Instance:<t>` for
 * the default instance, `urn:ngsi-ld:Instance:<t>-<dataset number>` otherwise, `t` being the
 * instance's time in epoch ms. It names one instance of one attribute of one entity and
 * stays the same across reads (the dataset number is the store's, never reused).
 */
export function instanceIdOf(did: number, t: number): string {
  return did === 0 ? `urn:ngsi-ld:Instance:${t}` : `urn:ngsi-ld:Instance:${t}-${did}`;
}

const INSTANCE_ID = /^urn:ngsi-ld:Instance:(-?\d+)(?:-(\d+))?$/;

/** The key an instanceId names; undefined when it is not one of ours. */
export function parseInstanceId(id: string): { did: number; t: number } | undefined {
  const m = INSTANCE_ID.exec(id);
  if (!m) return undefined;
  const key = { t: Number(m[1]), did: m[2] === undefined ? 0 : Number(m[2]) };
  // Beyond these the key could not have been stored (64-bit time, 32-bit dataset number).
  return Number.isSafeInteger(key.t) && key.did <= 2_147_483_647 ? key : undefined;
}

/** The instance a stored row holds, given its series and dataset number (0: default). */
export function decodeInstance(
  key: { entityId: string; attr: string; did: number; datasetId: string | undefined },
  row: StoredInstanceColumns,
): AttributeInstance {
  const attribute = (
    row.json === null ? { type: 'Property', value: row.num } : JSON.parse(row.json)
  ) as Attribute;
  if (row.tkind === 0) attribute.observedAt = new Date(row.t).toISOString();
  if (row.unit !== null) attribute.unitCode = row.unit;
  if (key.datasetId !== undefined) attribute.datasetId = key.datasetId;
  const createdAt = row.created ?? row.t;
  const instance: AttributeInstance = {
    entityId: key.entityId,
    attr: key.attr,
    instanceId: instanceIdOf(key.did, row.t),
    attribute,
    createdAt,
    modifiedAt: row.modified ?? createdAt,
  };
  if (key.datasetId !== undefined) instance.datasetId = key.datasetId;
  return instance;
}
