import { attributeInstances, type Entity } from '../core/index.js';

type Json = Record<string, unknown>;

/** The geometry a GeoJSON rendering shows: the first instance of `geometryProperty`, or null. */
function geometryOf(entity: Entity, geometryProperty: string): unknown {
  const geo = attributeInstances(entity, geometryProperty).find((a) => a.type === 'GeoProperty');
  return geo?.value ?? null;
}

/**
 * An entity as a GeoJSON Feature (clause 6.3.15): its id, the geometry of `geometryProperty`
 * (canonical name; `location` by default) and the rendered entity as properties.
 */
export function toFeature(entity: Entity, rendered: Json, geometryProperty: string): Json {
  const { id: _id, ...properties } = rendered;
  return {
    id: entity.id,
    type: 'Feature',
    geometry: geometryOf(entity, geometryProperty),
    properties,
  };
}

/** Entities as a GeoJSON FeatureCollection. */
export function toFeatureCollection(features: Json[]): Json {
  return { type: 'FeatureCollection', features };
}
