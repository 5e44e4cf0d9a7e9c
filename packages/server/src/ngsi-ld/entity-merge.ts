import {
  NGSI_LD_NULL,
  SUB_ATTRIBUTE_RESERVED,
  entityTypes,
  type Attribute,
  type Entity,
} from '../core/index.js';
import {
  instancesOf,
  isNullAttribute,
  memberOf,
  sameDataset,
  setMember,
  stamp,
  stampNewEntity,
} from './attribute-instances.js';
import type { AttributeMap } from './entity-ops.js';

type Json = Record<string, unknown>;

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7396 JSON Merge Patch, where the NGSI-LD Null deletes like JSON null. */
export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Json = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === NGSI_LD_NULL) delete out[k];
    else out[k] = jsonMergePatch(out[k], v);
  }
  return out;
}

function isSubAttribute(name: string, v: unknown): v is Attribute {
  return !SUB_ATTRIBUTE_RESERVED.has(name) && isPlainObject(v) && typeof v.type === 'string';
}

/**
 * Merges an incoming instance into an existing one (clause 5.6.17): members of `incoming`
 * win, sub-attributes merge recursively and are deleted by the NGSI-LD Null, a Property's
 * JSON object value is merge-patched. A change of attribute type replaces the instance.
 */
export function mergeInstance(existing: Attribute, incoming: Attribute): Attribute {
  if (existing.type !== incoming.type) return incoming;
  const out: Json = { ...existing };
  for (const [k, v] of Object.entries(incoming)) {
    if (isSubAttribute(k, v)) {
      const before = out[k];
      if (isNullAttribute(v)) delete out[k];
      else out[k] = isSubAttribute(k, before) ? mergeInstance(before, v) : v;
    } else if (v === NGSI_LD_NULL && !SUB_ATTRIBUTE_RESERVED.has(k)) delete out[k];
    else if (k === 'value' && existing.type === 'Property' && isPlainObject(out.value))
      out.value = jsonMergePatch(out.value, v);
    else out[k] = v;
  }
  return out as Attribute;
}

/** What a merge may change besides attributes: more types, a new scope. */
export interface EntityFragment {
  types?: string[];
  scope?: string | string[] | null;
  attrs: AttributeMap;
}

/**
 * Merge entity (clause 5.6.17): attributes absent from the entity are added, present ones
 * merged, NGSI-LD Null ones deleted; entity types are added; createdAt stays.
 */
export function mergeEntity(current: Entity, fragment: EntityFragment, now: string): Entity {
  const entity: Entity = { ...current, modifiedAt: now };
  if (fragment.types) {
    const types = [...new Set([...entityTypes(current), ...fragment.types])];
    entity.type = types.length === 1 ? types[0]! : types;
  }
  if (fragment.scope === null) delete entity.scope;
  else if (fragment.scope !== undefined) entity.scope = fragment.scope;
  for (const [name, value] of Object.entries(fragment.attrs)) {
    const instances = instancesOf(entity[name]);
    for (const incoming of instancesOf(value)) {
      const at = instances.findIndex((i) => sameDataset(i, incoming.datasetId));
      const existing = instances[at];
      if (isNullAttribute(incoming)) {
        if (existing) instances.splice(at, 1);
      } else if (existing) instances[at] = stamp(mergeInstance(existing, incoming), now, existing);
      else instances.push(stamp(incoming, now));
    }
    setMember(entity, name, memberOf(instances));
  }
  return entity;
}

/** Replace entity (clause 5.6.18): all attributes replaced by `next`'s; createdAt stays. */
export function replaceEntity(current: Entity, next: Entity, now: string): Entity {
  return { ...stampNewEntity(next, now), createdAt: current.createdAt ?? now };
}
