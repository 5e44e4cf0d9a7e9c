import {
  attributeInstances,
  entityTypes,
  geoQueryBounds,
  matchesGeoQuery,
  matchesQ,
  matchesScope,
  type Entity,
  type GeoQuery,
  type QExpression,
  type TypeExpression,
} from '../../core/index.js';
import type { EntityQuery } from '../port.js';
import { GEO_SLOTS } from './entity-schema.js';
import { memberPath, qToSql, type SqlPart } from './q-sql.js';
import { visibleTypes } from '../visibility.js';

const DOC = 'e.doc';

/** The SQL of one query: rows (eid, id, sure) in id order; `sure` NULL means "ask `recheck`". */
export interface EntityQuerySql extends SqlPart {
  /** The exact verdict for a row whose `sure` is NULL. */
  recheck(entity: Entity): boolean;
}

/** An entity matches a geo-query when any instance of its geoproperty does. */
function matchesGeo(entity: Entity, geo: GeoQuery): boolean {
  return attributeInstances(entity, geo.geoproperty).some(
    (inst) =>
      typeof inst === 'object' &&
      inst !== null &&
      inst.type === 'GeoProperty' &&
      matchesGeoQuery(inst.value, geo),
  );
}

function typeSql(expr: TypeExpression): SqlPart {
  switch (expr.kind) {
    case 'type':
      return {
        sql: 'EXISTS (SELECT 1 FROM entity_types WHERE type = ? AND id = e.id)',
        params: [expr.name],
      };
    case 'and':
    case 'or': {
      const parts = expr.terms.map(typeSql);
      return {
        sql: `(${parts.map((p) => p.sql).join(expr.kind === 'and' ? ' AND ' : ' OR ')})`,
        params: parts.flatMap((p) => p.params),
      };
    }
  }
}

/** A type every match must have, to drive the scan from the (type, id) index. */
function drivingType(expr: TypeExpression | undefined): string | undefined {
  if (!expr) return undefined;
  if (expr.kind === 'type') return expr.name;
  if (expr.kind === 'and') return expr.terms.find((t) => t.kind === 'type')?.name;
  return undefined;
}

/** Whether a member is present: one `json_type IS NOT NULL` per name, ORed. */
function hasAny(names: readonly string[]): SqlPart {
  const paths = names.map((n) => memberPath(n)).filter((p): p is string => p !== undefined);
  if (paths.length === 0) return { sql: '0', params: [] };
  return {
    sql: `(${paths.map(() => `json_type(${DOC}, ?) IS NOT NULL`).join(' OR ')})`,
    params: paths,
  };
}

/** Whether some visible type of the entity admits it (the exact verdict of `withinSql`). */
function admits(entity: Entity, visible: ReadonlyMap<string, QExpression | undefined>): boolean {
  return entityTypes(entity).some((type) => {
    if (!visible.has(type)) return false;
    const q = visible.get(type);
    return !q || matchesQ(entity, q);
  });
}

/**
 * `((type1 AND q1) OR (type2 AND q2) …)`, three-valued as qToSql; the type test is left out for
 * the type the scan is driven by (every candidate has it). Undefined when that type admits all.
 */
function withinSql(
  visible: ReadonlyMap<string, QExpression | undefined>,
  driven: string | undefined,
): SqlPart | undefined {
  if (driven !== undefined && visible.has(driven) && !visible.get(driven)) return undefined;
  const parts = [...visible].map(([name, q]): SqlPart => {
    const type = typeSql({ kind: 'type', name });
    if (!q) return type;
    const match = qToSql(q, DOC);
    if (name === driven) return match;
    return { sql: `(${type.sql} AND ${match.sql})`, params: [...type.params, ...match.params] };
  });
  return {
    sql: `(${parts.map((p) => p.sql).join(' OR ')})`,
    params: parts.flatMap((p) => p.params),
  };
}

/**
 * Plans a query: the candidates come from the most selective index (ids, the R*Tree, the
 * (type, id) index, or the id index), in id order; what SQL decides exactly is filtered there,
 * the rest (`sure` NULL) by the core evaluators.
 */
export function entityQuerySql(query: EntityQuery): EntityQuerySql {
  const conds: SqlPart[] = [];
  const base: SqlPart[] = [];
  let from = 'entities e';
  let order = 'e.id';
  const bounds = query.geo ? geoQueryBounds(query.geo) : undefined;
  const visible = query.within && visibleTypes(query.within);
  // A restriction to one type drives the scan like a query for that type.
  const only = visible?.size === 1 ? [...visible.keys()][0] : undefined;
  const driver = drivingType(query.types) ?? only;
  let driven: string | undefined;
  if (visible?.size === 0) base.push({ sql: '0', params: [] }); // admits nothing: no scan
  if (query.ids) {
    base.push({
      sql: 'e.id IN (SELECT value FROM json_each(?))',
      params: [JSON.stringify(query.ids)],
    });
  } else if (bounds && query.geo) {
    const [minLon, minLat, maxLon, maxLat] = bounds;
    base.push({
      sql: `e.eid IN (SELECT id / ${GEO_SLOTS} FROM entity_geo WHERE max_lon >= ? AND min_lon <= ?
            AND max_lat >= ? AND min_lat <= ? AND attr = ?)`,
      params: [minLon, maxLon, minLat, maxLat, query.geo.geoproperty],
    });
    order = '+e.id'; // sort the few candidates rather than walk the id index
  } else if (driver !== undefined) {
    from = 'entity_types t JOIN entities e ON e.eid = t.eid';
    base.push({ sql: 't.type = ?', params: [driver] });
    order = 't.id';
    driven = driver;
  }
  if (query.types && !(query.types.kind === 'type' && query.types.name === driven))
    conds.push(typeSql(query.types));
  const within = visible?.size ? withinSql(visible, driven) : undefined;
  if (within) conds.push(within);
  if (query.idPattern !== undefined)
    conds.push({ sql: 'e.id REGEXP ?', params: [query.idPattern] });
  if (query.attrs?.length) conds.push(hasAny(query.attrs));
  if (query.q) conds.push(qToSql(query.q, DOC));
  // Entities without a scope, or without the geoproperty, never match scopeQ or geo.
  if (query.scopeQ)
    conds.push({ sql: `CASE WHEN json_type(${DOC}, '$.scope') IS NULL THEN 0 END`, params: [] });
  if (query.geo) {
    const path = memberPath(query.geo.geoproperty) ?? '$.location';
    conds.push({ sql: `CASE WHEN json_type(${DOC}, ?) IS NULL THEN 0 END`, params: [path] });
  }
  const sure: SqlPart = conds.length
    ? { sql: `(${conds.map((c) => c.sql).join(' AND ')})`, params: conds.flatMap((c) => c.params) }
    : { sql: '1', params: [] };
  const where = [...base.map((b) => b.sql), `${sure.sql} IS NOT 0`].join(' AND ');
  const { q, scopeQ, geo } = query;
  return {
    sql: `SELECT e.eid AS eid, e.id AS id, ${sure.sql} AS sure FROM ${from} WHERE ${where} ORDER BY ${order}`,
    params: [...sure.params, ...base.flatMap((b) => b.params), ...sure.params],
    recheck: (entity) =>
      (!q || matchesQ(entity, q)) &&
      (!scopeQ || matchesScope(entity, scopeQ)) &&
      (!geo || matchesGeo(entity, geo)) &&
      (!visible || admits(entity, visible)),
  };
}
