import type { ClientBase } from 'pg';
import { quoteIdent } from './migrations.js';
import { lastPerKey, sameContent, splitRepeats, type WriteRow } from './history-rows.js';

/**
 * How a re-sent key is applied: `instance` (temporal API, entity writes) updates the content
 * and keeps the first createdAt; `observation` (ingest) replaces the row whole, like SQLite's
 * INSERT OR REPLACE of SeriesTable.appendSync.
 */
export type WriteMode = 'instance' | 'observation';

/** The history's tables of one schema, quoted for SQL. */
export interface HistoryTables {
  history: string;
  entities: string;
  attrs: string;
  datasets: string;
  series: string;
}

/** The quoted table names of the history in `schema`. */
export function historyTables(schema: string): HistoryTables {
  const t = (name: string) => `${quoteIdent(schema)}.${name}`;
  return {
    history: t('history'),
    entities: t('history_entities'),
    attrs: t('history_attrs'),
    datasets: t('history_datasets'),
    series: t('history_series'),
  };
}

/** The rows as one array per column, the parameters of the multi-row statements. */
function columns(rows: readonly WriteRow[]): unknown[][] {
  return [
    rows.map((r) => r.entity),
    rows.map((r) => r.attr),
    rows.map((r) => r.dataset),
    rows.map((r) => r.t),
    rows.map((r) => r.num),
    rows.map((r) => r.json),
    rows.map((r) => r.unit),
    rows.map((r) => r.tkind),
    rows.map((r) => r.created),
    rows.map((r) => r.modified),
  ];
}

/** The statements of one schema's history writes. */
function statements(T: HistoryTables) {
  // Rows in, with their dictionary integers (the names exist: `names` ran before). The series
  // registry learns new series in the same statement.
  const keyed = (ordinality: boolean) => `
    WITH r AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::float8[],
        $6::text[], $7::text[], $8::int2[], $9::int8[], $10::int8[])
        ${ordinality ? 'WITH ORDINALITY' : ''}
        AS r(entity, attr, dataset, t, num, json, unit, tkind, created, modified${ordinality ? ', i' : ''})
    ), k AS (
      SELECT e.eid, a.aid, coalesce(d.did, 0) AS did, r.*
      FROM r JOIN ${T.entities} e ON e.id = r.entity JOIN ${T.attrs} a ON a.name = r.attr
      LEFT JOIN ${T.datasets} d ON d.id = r.dataset
    ), s AS (
      INSERT INTO ${T.series} (eid, aid, did)
      SELECT DISTINCT eid, aid, did FROM k ORDER BY 1, 2, 3 ON CONFLICT DO NOTHING
    )`;
  const insert = `INSERT INTO ${T.history} (eid, aid, did, t, num, json, unit, tkind, created, modified)
    SELECT eid, aid, did, t, num, json::json, unit, tkind, created, modified FROM k
    ORDER BY eid, aid, did, t`;
  const update = `ON CONFLICT (eid, aid, did, t) DO UPDATE SET num = excluded.num,
    json = excluded.json, unit = excluded.unit, tkind = excluded.tkind`;
  // Sorted inserts: nodes adding the same names wait for each other in one order. Datasets
  // go in order of first appearance instead: their numbers order an attribute's datasets in
  // reads, as in SQLite (where a dataset's number is the order it first came in).
  const dictionary = (table: string, column: string, n: number, order: string) => `
    INSERT INTO ${table} (${column}) SELECT x FROM unnest($${n}::text[]) WITH ORDINALITY AS u(x, n)
    WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE ${column} = x)
    ORDER BY ${order} ON CONFLICT (${column}) DO NOTHING`;
  return {
    names: `WITH e AS (${dictionary(T.entities, 'id', 1, 'x COLLATE "C"')}),
      a AS (${dictionary(T.attrs, 'name', 2, 'x COLLATE "C"')}),
      d AS (${dictionary(T.datasets, 'id', 3, 'n')}) SELECT 1`,
    upsert: {
      instance: `${keyed(false)} ${insert} ${update}, modified = excluded.modified`,
      observation: `${keyed(false)} ${insert} ${update}, created = excluded.created, modified = NULL`,
    },
    // Inserts where the key is free; answers the rows that found it taken.
    fresh: `${keyed(true)}, ins AS (${insert} ON CONFLICT DO NOTHING RETURNING eid, aid, did, t)
      SELECT k.i::int AS i FROM k WHERE NOT EXISTS (SELECT 1 FROM ins
        WHERE ins.eid = k.eid AND ins.aid = k.aid AND ins.did = k.did AND ins.t = k.t)`,
    held: `SELECT h.num, h.json::text AS json, h.unit FROM ${T.history} h
      WHERE h.eid = (SELECT eid FROM ${T.entities} WHERE id = $1)
        AND h.aid = (SELECT aid FROM ${T.attrs} WHERE name = $2)
        AND h.did = CASE WHEN $3::text IS NULL THEN 0
                         ELSE (SELECT did FROM ${T.datasets} WHERE id = $3) END
        AND h.t = $4`,
  };
}

