import type { Position } from '../core/index.js';
import { type Random, uniform } from './random.js';

/** A point as [longitude, latitude]. */
export type LonLat = [number, number];

const METRES_PER_DEGREE_LAT = 110_940;

/** Converts an east/north offset in metres from `origin` to a longitude/latitude. */
export function offsetMetres(origin: LonLat, east: number, north: number): LonLat {
  const perDegreeLon = METRES_PER_DEGREE_LAT * Math.cos((origin[1] * Math.PI) / 180);
  return [origin[0] + east / perDegreeLon, origin[1] + north / METRES_PER_DEGREE_LAT];
}

/** Rounds a position to ~1 cm (7 decimals) so entities stay compact. */
export function roundPosition(p: LonLat): LonLat {
  return [Math.round(p[0] * 1e7) / 1e7, Math.round(p[1] * 1e7) / 1e7];
}

/** True when `p` lies inside the (closed or open) ring, by ray casting. */
export function pointInRing(p: readonly number[], ring: readonly Position[]): boolean {
  const [x, y] = p as [number, number];
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The bounding box [minLon, minLat, maxLon, maxLat] of a ring. */
export function ringBox(ring: readonly Position[]): [number, number, number, number] {
  const xs = ring.map((p) => p[0] ?? 0);
  const ys = ring.map((p) => p[1] ?? 0);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** The mean of a ring's distinct vertices: inside any convex ring. */
export function ringCentre(ring: readonly Position[]): LonLat {
  const open = ring.slice(0, -1);
  const sum = open.reduce<LonLat>((s, p) => [s[0] + (p[0] ?? 0), s[1] + (p[1] ?? 0)], [0, 0]);
  return [sum[0] / open.length, sum[1] / open.length];
}

/** A uniformly random point inside a ring (rejection sampling in its box). */
export function randomPointInRing(rng: Random, ring: readonly Position[]): LonLat {
  const [minX, minY, maxX, maxY] = ringBox(ring);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const p: LonLat = [uniform(rng, minX, maxX), uniform(rng, minY, maxY)];
    if (pointInRing(p, ring)) return roundPosition(p);
  }
  return roundPosition(ringCentre(ring));
}

/** The point at fraction `t` (0..1) of a line's vertex-to-vertex length. */
export function pointAlong(line: readonly Position[], t: number): LonLat {
  const seg = (a: Position, b: Position) =>
    Math.hypot((b[0] ?? 0) - (a[0] ?? 0), (b[1] ?? 0) - (a[1] ?? 0));
  const lengths = line.slice(1).map((p, i) => seg(line[i] as Position, p));
  let remaining = t * lengths.reduce((a, b) => a + b, 0);
  for (let i = 0; i < lengths.length; i++) {
    const len = lengths[i] ?? 0;
    const [a, b] = [line[i] as Position, line[i + 1] as Position];
    if (remaining <= len || i === lengths.length - 1) {
      const f = len === 0 ? 0 : Math.min(1, remaining / len);
      const x = (a[0] ?? 0) + f * ((b[0] ?? 0) - (a[0] ?? 0));
      const y = (a[1] ?? 0) + f * ((b[1] ?? 0) - (a[1] ?? 0));
      return roundPosition([x, y]);
    }
    remaining -= len;
  }
  return roundPosition([line[0]?.[0] ?? 0, line[0]?.[1] ?? 0]);
}

/** Squared planar distance in degrees: enough to rank nearby places. */
export function distanceSquared(a: readonly number[], b: readonly number[]): number {
  return ((a[0] ?? 0) - (b[0] ?? 0)) ** 2 + ((a[1] ?? 0) - (b[1] ?? 0)) ** 2;
}
