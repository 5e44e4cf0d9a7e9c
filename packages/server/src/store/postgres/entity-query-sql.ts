import type { QExpression } from '../../core/index.js';
import type { EntityQuery } from '../port.js';
import { geoToSql } from './geo-sql.js';
import { toPgRegex } from './pg-regex.js';
import { qPrefilter, qToSql } from './q-sql.js';
import { scopeToSql } from './scope-sql.js';
import { SqlParams } from './sql-params.js';
import { typeToSql } from './type-sql.js';
import { visibleTypes } from '../visibility.js';

/** A statement and its parameters. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/** A q with its index-served prefilter, if it has one (see qPrefilter). */
function qWithPrefilter(q: QExpression, p: SqlParams): string {
  const prefilter = qPrefilter(q, 'e.doc', p);
  const exact = qToSql(q, 'e.doc', p);
  return prefilter ? `${prefilter} AND ${exact}` : exact;
}

/**
 * `(e.types && {unrestricted types} OR (e.types @> {type1} AND q1) …)`; the type test is left
 * out for the type the scan is driven by (every candidate has it). Undefined when that type
 * admits all.
 */
function withinSql(
  visible: ReadonlyMap<string, QExpression | undefined>,
  driven: string | undefined,
  p: SqlParams,
): string | undefined {
  if (visible.size === 0) return 'false';
  if (driven !== undefined && visible.has(driven) && !visible.get(driven)) return undefined;
  const all = [...visible].filter(([, q]) => !q).map(([name]) => name);
  const parts = all.length
    ? [typeToSql({ kind: 'or', terms: all.map((name) => ({ kind: 'type', name })) }, 'e.types', p)]
    : [];
  for (const [name, q] of visible) {
    if (!q) continue;
    if (name === driven) parts.push(`(${qWithPrefilter(q, p)})`);
    else
      parts.push(
        `(${typeToSql({ kind: 'type', name }, 'e.types', p)} AND ${qWithPrefilter(q, p)})`,
      );
  }
  return `(${parts.join(' OR ')})`;
}

/**
 * Plans a query as one statement: every filter (types, ids, idPattern, attrs, q, scopeQ, geo,
 * within) is SQL, so PostgreSQL chooses the index (primary key order, the types GIN, the
 * geometry GiST) and pages in id order. With `count`, the same statement counts all matches (one snapshot) and
 * returns at least one row, whose `doc` is NULL when the page is empty.
 */
export function entityQuerySql(query: EntityQuery): Statement {
  const p = new SqlParams();
  const conds: string[] = [];
  const visible = query.within && visibleTypes(query.within);
  // One type name (the usual query, or a restriction to one type): walk entity_types in id
  // order and stop at the page's end.
  const only = visible?.size === 1 ? [...visible.keys()][0] : undefined;
  const oneType = query.ids ? undefined : query.types?.kind === 'type' ? query.types.name : only;
  let from = 'entities e';
  let order = 'e.id';
  if (oneType !== undefined) {
    from = 'entity_types t JOIN entities e ON e.id = t.id';
    order = 't.id';
    conds.push(`t.type = ${p.add(oneType, 'text')}`);
  }
  if (query.ids) conds.push(`e.id = ANY(${p.add(query.ids, 'text[]')})`);
  if (query.types && !(query.types.kind === 'type' && query.types.name === oneType))
    conds.push(typeToSql(query.types, 'e.types', p));
  const within = visible && withinSql(visible, oneType, p);
  if (within) conds.push(within);
  if (query.idPattern !== undefined)
    conds.push(`cb_units(e.id) ~ ${p.add(toPgRegex(query.idPattern, ''), 'text')}`);
  if (query.attrs?.length) conds.push(`e.doc ?| ${p.add(query.attrs, 'text[]')}`);
  if (query.q) {
    const prefilter = qPrefilter(query.q, 'e.doc', p);
    if (prefilter) conds.push(prefilter);
    conds.push(qToSql(query.q, 'e.doc', p));
  }
  if (query.scopeQ) conds.push(scopeToSql(query.scopeQ, 'e.doc', p));
  if (query.geo) conds.push(geoToSql(query.geo, 'e.id', p));
  const where = conds.length ? conds.join('\n  AND ') : 'true';
  const page = `SELECT e.id, e.doc FROM ${from} WHERE ${where}
    ORDER BY ${order} LIMIT ${p.add(query.limit, 'bigint')} OFFSET ${p.add(query.offset, 'bigint')}`;
  if (!query.count) return { sql: page, params: p.values };
  return {
    sql: `SELECT c.total, pg.doc FROM (SELECT count(*) AS total FROM ${from} WHERE ${where}) c
      LEFT JOIN LATERAL (${page}) pg ON true ORDER BY pg.id`,
    params: p.values,
  };
}
