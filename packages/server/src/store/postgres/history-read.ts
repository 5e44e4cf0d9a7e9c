import type { ClientBase, Pool } from 'pg';
import type {
  AggregatedValue,
  AggregationMethod,
  AttributeInstance,
  TemporalQuery,
} from '../port.js';
import {
  comparesValues,
  methodColumns,
  methodValue,
  PICKED_SQL,
  VN_SQL,
  VT_SQL,
} from './history-aggregate-sql.js';
import { decodeInstance } from '../instance-columns.js';
import { TIME_SQL, type ReadRow } from './history-rows.js';
import type { HistoryTables } from './history-write.js';

/** Anything that runs a query: the pool, or a client inside a transaction. */
export type Queryable = Pool | ClientBase;

/** One series of the history: one attribute (one datasetId) of one entity. */
export interface SeriesRef {
  entityId: string;
  eid: string;
  aid: number;
  attr: string;
  did: number;
  dataset: string | null;
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The series of the entities (in the order given), ordered then by attribute name (as
 * JavaScript compares strings, like the SQLite adapter) and dataset number.
 */
export async function findSeries(
  db: Queryable,
  T: HistoryTables,
  entityIds: readonly string[],
  attrs?: readonly string[],
): Promise<SeriesRef[]> {
  if (entityIds.length === 0) return [];
  const { rows } = await db.query<SeriesRef & { ord: number }>(
    `SELECT q.ord::int AS ord, q.id AS "entityId", e.eid::text AS eid, s.aid, a.name AS attr,
       s.did, d.id AS dataset
     FROM unnest($1::text[]) WITH ORDINALITY AS q(id, ord)
     JOIN ${T.entities} e ON e.id = q.id
     JOIN ${T.series} s ON s.eid = e.eid
     JOIN ${T.attrs} a ON a.aid = s.aid
     LEFT JOIN ${T.datasets} d ON d.did = s.did
     WHERE $2::text[] IS NULL OR a.name = ANY($2::text[])`,
    [entityIds, attrs ?? null],
  );
  rows.sort((a, b) => a.ord - b.ord || byName(a.attr, b.attr) || a.did - b.did);
  return rows.map((r) => ({
    entityId: r.entityId,
    eid: r.eid,
    aid: r.aid,
    attr: r.attr,
    did: r.did,
    dataset: r.dataset,
  }));
}

/** Numbered parameters of a statement being built. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Parameters naming the series, and the SQL of their unnested rows `s(eid, aid, did, i)`. */
function seriesParam(p: Params, series: readonly SeriesRef[]): string {
  const eids = p.add(series.map((s) => s.eid));
  const aids = p.add(series.map((s) => s.aid));
  const dids = p.add(series.map((s) => s.did));
  return `unnest(${eids}::int8[], ${aids}::int4[], ${dids}::int4[]) WITH ORDINALITY AS s(eid, aid, did, i)`;
}

/** The time bounds of a query on its time property, over `h` (constants: partitions prune). */
function rangeSql(p: Params, query: TemporalQuery): string {
  const time = TIME_SQL[query.timeproperty];
  let sql = '';
  if (query.from !== undefined) sql += ` AND ${time} >= ${p.add(Math.ceil(query.from))}::int8`;
  if (query.to !== undefined) sql += ` AND ${time} < ${p.add(Math.ceil(query.to))}::int8`;
  return sql;
}

const keysMatch = 'h.eid = s.eid AND h.aid = s.aid AND h.did = s.did';
/**
 * Ends a LATERAL subquery that must stay one (OFFSET 0 keeps the planner from turning it into a
 * join): each series is then an index range scan of the partitions its time range leaves,
 * never a scan of whole partitions hashed against the series.
 */
const PER_SERIES = 'OFFSET 0';

/** The instances of a query, ordered by entity, attribute, dataset, then time. */
export async function readInstances(
  db: Queryable,
  T: HistoryTables,
  query: TemporalQuery,
): Promise<AttributeInstance[]> {
  const series = await findSeries(db, T, query.entityIds, query.attrs);
  if (series.length === 0) return [];
  const p = new Params();
  const time = TIME_SQL[query.timeproperty];
  const from = seriesParam(p, series);
  const range = rangeSql(p, query);
  // Ties (on createdAt / modifiedAt) in SQLite's order: the last N by time, the earliest
  // stored first among equals, then the whole reversed.
  const last = query.lastN ? `ORDER BY ${time} DESC, h.t LIMIT ${p.add(query.lastN)}` : PER_SERIES;
  const { rows } = await db.query<ReadRow & { i: number }>(
    `SELECT s.i::int AS i, h.t::float8 AS t, h.num, h.json::text AS json, h.unit, h.tkind,
       h.created::float8 AS created, h.modified::float8 AS modified
     FROM ${from} CROSS JOIN LATERAL (
       SELECT h.*, ${time} AS tt FROM ${T.history} h WHERE ${keysMatch} ${range} ${last}
     ) h
     ORDER BY s.i, h.tt, h.t ${query.lastN ? 'DESC' : ''}`,
    p.values,
  );
  return rows.map((row) => {
    const ref = series[row.i - 1]!;
    return decodeInstance({ ...ref, datasetId: ref.dataset ?? undefined }, row);
  });
}

/** What TemporalStore.aggregate answers. */
export type AggregatedSeries = {
  entityId: string;
  attr: string;
  datasetId?: string;
  values: AggregatedValue[];
};

/**
 * Aggregates per series and period, in two statements whatever the number of instances: the
 * bounds of each series within the range (index descents), then one grouped scan. Periods start
 * at `from`, else at the oldest instance of the whole answer, as in SQLite; every series that
 * has instances at all is answered, with no values when none are in range.
 */
export async function aggregateHistory(
  db: Queryable,
  T: HistoryTables,
  query: TemporalQuery,
  methods: readonly AggregationMethod[],
  periodMs?: number,
): Promise<AggregatedSeries[]> {
  const series = await findSeries(db, T, query.entityIds, query.attrs);
  if (series.length === 0) return [];
  const time = TIME_SQL[query.timeproperty];
  const b = new Params();
  const { rows: bounds } = await db.query<{
    lo: number | null;
    hi: number | null;
    present: boolean;
  }>(
    `SELECT b.lo, b.hi, CASE WHEN b.lo IS NOT NULL THEN true
       ELSE EXISTS (SELECT 1 FROM ${T.history} h WHERE ${keysMatch}) END AS present
     FROM ${seriesParam(b, series)} CROSS JOIN LATERAL (
       SELECT min(${time})::float8 AS lo, max(${time})::float8 AS hi
       FROM ${T.history} h WHERE ${keysMatch} ${rangeSql(b, query)}
     ) b ORDER BY s.i`,
    b.values,
  );
  const los = bounds.flatMap((r) => (r.lo === null ? [] : [r.lo]));
  if (los.length === 0) return [];
  const lo = Math.min(...los);
  const hi = Math.max(...bounds.flatMap((r) => (r.hi === null ? [] : [r.hi])));
  const origin = query.from ?? lo;
  const p = new Params();
  const from = seriesParam(p, series);
  const range = rangeSql(p, query);
  const bucket =
    periodMs === undefined
      ? '0'
      : `floor((tt - ${p.add(origin)}::float8) / ${p.add(periodMs)}::float8)`;
  const compare = comparesValues(methods);
  const { rows } = await db.query<Record<string, unknown> & { i: number; b: number }>(
    `SELECT i::int AS i, b::float8 AS b, ${methodColumns(methods)} FROM (
       SELECT i, num, ${bucket} AS b ${compare ? `, ${VN_SQL} AS vn, ${VT_SQL} AS vt` : ''}
       FROM (
         SELECT s.i, h.tt, h.num ${compare ? ', h.p' : ''}
         FROM ${from} CROSS JOIN LATERAL (
           SELECT ${time} AS tt, h.num ${compare ? `, ${PICKED_SQL} AS p` : ''}
           FROM ${T.history} h WHERE ${keysMatch} ${range} ${PER_SERIES}
         ) h
       ) x
     ) y GROUP BY i, b ORDER BY i, b`,
    p.values,
  );
  const values = series.map((): AggregatedValue[] => []);
  for (const row of rows) {
    const start = periodMs === undefined ? origin : origin + row.b * periodMs;
    const end = periodMs === undefined ? (query.to ?? hi) : start + periodMs;
    methods.forEach((method, i) =>
      values[row.i - 1]!.push({ method, value: methodValue(row, methods, i), start, end }),
    );
  }
  return series.flatMap((s, i) =>
    bounds[i]!.present
      ? [
          {
            entityId: s.entityId,
            attr: s.attr,
            ...(s.dataset !== null && { datasetId: s.dataset }),
            values: values[i]!,
          },
        ]
      : [],
  );
}
