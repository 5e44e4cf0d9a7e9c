import {
  booleanContains,
  booleanDisjoint,
  booleanEqual,
  booleanIntersects,
  booleanOverlap,
  booleanWithin,
  distance,
  earthRadius,
  pointToLineDistance,
  pointToPolygonDistance,
} from '@turf/turf';
import { CityError } from './errors.js';
import { bbox, GEOMETRY_TYPES, parseGeometry, type Geometry, type Position } from './geo.js';

/** Geo relations of clause 4.10. */
export type GeoRelation =
  'near' | 'within' | 'contains' | 'intersects' | 'disjoint' | 'equals' | 'overlaps';

/** A parsed geo-query (georel, geometry, coordinates, geoproperty). */
export interface GeoQuery {
  georel: GeoRelation;
  /** For near: at most / at least this many metres from the geometry. */
  maxDistance?: number;
  minDistance?: number;
  geometry: Geometry;
  /** Canonical name of the GeoProperty to test; `location` by default. */
  geoproperty: string;
}

/** A geo-query as it arrives: URL parameters (coordinates a JSON string) or a `geoQ` body member. */
export interface GeoQueryInput {
  georel?: unknown;
  geometry?: unknown;
  coordinates?: unknown;
  geoproperty?: unknown;
}

const RELATIONS: readonly GeoRelation[] = [
  'near',
  'within',
  'contains',
  'intersects',
  'disjoint',
  'equals',
  'overlaps',
];
/** A query's geometry: any GeoJSON geometry but a collection. */
const GEOMETRIES = [...GEOMETRY_TYPES].filter((t) => t !== 'GeometryCollection');
const MAX_COORDINATES = 100_000;

const bad = (message: string): CityError => new CityError('BadRequestData', message);

function parseGeorel(raw: unknown): Pick<GeoQuery, 'georel' | 'maxDistance' | 'minDistance'> {
  if (typeof raw !== 'string') throw bad('georel must be a string such as near;maxDistance==2000');
  const [rel, ...modifiers] = raw.split(';');
  if (!RELATIONS.includes(rel as GeoRelation))
    throw bad(`georel must start with one of ${RELATIONS.join(', ')}, got ${JSON.stringify(rel)}`);
  const out: Pick<GeoQuery, 'georel' | 'maxDistance' | 'minDistance'> = {
    georel: rel as GeoRelation,
  };
  if (rel !== 'near') {
    if (modifiers.length > 0) throw bad(`georel ${rel} takes no distance`);
    return out;
  }
  if (modifiers.length === 0)
    throw bad(
      'georel near needs a distance: near;maxDistance==<metres> or near;minDistance==<metres>',
    );
  for (const modifier of modifiers) {
    const m = /^(maxDistance|minDistance)==(\d+(\.\d+)?([eE][+-]?\d+)?)$/.exec(modifier);
    if (!m || !Number.isFinite(Number(m[2])))
      throw bad(
        `invalid near modifier ${JSON.stringify(modifier)}: use maxDistance==<metres> or minDistance==<metres>`,
      );
    const key = m[1] as 'maxDistance' | 'minDistance';
    if (out[key] !== undefined) throw bad(`georel gives ${key} twice`);
    out[key] = Number(m[2]);
  }
  return out;
}

function parseCoordinates(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  if (raw.length > MAX_COORDINATES)
    throw bad(`coordinates is longer than ${MAX_COORDINATES} characters`);
  try {
    return JSON.parse(raw);
  } catch {
    throw bad('coordinates must be a JSON array, e.g. [8.68,49.41]');
  }
}

/** Refuses what GeoJSON forbids and parseGeometry does not check: short lines, open rings. */
/**
 * Parses a geo-query from URL parameters or a `geoQ` body member (clause 4.10); `rename` turns
 * the geoproperty term into its canonical name. Throws BadRequestData naming what is missing or wrong.
 */
export function parseGeoQuery(
  raw: GeoQueryInput,
  rename: (attr: string) => string = (a) => a,
): GeoQuery {
  if (typeof raw !== 'object' || raw === null) throw bad('geoQ must be an object');
  const missing = (['georel', 'geometry', 'coordinates'] as const).filter(
    (k) => raw[k] === undefined,
  );
  if (missing.length > 0)
    throw bad(`a geo-query needs georel, geometry and coordinates; missing ${missing.join(', ')}`);
  const rel = parseGeorel(raw.georel);
  const type = GEOMETRIES.find(
    (g) => typeof raw.geometry === 'string' && g.toLowerCase() === raw.geometry.toLowerCase(),
  );
  if (!type)
    throw bad(
      `geometry must be one of ${GEOMETRIES.join(', ')}, got ${JSON.stringify(raw.geometry)}`,
    );
  const geometry = parseGeometry(
    { type, coordinates: parseCoordinates(raw.coordinates) },
    'geometry',
  );
  let geoproperty = 'location';
  if (raw.geoproperty !== undefined) {
    if (typeof raw.geoproperty !== 'string' || !/^[^\s,;|()]+$/.test(raw.geoproperty))
      throw bad('geoproperty must be the name of a GeoProperty');
    geoproperty = rename(raw.geoproperty);
  }
  return { ...rel, geometry, geoproperty };
}

