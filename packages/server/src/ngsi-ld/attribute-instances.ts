import {
  NGSI_LD_NULL,
  RESERVED_MEMBERS,
  SUB_ATTRIBUTE_RESERVED,
  type Attribute,
  type AttributeValue,
  type Entity,
} from '../core/index.js';

/** The instances an attribute member holds, as a new list (empty when absent). */
export function instancesOf(value: unknown): Attribute[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? [...(value as Attribute[])] : [value as Attribute];
}

/** Instances back to an attribute member: undefined when none is left, one object, or a list. */
export function memberOf(instances: readonly Attribute[]): AttributeValue | undefined {
  if (instances.length === 0) return undefined;
  return instances.length === 1 ? instances[0] : [...instances];
}

/** True when two instances are the same instance of a multi-attribute (same datasetId or both default). */
export function sameDataset(a: { datasetId?: string | undefined }, datasetId?: string): boolean {
  return (a.datasetId ?? undefined) === (datasetId ?? undefined);
}

/** Sets (or, with `undefined`, removes) an entity member without leaving an undefined key. */
export function setMember(entity: Entity, name: string, value: unknown): void {
  if (value === undefined) delete entity[name];
  else entity[name] = value;
}

/** Removes client-sent system attributes from an attribute and its sub-attributes. */
function withoutSystemAttributes(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'createdAt' || k === 'modifiedAt') continue;
    out[k] =
      !SUB_ATTRIBUTE_RESERVED.has(k) && typeof v === 'object' && v !== null && !Array.isArray(v)
        ? withoutSystemAttributes(v as Record<string, unknown>)
        : v;
  }
  return out;
}

/**
 * An instance as stored: client-sent system attributes dropped, `createdAt` kept from the
 * instance it replaces (or now), `modifiedAt` now.
 */
export function stamp(attr: Attribute, now: string, previous?: Attribute): Attribute {
  const clean = withoutSystemAttributes(attr) as Attribute;
  clean.createdAt = previous?.createdAt ?? now;
  clean.modifiedAt = now;
  return clean;
}

/** Stamps every instance of an attribute member as newly created. */
export function stampMember(value: AttributeValue, now: string): AttributeValue {
  return Array.isArray(value) ? value.map((a) => stamp(a, now)) : stamp(value, now);
}

/** The attribute members of an entity (without id, type, scope, system attributes). */
export function attributesOf(entity: Entity): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(entity))
    if (!RESERVED_MEMBERS.has(name)) out[name] = value as AttributeValue;
  return out;
}

/** A fresh entity as stored: system attributes set on it and on every attribute instance. */
export function stampNewEntity(entity: Entity, now: string): Entity {
  const out: Entity = { ...entity, createdAt: now, modifiedAt: now };
  for (const [name, value] of Object.entries(entity))
    if (!RESERVED_MEMBERS.has(name)) out[name] = stampMember(value as AttributeValue, now);
  return out;
}

const VALUE_MEMBERS = ['value', 'object', 'vocab', 'json', 'valueList', 'objectList'] as const;

/** True when the member is the NGSI-LD Null (clause 4.6.5): a deletion in a merge or update. */
export function isNullValue(v: unknown): boolean {
  if (v === NGSI_LD_NULL || v === null) return true;
  return Array.isArray(v) && v.length === 1 && v[0] === NGSI_LD_NULL;
}

/** True when an attribute instance carries the NGSI-LD Null as its value (it asks for deletion). */
export function isNullAttribute(attr: Attribute): boolean {
  const record = attr as Record<string, unknown>;
  if (attr.type === 'LanguageProperty') {
    const map = record.languageMap;
    return (
      isNullValue(map) ||
      (typeof map === 'object' &&
        map !== null &&
        Object.values(map).length > 0 &&
        Object.values(map).every((x) => x === NGSI_LD_NULL))
    );
  }
  return VALUE_MEMBERS.some((m) => m in record && isNullValue(record[m]));
}
