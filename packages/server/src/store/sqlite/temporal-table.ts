import type { Database, Statement } from 'better-sqlite3';
import type { Attribute } from '../../core/index.js';
import type {
  AggregatedValue,
  AggregationMethod,
  AttributeInstance,
  TemporalQuery,
  TemporalStore,
  TimeProperty,
} from '../port.js';
import {
  decodeInstance,
  encodeInstanceColumns,
  parseInstanceId,
  type StoredInstanceColumns,
} from '../instance-columns.js';
import type { SeriesLog } from './series-log.js';
import { SeriesDictionary } from './series-table.js';

/** One row of the `series` table (see temporal-schema.ts). */
interface Row extends StoredInstanceColumns {
  did: number;
}

/** One series: the history of one attribute (one datasetId) of one entity. */
interface SeriesKey {
  entityId: string;
  attr: string;
  eid: number;
  aid: number;
  did: number;
}

/** SQL of each time property; instances without observedAt are keyed by createdAt (`t`). */
const TIME_SQL: Record<TimeProperty, string> = {
  observedAt: 't',
  createdAt: 'coalesce(created, t)',
  modifiedAt: 'coalesce(modified, created, t)',
};

/** What a value is compared as (numbers first, then the JSON value or object). */
const VALUE_SQL = `coalesce(num, json_extract(json, '$.value'), json_extract(json, '$.object'), json)`;

const METHOD_SQL: Record<AggregationMethod, string> = {
  totalCount: 'count(*)',
  distinctCount: `count(DISTINCT ${VALUE_SQL})`,
  sum: 'sum(num)',
  avg: 'avg(num)',
  min: `min(${VALUE_SQL})`,
  max: `max(${VALUE_SQL})`,
  // The sample standard deviation, as PostgreSQL's stddev (null below two values).
  stddev:
    'CASE WHEN count(num) > 1 THEN sqrt(max(0, (sum(num * num) - sum(num) * sum(num) / count(num)) / (count(num) - 1))) END',
  sumsq: 'sum(num * num)',
};

