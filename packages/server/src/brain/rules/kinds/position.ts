import { bbox, matchesGeoQuery, parseGeometry, type Geometry } from '../../../core/index.js';
import type { Evidence, Fact } from '../engine/evaluator.js';

/** A GeoJSON Point. */
export type Point = Extract<Geometry, { type: 'Point' }>;

const isPoint = (v: unknown): v is Point => {
  if (typeof v !== 'object' || v === null) return false;
  const { type, coordinates } = v as { type?: unknown; coordinates?: unknown };
  return (
    type === 'Point' &&
    Array.isArray(coordinates) &&
    coordinates.length >= 2 &&
    coordinates.every((n) => typeof n === 'number' && Number.isFinite(n))
  );
};

/**
 * The entity's position: the GeoProperty `attribute` of the fact, else of its static context;
 * undefined when it is not a Point (a fact's value that is no Point hides the context's).
 */
export function pointOf(fact: Fact, attribute: string): Point | undefined {
  const v = fact.attrs[attribute] ?? fact.context?.[attribute];
  return isPoint(v) ? v : undefined;
}

/** A position as evidence. */
export const positionEvidence = (fact: Fact, attribute: string, point: Point): Evidence => ({
  entityId: fact.entityId,
  attr: attribute,
  observedAt: fact.t,
  value: point,
});

/**
 * Whether a point is inside an area (Polygon or MultiPolygon): the NGSI-LD geo-query
 * `georel=within`, so a point on the boundary is outside. Throws BadRequestData for an area
 * that is no valid polygon.
 */
export function insideArea(area: unknown, attribute: string): (point: Point) => boolean {
  const geometry = parseGeometry(area, 'area');
  const [minLon, minLat, maxLon, maxLat] = bbox(geometry);
  const query = { georel: 'within' as const, geometry, geoproperty: attribute };
  return (point) => {
    const [lon, lat] = point.coordinates as [number, number];
    if (lon < minLon || lon > maxLon || lat < minLat || lat > maxLat) return false;
    return matchesGeoQuery(point, query);
  };
}
