import type { Entity, GeoProperty, Position, Property, Relationship } from '../core/index.js';
import type { LonLat } from './geometry.js';

/** A place of the city: an NGSI-LD entity with English `name`, Chinese `alternateName` and a shape. */
export interface PlaceEntity extends Entity {
  name: Property;
  alternateName: Property;
  location: GeoProperty;
}

/** `urn:ngsi-ld:District:{slug}` with a Polygon location. */
export type DistrictEntity = PlaceEntity;

/** `urn:ngsi-ld:Community:{slug}`: a Polygon inside its district. */
export interface CommunityEntity extends PlaceEntity {
  refDistrict: Relationship;
  population: Property;
}

/** `urn:ngsi-ld:RoadSegment:{slug}`: a LineString across the city. */
export interface RoadEntity extends PlaceEntity {
  roadClass: Property;
}

/** A Property in normalized form. */
export const property = (value: unknown): Property => ({ type: 'Property', value });

/** A Relationship in normalized form. */
export const relationship = (object: string): Relationship => ({ type: 'Relationship', object });

/** A GeoProperty holding a Point. */
export const pointLocation = (p: LonLat): GeoProperty => ({
  type: 'GeoProperty',
  value: { type: 'Point', coordinates: p },
});

/** A GeoProperty holding a Polygon with one (closed) exterior ring. */
export const polygonLocation = (ring: LonLat[]): GeoProperty => ({
  type: 'GeoProperty',
  value: { type: 'Polygon', coordinates: [ring] },
});

/** A GeoProperty holding a LineString. */
export const lineLocation = (line: LonLat[]): GeoProperty => ({
  type: 'GeoProperty',
  value: { type: 'LineString', coordinates: line },
});

/** The exterior ring of a place's Polygon (empty for other shapes). */
export function ringOf(place: PlaceEntity): Position[] {
  const g = place.location.value;
  return g.type === 'Polygon' ? (g.coordinates[0] ?? []) : [];
}

/** The vertices of a place's LineString (empty for other shapes). */
export function lineOf(place: PlaceEntity): Position[] {
  const g = place.location.value;
  return g.type === 'LineString' ? g.coordinates : [];
}

/** The last segment of an entity id: `urn:ngsi-ld:District:xihu` → `xihu`. */
export function slugOf(id: string): string {
  return id.slice(id.lastIndexOf(':') + 1);
}
