import type { Geometry } from './geo.js';

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
