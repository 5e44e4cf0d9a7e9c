import {
  CityError,
  RESERVED_MEMBERS,
  checkAttributeName,
  isUri,
  parseAttribute,
  type Attribute,
  type Entity,
} from '../../core/index.js';
import type { AttributeInstance } from '../../store/index.js';
import { instancesOf, sameDataset } from '../attribute-instances.js';
import { expandEntity, type LdContext } from '../context/index.js';
import type { AttributeMap } from '../entity-ops.js';

/** Attribute instances by canonical attribute name, in the order the client gave them. */
export type InstanceMap = Record<string, Attribute[]>;

/** A temporal entity (clause 4.5.7) as written: each attribute a list of instances. */
export interface TemporalEntityBody {
  id: string;
  type: string | string[];
  attrs: InstanceMap;
}

const bad = (message: string) => new CityError('BadRequestData', message);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const SYSTEM_MEMBERS = new Set(['instanceId', 'createdAt', 'modifiedAt']);

/** An instance without the members the broker assigns (instanceId, system times). */
export function withoutSystemMembers(raw: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !SYSTEM_MEMBERS.has(k)));
}

/** Validates each member as one instance or a list of instances (datasetIds may repeat). */
function readInstances(raw: Record<string, unknown>): InstanceMap {
  const out: InstanceMap = {};
  for (const [name, value] of Object.entries(raw)) {
    if (RESERVED_MEMBERS.has(name)) continue;
    checkAttributeName(name);
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0) throw bad(`${name} must hold at least one instance`);
    out[name] = list.map((item, i) => {
      if (!isObject(item)) throw bad(`${name}[${i}] must be an attribute instance object`);
      return parseAttribute(withoutSystemMembers(item), `${name}[${i}]`);
    });
  }
  return out;
}

/** Reads a POST /temporal/entities body into canonical names; 400 naming what is wrong. */
export function readTemporalEntity(raw: unknown, ctx: LdContext): TemporalEntityBody {
  if (!isObject(raw)) throw bad('a temporal entity must be a JSON object');
  const e = expandEntity(raw, ctx);
  if (typeof e.id !== 'string' || !isUri(e.id))
    throw bad('entity "id" must be a URI, e.g. urn:ngsi-ld:Type:local-id');
  const type = e.type;
  const typeOk =
    (typeof type === 'string' && type.length > 0) ||
    (Array.isArray(type) &&
      type.length > 0 &&
      type.every((t) => typeof t === 'string' && t.length > 0));
  if (!typeOk) throw bad('entity "type" must be a non-empty string');
  return { id: e.id, type: type as string | string[], attrs: readInstances(e) };
}

/** Reads a POST /temporal/entities/{id}/attrs body (attributes, each a list of instances). */
export function readTemporalAttributes(raw: unknown, ctx: LdContext): InstanceMap {
  if (!isObject(raw)) throw bad('the body must be a JSON object of attributes');
  const attrs = readInstances(expandEntity(raw, ctx));
  if (Object.keys(attrs).length === 0) throw bad('the body names no attribute');
  return attrs;
}

/** The instances as the history stores them. */
export function toHistory(entityId: string, attrs: InstanceMap, now: number): AttributeInstance[] {
  return Object.entries(attrs).flatMap(([attr, list]) =>
    list.map((attribute) => {
      const instance: AttributeInstance = {
        entityId,
        attr,
        instanceId: '',
        attribute,
        createdAt: now,
        modifiedAt: now,
      };
      if (attribute.datasetId !== undefined) instance.datasetId = attribute.datasetId;
      return instance;
    }),
  );
}

/** Time order of instances: observedAt, and an instance without it counts as now. */
const timeOf = (a: Attribute, now: number): number =>
  a.observedAt === undefined ? now : Date.parse(a.observedAt);

/**
 * The instances that become the entity's current state: the latest of each attribute and
 * datasetId, unless the entity already holds a later one (late data stays history only).
 */
export function latestInstances(
  attrs: InstanceMap,
  current: Entity | undefined,
  now: number,
): AttributeMap {
  const out: AttributeMap = {};
  for (const [name, list] of Object.entries(attrs)) {
    const latest = new Map<string, Attribute>();
    for (const a of list) {
      const key = a.datasetId ?? '';
      const seen = latest.get(key);
      if (!seen || timeOf(a, now) >= timeOf(seen, now)) latest.set(key, a);
    }
    const existing = current ? instancesOf(current[name]) : [];
    const chosen = [...latest.values()].filter((a) => {
      const held = existing.find((e) => sameDataset(e, a.datasetId));
      return held?.observedAt === undefined || timeOf(a, now) >= Date.parse(held.observedAt);
    });
    if (chosen.length > 0) out[name] = chosen.length === 1 ? chosen[0]! : chosen;
  }
  return out;
}