type Statements = ReturnType<typeof statements>;
const cache = new WeakMap<HistoryTables, Statements>();

/**
 * Writes rows inside the caller's transaction, in a few multi-row statements whatever their
 * number: dictionary names, then the instances (and their series). An instance without
 * observedAt never overwrites another: it takes the next free millisecond, unless the same
 * content is already there (a resent instance), as in SQLite.
 */
export async function writeRows(
  client: ClientBase,
  T: HistoryTables,
  rows: readonly WriteRow[],
  mode: WriteMode,
): Promise<void> {
  if (rows.length === 0) return;
  let sql = cache.get(T);
  if (!sql) cache.set(T, (sql = statements(T)));
  const distinct = (pick: (r: WriteRow) => string | null) => [
    ...new Set(rows.map(pick).filter((x): x is string => x !== null)),
  ];
  await client.query(sql.names, [
    distinct((r) => r.entity),
    distinct((r) => r.attr),
    distinct((r) => r.dataset),
  ]);
  for (const part of inOrder(rows))
    if (part[0]!.tkind === 0)
      await writeTimed(client, sql, lastPerKey(part, mode === 'instance'), mode);
    else await writeUntimed(client, sql, part);
}

/** The series of a row: the history of one attribute (one datasetId) of one entity. */
const seriesOf = (r: WriteRow) => JSON.stringify([r.entity, r.attr, r.dataset]);

/**
 * The rows in parts to write one after the other. Timed and untimed rows of different series
 * never meet: two parts. Where an untimed row shares a series with a timed one, a timed row may
 * take (or replace) its millisecond: each run of one kind is a part, in the batch's order, so
 * that the batch leaves what applying it row by row leaves (SQLite's order).
 */
function inOrder(rows: readonly WriteRow[]): WriteRow[][] {
  const untimed = new Set(rows.filter((r) => r.tkind === 1).map(seriesOf));
  const meet = rows.some((r) => r.tkind === 0 && untimed.has(seriesOf(r)));
  if (!meet)
    return [rows.filter((r) => r.tkind === 0), rows.filter((r) => r.tkind === 1)].filter(
      (part) => part.length > 0,
    );
  const parts: WriteRow[][] = [];
  for (const row of rows) {
    const last = parts.at(-1);
    if (last && last[0]!.tkind === row.tkind) last.push(row);
    else parts.push([row]);
  }
  return parts;
}

async function writeTimed(
  client: ClientBase,
  sql: Statements,
  rows: readonly WriteRow[],
  mode: WriteMode,
): Promise<void> {
  const { rowCount } = await client.query(sql.upsert[mode], columns(rows));
  // Every row has its names: a shortfall would be a lost write, never let it pass.
  if (rowCount !== rows.length)
    throw new Error(`history: wrote ${rowCount} of ${rows.length} instances`);
}

async function writeUntimed(
  client: ClientBase,
  sql: Statements,
  rows: readonly WriteRow[],
): Promise<void> {
  const { first, later } = splitRepeats(rows);
  const { rows: taken } = await client.query<{ i: number }>(sql.fresh, columns(first));
  for (const row of [...taken.map(({ i }) => first[i - 1]!), ...later])
    await placeUntimed(client, sql, row);
}

/** Finds an untimed row its millisecond: the first free one, or one holding the same content. */
async function placeUntimed(client: ClientBase, sql: Statements, row: WriteRow): Promise<void> {
  for (let t = row.t; ;) {
    const at = { ...row, t };
    const { rows: held } = await client.query<Pick<WriteRow, 'num' | 'json' | 'unit'>>(sql.held, [
      row.entity,
      row.attr,
      row.dataset,
      t,
    ]);
    const h = held[0];
    if (h && sameContent(h, row)) {
      await client.query(sql.upsert.instance, columns([at]));
      return;
    }
    if (h) {
      t++;
      continue;
    }
    // Free a moment ago; another writer may have taken it since: then look again.
    const { rows: lost } = await client.query(sql.fresh, columns([at]));
    if (lost.length === 0) return;
  }
}
