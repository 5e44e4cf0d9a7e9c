import { geoQueryBounds, type GeoQuery } from '../../core/index.js';
import type { SqlParams } from './sql-params.js';

/** A GeoJSON geometry (text) as a valid 2D PostGIS geometry in WGS 84 (see cb_geom). */
export const geomOf = (param: string): string => `cb_geom(${param})`;

/**
 * A geo-query (clause 4.10) as a SQL boolean for the entity `id`: some GeoProperty instance of
 * the attribute (one row each in entity_geo) satisfies it. Distances are metres on the sphere
 * (as core's haversine), the other relations PostGIS's (OGC) on the GiST-indexed geometry; `near`
 * first narrows by the bounding box core computes, so the index serves it too.
 */
export function geoToSql(geo: GeoQuery, id: string, p: SqlParams): string {
  const ref = geomOf(p.add(JSON.stringify(geo.geometry), 'text'));
  const conds = [`g.id = ${id}`, `g.attr = ${p.add(geo.geoproperty, 'text')}`];
  switch (geo.georel) {
    case 'near': {
      const box = geoQueryBounds(geo);
      if (box) {
        const [a, b, c, d] = box.map((n) => p.add(n, 'float8'));
        conds.push(`g.geom && ST_MakeEnvelope(${a}, ${b}, ${c}, ${d}, 4326)`);
      }
      if (geo.maxDistance !== undefined)
        conds.push(
          `ST_DWithin(g.geom::geography, ${ref}::geography, ${p.add(geo.maxDistance, 'float8')}, false)`,
        );
      if (geo.minDistance !== undefined)
        conds.push(
          `ST_Distance(g.geom::geography, ${ref}::geography, false) >= ${p.add(geo.minDistance, 'float8')}`,
        );
      break;
    }
    case 'within':
      conds.push(`ST_Within(g.geom, ${ref})`);
      break;
    case 'contains':
      conds.push(`ST_Contains(g.geom, ${ref})`);
      break;
    case 'intersects':
      conds.push(`ST_Intersects(g.geom, ${ref})`);
      break;
    case 'disjoint':
      conds.push(`ST_Disjoint(g.geom, ${ref})`);
      break;
    case 'equals':
      conds.push(`ST_Equals(g.geom, ${ref})`);
      break;
    case 'overlaps':
      conds.push(`ST_Overlaps(g.geom, ${ref})`);
      break;
  }
  return `EXISTS (SELECT 1 FROM entity_geo g WHERE ${conds.join(' AND ')})`;
}
