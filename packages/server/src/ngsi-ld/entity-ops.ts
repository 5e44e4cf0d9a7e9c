import {
  CityError,
  parseAttribute,
  type Attribute,
  type AttributeValue,
  type Entity,
} from '../core/index.js';
import {
  instancesOf,
  isNullAttribute,
  memberOf,
  sameDataset,
  setMember,
  stamp,
} from './attribute-instances.js';
import { mergeInstance } from './entity-merge.js';

/** One attribute a write left alone, and why (UpdateResult, clause 5.2.18). */
export interface NotUpdated {
  attributeName: string;
  reason: string;
}

/** The entity after an attribute write, with what was and was not written (canonical names). */
export interface AttributeWriteOutcome {
  entity: Entity;
  updated: string[];
  notUpdated: NotUpdated[];
}

/** Attributes to write, keyed by canonical name. */
export type AttributeMap = Record<string, AttributeValue>;

function describe(name: string, datasetId: string | undefined): string {
  return datasetId === undefined ? name : `${name} (datasetId ${datasetId})`;
}

/**
 * Writes attribute instances into a copy of `current`, instance by instance (an instance with
 * datasetId X touches only instance X). `mode` decides what happens to each: append
 * (clause 5.6.3, optionally without overwriting) or update (clause 5.6.2, existing only; the
 * NGSI-LD Null deletes).
 */
export function writeAttributes(
  current: Entity,
  attrs: AttributeMap,
  options: { mode: 'append' | 'update'; noOverwrite?: boolean; now: string },
): AttributeWriteOutcome {
  const entity: Entity = { ...current };
  const updated = new Set<string>();
  const notUpdated: NotUpdated[] = [];
  for (const [name, value] of Object.entries(attrs)) {
    const instances = instancesOf(entity[name]);
    for (const incoming of instancesOf(value)) {
      const at = instances.findIndex((i) => sameDataset(i, incoming.datasetId));
      const existing = at >= 0 ? instances[at] : undefined;
      const deletes = isNullAttribute(incoming);
      if (existing && options.noOverwrite) {
        notUpdated.push({
          attributeName: name,
          reason: `${describe(name, incoming.datasetId)} exists and options=noOverwrite`,
        });
        continue;
      }
      if (!existing && (options.mode === 'update' || deletes)) {
        notUpdated.push({
          attributeName: name,
          reason: `the entity has no attribute ${describe(name, incoming.datasetId)}`,
        });
        continue;
      }
      if (deletes) instances.splice(at, 1);
      else if (existing) instances[at] = stamp(incoming, options.now, existing);
      else instances.push(stamp(incoming, options.now));
      updated.add(name);
    }
    setMember(entity, name, memberOf(instances));
  }
  if (updated.size > 0) entity.modifiedAt = options.now;
  return { entity, updated: [...updated], notUpdated };
}

function requireInstance(
  entity: Entity,
  name: string,
  datasetId: string | undefined,
): { instances: Attribute[]; at: number; existing: Attribute } {
  const instances = instancesOf(entity[name]);
  const at = instances.findIndex((i) => sameDataset(i, datasetId));
  const existing = instances[at];
  if (!existing)
    throw new CityError(
      'ResourceNotFound',
      `entity ${entity.id} has no attribute ${describe(name, datasetId)}`,
    );
  return { instances, at, existing };
}

/**
 * Partial attribute update (clause 5.6.4): the fragment's members are merged into the existing
 * instance chosen by the fragment's datasetId; a NGSI-LD Null value deletes that instance.
 */
export function patchAttribute(
  current: Entity,
  name: string,
  fragment: Record<string, unknown>,
  now: string,
): Entity {
  const datasetId = typeof fragment.datasetId === 'string' ? fragment.datasetId : undefined;
  const { instances, at, existing } = requireInstance(current, name, datasetId);
  const entity: Entity = { ...current, modifiedAt: now };
  const probe = { type: existing.type, ...fragment } as Attribute;
  if (isNullAttribute(probe)) instances.splice(at, 1);
  else {
    const merged = mergeInstance(existing, { type: existing.type, ...fragment } as Attribute);
    instances[at] = stamp(parseAttribute(merged, name), now, existing);
  }
  setMember(entity, name, memberOf(instances));
  return entity;
}

/** Replace attribute (clause 5.6.19): the instance with the same datasetId is replaced whole. */
export function replaceAttribute(
  current: Entity,
  name: string,
  attr: Attribute,
  now: string,
): Entity {
  const { instances, at, existing } = requireInstance(current, name, attr.datasetId);
  instances[at] = stamp(attr, now, existing);
  const entity: Entity = { ...current, modifiedAt: now };
  setMember(entity, name, memberOf(instances));
  return entity;
}

/**
 * Delete attribute (clause 5.6.5): the default instance, the instance of `datasetId`, or all
 * instances with `deleteAll`; ResourceNotFound when there is nothing to delete.
 */
export function deleteAttribute(
  current: Entity,
  name: string,
  options: { datasetId?: string; deleteAll?: boolean; now: string },
): Entity {
  const entity: Entity = { ...current, modifiedAt: options.now };
  if (options.deleteAll) {
    if (instancesOf(current[name]).length === 0)
      throw new CityError('ResourceNotFound', `entity ${current.id} has no attribute ${name}`);
    delete entity[name];
    return entity;
  }
  const { instances, at } = requireInstance(current, name, options.datasetId);
  instances.splice(at, 1);
  setMember(entity, name, memberOf(instances));
  return entity;
}
