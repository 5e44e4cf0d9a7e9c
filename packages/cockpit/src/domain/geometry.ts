/** A GeoJSON position: [lon, lat]. */
export type Position = [number, number];

/** The GeoJSON geometries NGSI-LD locations use. */
export type Geometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'MultiPoint'; coordinates: Position[] };

function isPosition(p: unknown): p is Position {
  return Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number';
}

function flatten(coords: unknown, out: Position[]): void {
  if (isPosition(coords)) out.push(coords);
  else if (Array.isArray(coords)) for (const c of coords) flatten(c, out);
}

/** Every position of a geometry, in order. */
export function positionsOf(geometry: unknown): Position[] {
  const out: Position[] = [];
  if (typeof geometry === 'object' && geometry !== null && 'coordinates' in geometry)
    flatten(geometry.coordinates, out);
  return out;
}

/** A point to pin a geometry on: the point itself, a line's middle vertex, or a polygon's centroid. */
export function anchorOf(geometry: unknown): Position | undefined {
  const g = geometry as { type?: string } | undefined;
  if (g?.type === 'Polygon' || g?.type === 'MultiPolygon') return polygonCentroid(geometry);
  const all = positionsOf(geometry);
  return all[Math.floor(all.length / 2)];
}

/** Area-weighted centroid of a polygon's outer ring (vertex mean when degenerate). */
export function polygonCentroid(geometry: unknown): Position | undefined {
  const g = geometry as { type?: string; coordinates?: unknown };
  const ring =
    g.type === 'MultiPolygon'
      ? (g.coordinates as Position[][][])[0]?.[0]
      : (g.coordinates as Position[][])[0];
  if (!ring || ring.length === 0) return undefined;
  let area = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const [x0, y0] = ring[i]!;
    const [x1, y1] = ring[i + 1]!;
    const f = x0 * y1 - x1 * y0;
    area += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  if (Math.abs(area) < 1e-12) {
    const n = ring.length;
    return [ring.reduce((s, p) => s + p[0], 0) / n, ring.reduce((s, p) => s + p[1], 0) / n];
  }
  return [cx / (3 * area), cy / (3 * area)];
}

/** Bounding box [w, s, e, n] of several geometries, or undefined when they hold no position. */
export function bboxOf(geometries: unknown[]): [number, number, number, number] | undefined {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const g of geometries)
    for (const [x, y] of positionsOf(g)) {
      w = Math.min(w, x);
      s = Math.min(s, y);
      e = Math.max(e, x);
      n = Math.max(n, y);
    }
  return Number.isFinite(w) ? [w, s, e, n] : undefined;
}
