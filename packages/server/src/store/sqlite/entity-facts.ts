import { attributeInstances, attributeNames, entityTypes, type Entity } from '../../core/index.js';

/** One GeoProperty instance: the attribute name and its geometry. */
export interface GeoInstance {
  attr: string;
  value: unknown;
}

/** What the indexes derive from an entity, computed in one pass and cached with it. */
export interface EntityFacts {
  /** Distinct types, sorted. */
  types: string[];
  /**
   * Types, then each instance's (attribute, attribute type), as one string: equal shapes
   * contribute equally to the discovery summary, so a value update costs one comparison.
   */
  shape: string;
  geo: GeoInstance[];
}

/** Separators of `shape`; attribute and type names never hold control characters. */
export const SHAPE_SEP = '\u0000';
export const SHAPE_END = '\u0001';

/** The facts of an entity. */
export function entityFacts(entity: Entity): EntityFacts {
  const types = [...new Set(entityTypes(entity))].sort();
  let shape = types.join(SHAPE_SEP) + SHAPE_END;
  const geo: GeoInstance[] = [];
  for (const name of attributeNames(entity))
    for (const inst of attributeInstances(entity, name)) {
      if (typeof inst !== 'object' || inst === null || typeof inst.type !== 'string') continue;
      shape += name + SHAPE_SEP + inst.type + SHAPE_SEP;
      if (inst.type === 'GeoProperty') geo.push({ attr: name, value: inst.value });
    }
  return { types, shape, geo };
}

/** Same geo instances by reference: ingest and merges keep untouched attributes' objects. */
export function sameGeo(a: readonly GeoInstance[], b: readonly GeoInstance[]): boolean {
  return (
    a.length === b.length && a.every((g, i) => g.attr === b[i]?.attr && g.value === b[i].value)
  );
}