/** Like parseGeoQuery for URL parameters, but undefined when none of georel, geometry, coordinates is given. */
export function geoQueryFromParams(
  raw: GeoQueryInput,
  rename?: (attr: string) => string,
): GeoQuery | undefined {
  if (raw.georel === undefined && raw.geometry === undefined && raw.coordinates === undefined)
    return undefined;
  return parseGeoQuery(raw, rename);
}

type Part =
  | { type: 'Point'; coordinates: Position }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'Polygon'; coordinates: Position[][] };

function parts(g: Geometry): Part[] {
  switch (g.type) {
    case 'MultiPoint':
      return g.coordinates.map((coordinates) => ({ type: 'Point', coordinates }));
    case 'MultiLineString':
      return g.coordinates.map((coordinates) => ({ type: 'LineString', coordinates }));
    case 'MultiPolygon':
      return g.coordinates.map((coordinates) => ({ type: 'Polygon', coordinates }));
    case 'Point':
    case 'LineString':
    case 'Polygon':
      return [g];
  }
}

const vertices = (p: Part): Position[] =>
  p.type === 'Point'
    ? [p.coordinates]
    : p.type === 'LineString'
      ? p.coordinates
      : p.coordinates.flat();

/**
 * Metres from a point to a part. Edges are straight lines in longitude/latitude, as for the
 * boolean relations, so the nearest point of an edge lies in the geometry's bounding box.
 */
function pointDistance(pt: Position, p: Part): number {
  const point = { type: 'Point' as const, coordinates: pt };
  const opts = { units: 'meters' as const, method: 'planar' as const };
  if (p.type === 'Point') return distance(pt, p.coordinates, { units: 'meters' });
  if (p.type === 'LineString')
    return p.coordinates.length < 2
      ? distance(pt, p.coordinates[0]!, { units: 'meters' })
      : pointToLineDistance(point, p, opts);
  return Math.max(0, pointToPolygonDistance(point, p, opts));
}

/** The shortest distance in metres between two geometries (0 when they touch). */
function geometryDistance(a: Geometry, b: Geometry): number {
  if (booleanIntersects(a, b)) return 0;
  let best = Infinity;
  for (const pa of parts(a))
    for (const pb of parts(b)) {
      for (const v of vertices(pa)) best = Math.min(best, pointDistance(v, pb));
      if (pa.type !== 'Point')
        for (const v of vertices(pb)) best = Math.min(best, pointDistance(v, pa));
    }
  return best;
}

/** `a` within `b`; multi-geometries turf cannot take whole are split into their parts. */
function within(a: Geometry, b: Geometry): boolean {
  try {
    return booleanWithin(a, b);
  } catch {
    if (a.type === 'MultiLineString' || a.type === 'MultiPolygon')
      return parts(a).every((p) => within(p, b));
    if (b.type === 'MultiLineString' || b.type === 'MultiPolygon' || b.type === 'MultiPoint')
      return parts(b).some((p) => within(a, p));
    return false;
  }
}

/** True when an entity's geometry satisfies the geo-query (clause 4.10); malformed geometries never match. */
export function matchesGeoQuery(geometry: Geometry, query: GeoQuery): boolean {
  const ref = query.geometry;
  try {
    // Data stored before shapes were checked may be malformed: it never matches.
    if (geometry.type !== 'Point') parseGeometry(geometry);
    switch (query.georel) {
      case 'near': {
        const d = geometryDistance(geometry, ref);
        return (
          (query.maxDistance === undefined || d <= query.maxDistance) &&
          (query.minDistance === undefined || d >= query.minDistance)
        );
      }
      case 'within':
        return within(geometry, ref);
      case 'contains':
        return within(ref, geometry) || booleanContains(geometry, ref);
      case 'intersects':
        return booleanIntersects(geometry, ref);
      case 'disjoint':
        return booleanDisjoint(geometry, ref);
      case 'equals':
        return booleanEqual(geometry, ref);
      case 'overlaps':
        return booleanOverlap(geometry, ref);
    }
  } catch {
    return false;
  }
}

/**
 * A box [minLon, minLat, maxLon, maxLat] every matching geometry intersects, for a spatial-index
 * prefilter before matchesGeoQuery; undefined when no box applies (disjoint, minDistance only).
 */
export function geoQueryBounds(query: GeoQuery): [number, number, number, number] | undefined {
  const box = bbox(query.geometry);
  if (query.georel === 'disjoint') return undefined;
  if (query.georel !== 'near') return box;
  if (query.maxDistance === undefined) return undefined;
  // A little slack covers rounding in the distance functions.
  const delta = ((query.maxDistance * 1.001 + 1) / earthRadius) * (180 / Math.PI);
  const minLat = Math.max(-90, box[1] - delta);
  const maxLat = Math.min(90, box[3] + delta);
  const farthest = Math.max(Math.abs(box[1]), Math.abs(box[3])) * (Math.PI / 180);
  const ratio = Math.sin(delta * (Math.PI / 180)) / Math.cos(farthest);
  const dLon = ratio >= 1 ? 360 : Math.asin(ratio) * (180 / Math.PI);
  if (box[0] - dLon < -180 || box[2] + dLon > 180) return [-180, minLat, 180, maxLat];
  return [box[0] - dLon, minLat, box[2] + dLon, maxLat];
}
