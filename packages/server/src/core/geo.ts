import { CityError } from './errors.js';

/** A GeoJSON position: [longitude, latitude] (and optional altitude). */
export type Position = number[];

/** The GeoJSON geometries NGSI-LD GeoProperties carry. */
export type Geometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'MultiPoint'; coordinates: Position[] }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] };

/**
 * GeoJSON geometry type names: a value whose "type" is one of them means to be a geometry (an
 * NGSI-LD concise GeoProperty, an observed position). GeometryCollection is named but refused.
 */
export const GEOMETRY_TYPES: ReadonlySet<string> = new Set([
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
  'GeometryCollection',
]);

/** True when `value` claims to be a GeoJSON geometry (an object with a geometry "type"), valid or not. */
export function namesGeometry(value: unknown): value is { type: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    GEOMETRY_TYPES.has((value as { type: string }).type)
  );
}

/** True when `value` is a valid GeoJSON geometry; cheap for anything that does not claim to be one. */
export function isValidGeometry(value: unknown): value is Geometry {
  if (!namesGeometry(value)) return false;
  try {
    parseGeometry(value);
    return true;
  } catch {
    return false; // parseGeometry says why; callers that report it call it themselves
  }
}

const DEPTH: Record<Geometry['type'], number> = {
  Point: 0,
  MultiPoint: 1,
  LineString: 1,
  MultiLineString: 2,
  Polygon: 2,
  MultiPolygon: 3,
};

function checkPositions(value: unknown, depth: number, path: string): void {
  if (!Array.isArray(value)) throw new CityError('BadRequestData', `${path} must be an array`);
  if (depth === 0) {
    const [lon, lat] = value as unknown[];
    if (
      value.length < 2 ||
      value.length > 3 ||
      !value.every((n) => typeof n === 'number' && Number.isFinite(n))
    )
      throw new CityError('BadRequestData', `${path} must be a position [longitude, latitude]`);
    if (Math.abs(lon as number) > 180 || Math.abs(lat as number) > 90)
      throw new CityError('BadRequestData', `${path} is outside longitude ±180 / latitude ±90`);
    return;
  }
  if (value.length === 0) throw new CityError('BadRequestData', `${path} must not be empty`);
  value.forEach((v, i) => checkPositions(v, depth - 1, `${path}[${i}]`));
}

/** Validates a GeoJSON geometry, throwing BadRequestData that names what is wrong. */
export function parseGeometry(value: unknown, path = 'value'): Geometry {
  if (typeof value !== 'object' || value === null)
    throw new CityError('BadRequestData', `${path} must be a GeoJSON geometry object`);
  const { type, coordinates } = value as { type?: unknown; coordinates?: unknown };
  if (typeof type !== 'string' || !(type in DEPTH))
    throw new CityError(
      'BadRequestData',
      `${path}.type must be one of ${Object.keys(DEPTH).join(', ')}`,
    );
  checkPositions(coordinates, DEPTH[type as Geometry['type']], `${path}.coordinates`);
  checkShape(value as Geometry, path);
  return value as Geometry;
}

/** Refuses shapes no geo-query could ever match: one-point lines, short or open polygon rings. */
function checkShape(geometry: Geometry, path: string): void {
  const lines = (ls: Position[][], what: string, min: number, closed: boolean): void => {
    for (const l of ls) {
      if (l.length < min)
        throw new CityError('BadRequestData', `${path}: a ${what} needs at least ${min} positions`);
      const [first, last] = [l[0]!, l.at(-1)!];
      if (closed && (first[0] !== last[0] || first[1] !== last[1]))
        throw new CityError('BadRequestData', `${path}: a polygon ring must end where it starts`);
    }
  };
  switch (geometry.type) {
    case 'LineString':
      return lines([geometry.coordinates], 'LineString', 2, false);
    case 'MultiLineString':
      return lines(geometry.coordinates, 'LineString', 2, false);
    case 'Polygon':
      return lines(geometry.coordinates, 'polygon ring', 4, true);
    case 'MultiPolygon':
      return geometry.coordinates.forEach((p) => lines(p, 'polygon ring', 4, true));
    case 'Point':
    case 'MultiPoint':
      return;
  }
}

/** The bounding box [minLon, minLat, maxLon, maxLat] of a geometry. */
export function bbox(geometry: Geometry): [number, number, number, number] {
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (v: unknown): void => {
    if (Array.isArray(v) && typeof v[0] === 'number') {
      const [x, y] = v as number[];
      box[0] = Math.min(box[0], x!);
      box[1] = Math.min(box[1], y!);
      box[2] = Math.max(box[2], x!);
      box[3] = Math.max(box[3], y!);
    } else if (Array.isArray(v)) v.forEach(visit);
  };
  visit(geometry.coordinates);
  return box;
}