/** The temporal history of attribute instances, in the ingest `series` table. */
export class TemporalTable implements TemporalStore {
  private readonly dict: SeriesDictionary;
  private readonly statements = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    /**
     * The ingest log (the SeriesTable's: one per database, it knows what is logged): a series'
     * partition is moved before it is read or written.
     */
    private readonly log: SeriesLog,
  ) {
    this.dict = new SeriesDictionary(db);
  }

  private sql<R = unknown>(text: string): Statement<unknown[], R> {
    let s = this.statements.get(text);
    if (!s) {
      s = this.db.prepare(text);
      this.statements.set(text, s);
    }
    return s as Statement<unknown[], R>;
  }

  /** Loose index scan: the distinct values of `column` after the equality prefix. */
  private distinct(column: 'aid' | 'did', prefix: string, args: number[]): number[] {
    const out: number[] = [];
    const next = this.sql<{ n: number }>(
      `SELECT ${column} AS n FROM series WHERE ${prefix} AND ${column} > ? ORDER BY ${column} LIMIT 1`,
    );
    for (let row = next.get(...args, -1); row; row = next.get(...args, row.n)) out.push(row.n);
    return out;
  }

  /** The series a query reads, ordered by entity (as given), attribute name, then dataset. */
  private seriesOf(query: TemporalQuery): SeriesKey[] {
    const keys: SeriesKey[] = [];
    const attrName = this.sql<{ name: string }>('SELECT name FROM series_attrs WHERE aid = ?');
    for (const entityId of query.entityIds) {
      const eid = this.dict.entity(entityId, false);
      if (eid === undefined) continue;
      this.log.drainEntity(eid);
      const attrs = query.attrs
        ? query.attrs.flatMap((attr) => {
            const aid = this.dict.attribute(attr, false);
            return aid === undefined ? [] : [{ aid, attr }];
          })
        : this.distinct('aid', 'eid = ?', [eid]).map((aid) => ({
            aid,
            attr: attrName.get(aid)?.name ?? '',
          }));
      attrs.sort((a, b) => (a.attr < b.attr ? -1 : a.attr > b.attr ? 1 : 0));
      for (const { aid, attr } of attrs)
        for (const did of this.distinct('did', 'eid = ? AND aid = ?', [eid, aid]))
          keys.push({ entityId, attr, eid, aid, did });
    }
    return keys;
  }

  private decode(key: SeriesKey, row: Row): AttributeInstance {
    return decodeInstance({ ...key, did: row.did, datasetId: this.dict.datasetId(row.did) }, row);
  }

  async append(instances: readonly AttributeInstance[]): Promise<void> {
    try {
      this.db.transaction(() => this.appendSync(instances))();
    } catch (err) {
      this.dict.reset();
      this.log.rolledBack();
      throw err;
    }
  }

  /** Forgets cached dictionary ids (after a rolled-back transaction may have created some). */
  resetCache(): void {
    this.dict.reset();
  }

  /** Appends instances inside the caller's transaction (entity writes record their history). */
  appendSync(instances: readonly AttributeInstance[]): void {
    if (instances.length === 0) return;
    const taken = this.sql<Pick<Row, 'num' | 'json' | 'unit'>>(
      'SELECT num, json, unit FROM series WHERE eid = ? AND aid = ? AND did = ? AND t = ?',
    );
    // Re-sending an instance with the same time replaces it but keeps its createdAt.
    const upsert = this.sql(
      `INSERT INTO series (eid, aid, did, t, num, json, unit, tkind, created, modified)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (eid, aid, did, t) DO UPDATE SET num = excluded.num, json = excluded.json,
         unit = excluded.unit, tkind = excluded.tkind, modified = excluded.modified`,
    );
    // The same insert, for a time that is usually free: one statement instead of two.
    const fresh = this.sql(
      `INSERT INTO series (eid, aid, did, t, num, json, unit, tkind, created, modified)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (eid, aid, did, t) DO NOTHING`,
    );
    for (const i of instances) {
      const eid = this.dict.entity(i.entityId, true);
      this.log.drainEntity(eid!);
      const aid = this.dict.attribute(i.attr, true);
      const did = this.dict.dataset(i.datasetId ?? i.attribute.datasetId, true);
      const row = encodeInstanceColumns(i.attribute, i.createdAt);
      // Instances without observedAt never overwrite another one: they take the next
      // free ms, unless the same content is already there (a resent instance).
      if (row.tkind === 1) {
        const { t, num, json, unit, created } = row;
        if (fresh.run(eid, aid, did, t, num, json, unit, 1, created, i.modifiedAt).changes === 1)
          continue;
        for (
          let held = taken.get(eid, aid, did, row.t);
          held;
          held = taken.get(eid, aid, did, row.t)
        ) {
          if (held.num === row.num && held.json === row.json && held.unit === row.unit) break;
          row.t++;
        }
      }
      upsert.run(
        eid,
        aid,
        did,
        row.t,
        row.num,
        row.json,
        row.unit,
        row.tkind,
        row.created,
        i.modifiedAt,
      );
    }
  }

  async query(query: TemporalQuery): Promise<AttributeInstance[]> {
    const time = TIME_SQL[query.timeproperty];
    const where = `eid = ? AND aid = ? AND did = ? AND ${time} >= ? AND ${time} < ?`;
    const all = this.sql<Row>(`SELECT * FROM series WHERE ${where} ORDER BY ${time}`);
    const last = this.sql<Row>(`SELECT * FROM series WHERE ${where} ORDER BY ${time} DESC LIMIT ?`);
    const from = query.from ?? Number.MIN_SAFE_INTEGER;
    const to = query.to ?? Number.MAX_SAFE_INTEGER;
    const out: AttributeInstance[] = [];
    for (const key of this.seriesOf(query)) {
      const args = [key.eid, key.aid, key.did, from, to];
      const rows = query.lastN ? last.all(...args, query.lastN).reverse() : all.all(...args);
      for (const row of rows) out.push(this.decode(key, row));
    }
    return out;
  }

  async aggregate(
    query: TemporalQuery,
    methods: readonly AggregationMethod[],
    periodMs?: number,
  ): Promise<{ entityId: string; attr: string; datasetId?: string; values: AggregatedValue[] }[]> {
    const time = TIME_SQL[query.timeproperty];
    const where = `eid = ? AND aid = ? AND did = ? AND ${time} >= ? AND ${time} < ?`;
    const from = query.from ?? Number.MIN_SAFE_INTEGER;
    const to = query.to ?? Number.MAX_SAFE_INTEGER;
    const series = this.seriesOf(query);
    // Periods start at timeAt, else at the oldest instance of the whole answer.
    const bounds = this.sql<{ lo: number | null; hi: number | null }>(
      `SELECT min(${time}) AS lo, max(${time}) AS hi FROM series WHERE ${where}`,
    );
    let lo = Infinity;
    let hi = -Infinity;
    for (const k of series) {
      const b = bounds.get(k.eid, k.aid, k.did, from, to);
      if (b?.lo != null && b.hi != null) {
        lo = Math.min(lo, b.lo);
        hi = Math.max(hi, b.hi);
      }
    }
    if (lo === Infinity) return [];
    const origin = query.from ?? lo;
    const period = periodMs ?? Number.MAX_SAFE_INTEGER;
    const columns = methods.map((m, i) => `${METHOD_SQL[m]} AS m${i}`).join(', ');
    const grouped = this.sql<Record<string, number | string | null>>(
      `SELECT CAST((${time} - ?) / ? AS INTEGER) AS b, ${columns} FROM series WHERE ${where}
       GROUP BY b ORDER BY b`,
    );
    return series.map((k) => {
      const values: AggregatedValue[] = [];
      for (const row of grouped.all(origin, period, k.eid, k.aid, k.did, from, to)) {
        const start = periodMs === undefined ? origin : origin + Number(row.b) * periodMs;
        const end = periodMs === undefined ? (query.to ?? hi) : start + periodMs;
        methods.forEach((method, i) =>
          values.push({ method, value: row[`m${i}`] ?? null, start, end }),
        );
      }
      const datasetId = this.dict.datasetId(k.did);
      return { entityId: k.entityId, attr: k.attr, ...(datasetId && { datasetId }), values };
    });
  }

  async deleteEntity(entityId: string): Promise<number> {
    const eid = this.dict.entity(entityId, false);
    if (eid === undefined) return 0;
    this.log.drainEntity(eid);
    return this.sql('DELETE FROM series WHERE eid = ?').run(eid).changes;
  }

  async deleteAttribute(
    entityId: string,
    attr: string,
    datasetId: string | undefined,
    allDatasets: boolean,
  ): Promise<number> {
    const eid = this.dict.entity(entityId, false);
    const aid = this.dict.attribute(attr, false);
    if (eid === undefined || aid === undefined) return 0;
    this.log.drainEntity(eid);
    if (allDatasets)
      return this.sql('DELETE FROM series WHERE eid = ? AND aid = ?').run(eid, aid).changes;
    const did = this.dict.dataset(datasetId, false);
    if (did === undefined) return 0;
    return this.sql('DELETE FROM series WHERE eid = ? AND aid = ? AND did = ?').run(eid, aid, did)
      .changes;
  }

  async updateInstance(
    entityId: string,
    attr: string,
    instanceId: string,
    attribute: Attribute,
  ): Promise<boolean> {
    const key = this.locate(entityId, attr, instanceId);
    if (!key) return false;
    this.log.drainEntity(key.eid);
    const select = this.sql<Row>(
      'SELECT * FROM series WHERE eid = ? AND aid = ? AND did = ? AND t = ?',
    );
    const remove = this.sql('DELETE FROM series WHERE eid = ? AND aid = ? AND did = ? AND t = ?');
    const insert = this.sql(
      `INSERT OR REPLACE INTO series (eid, aid, did, t, num, json, unit, tkind, created, modified)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    return this.db.transaction(() => {
      const old = select.get(key.eid, key.aid, key.did, key.t);
      if (!old) return false;
      // Without observedAt the instance keeps its place (its createdAt, or its old time).
      const row = encodeInstanceColumns(attribute, old.created ?? old.t);
      if (row.tkind === 1) row.t = old.t;
      remove.run(key.eid, key.aid, key.did, key.t);
      insert.run(
        key.eid,
        key.aid,
        key.did,
        row.t,
        row.num,
        row.json,
        row.unit,
        row.tkind,
        old.created,
        Date.now(),
      );
      return true;
    })();
  }

  async deleteInstance(entityId: string, attr: string, instanceId: string): Promise<boolean> {
    const key = this.locate(entityId, attr, instanceId);
    if (!key) return false;
    this.log.drainEntity(key.eid);
    return (
      this.sql('DELETE FROM series WHERE eid = ? AND aid = ? AND did = ? AND t = ?').run(
        key.eid,
        key.aid,
        key.did,
        key.t,
      ).changes > 0
    );
  }

  private locate(
    entityId: string,
    attr: string,
    instanceId: string,
  ): { eid: number; aid: number; did: number; t: number } | undefined {
    const parsed = parseInstanceId(instanceId);
    const eid = this.dict.entity(entityId, false);
    const aid = this.dict.attribute(attr, false);
    if (!parsed || eid === undefined || aid === undefined) return undefined;
    return { eid, aid, ...parsed };
  }
}
