import type { ClientBase, Pool, PoolClient } from 'pg';
import { CityError, simplify, type Attribute, type SeriesPoint } from '../../core/index.js';
import type {
  AggregationMethod,
  AttributeInstance,
  SeriesQuery,
  SeriesStore,
  TemporalQuery,
  TemporalStore,
} from '../port.js';
import { HistoryPartitions, type HistoryPartitionsOptions } from './history-partitions.js';
import { aggregateHistory, readInstances, type AggregatedSeries } from './history-read.js';
import { observedType } from '../apply-observation.js';
import { parseInstanceId } from '../instance-columns.js';
import { encodeInstance, type WriteRow } from './history-rows.js';
import { historyTables, writeRows, type HistoryTables, type WriteMode } from './history-write.js';

/** One observed value as ingest appends it (times in epoch ms; SQLite: SeriesTable.appendSync). */
export interface ObservationRow {
  entityId: string;
  attr: string;
  observedAt: number;
  value: unknown;
  unitCode?: string;
  /** When it was stored: the instance's createdAt. */
  now: number;
}

/** Options of the PostgreSQL history: the pool, the store's schema, partition keeping. */
export type PgHistoryOptions = HistoryPartitionsOptions;

/** SQLSTATEs worth a retry: serialization failure, deadlock, and a row routed to the default
 * partition while its week's partition was being attached (PostgreSQL checks it again). */
const RETRY = new Set(['40001', '40P01', '23514']);
const codeOf = (err: unknown) => (err as { code?: string }).code ?? '';

const ENTITY = (T: HistoryTables, n: number) => `(SELECT eid FROM ${T.entities} WHERE id = $${n})`;
const ATTR = (T: HistoryTables, n: number) => `(SELECT aid FROM ${T.attrs} WHERE name = $${n})`;

/**
 * The one history of attribute instances on PostgreSQL (temporal API and ingest alike), in a
 * table partitioned by week: see history-schema.ts. Writes are a few multi-row statements per
 * call; reads and aggregations are computed by PostgreSQL. Several nodes may share it.
 */
export class PgHistory implements TemporalStore, SeriesStore {
  /** The weekly partitions (made ahead, on demand, dropped by retention). */
  readonly partitions: HistoryPartitions;
  private readonly T: HistoryTables;
  private readonly pool: Pool;

  constructor(options: PgHistoryOptions) {
    this.pool = options.pool;
    this.T = historyTables(options.schema);
    this.partitions = new HistoryPartitions(options);
  }

  /**
   * Appends instances inside the caller's transaction (entity writes record their history); the
   * client must be in a transaction block (a savepoint may be used).
   */
  async appendWith(client: ClientBase, instances: readonly AttributeInstance[]): Promise<void> {
    await this.write(client, instances.map(encodeInstance), 'instance');
  }

  /** Appends ingest observations inside the caller's transaction (as appendWith), a geometry as a
   * GeoProperty; a resent one (same entity, attribute, observedAt) replaces its row whole,
   * createdAt included. */
  async appendObservationsWith(client: ClientBase, rows: readonly ObservationRow[]): Promise<void> {
    await this.write(
      client,
      rows.map((o): WriteRow => {
        const num = typeof o.value === 'number' ? o.value : null;
        return {
          entity: o.entityId,
          attr: o.attr,
          dataset: null,
          t: Math.floor(o.observedAt),
          num,
          json:
            num === null ? JSON.stringify({ type: observedType(o.value), value: o.value }) : null,
          unit: o.unitCode ?? null,
          tkind: 0,
          created: Math.floor(o.now),
          modified: null,
        };
      }),
      'observation',
    );
  }

  private async write(client: ClientBase, rows: WriteRow[], mode: WriteMode): Promise<void> {
    if (rows.length === 0) return;
    await this.partitions.load(client);
    if (!this.partitions.readyAhead()) this.partitions.ensureSoon([]);
    if (rows.every((r) => this.partitions.covers(r.t))) {
      await writeRows(client, this.T, rows, mode);
      return;
    }
    // Some rows go to the default partition: their week's partition is made meanwhile (never
    // waited for here: the caller's transaction may hold what the DDL needs), and a row routed
    // while it was being attached is refused by PostgreSQL: then write again.
    this.partitions.ensureSoon(rows.map((r) => r.t));
    for (let attempt = 1; ; attempt++) {
      await client.query('SAVEPOINT citybrain_history');
      try {
        await writeRows(client, this.T, rows, mode);
        await client.query('RELEASE SAVEPOINT citybrain_history');
        return;
      } catch (err) {
        await client
          .query('ROLLBACK TO SAVEPOINT citybrain_history; RELEASE SAVEPOINT citybrain_history')
          .catch(() => {
            throw err;
          });
        if (codeOf(err) !== '23514' || attempt >= 3) throw err;
      }
    }
  }

  /** Runs `work` in a transaction of its own, again after a serialization failure or deadlock. */
  private async transaction<R>(work: (client: PoolClient) => Promise<R>): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (!RETRY.has(codeOf(err)) || attempt >= 5) throw err;
      } finally {
        client.release();
      }
      // A moment at random, so that the transactions that met do not meet again.
      await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
    }
  }

  async append(instances: readonly AttributeInstance[]): Promise<void> {
    if (instances.length === 0) return;
    const rows = instances.map(encodeInstance);
    // No transaction held yet: the weeks' partitions can be made first.
    await this.partitions.ensure(rows.map((r) => r.t));
    await this.transaction((client) => this.write(client, rows, 'instance'));
  }

  async query(query: TemporalQuery): Promise<AttributeInstance[]> {
    return readInstances(this.pool, this.T, query);
  }

  async aggregate(
    query: TemporalQuery,
    methods: readonly AggregationMethod[],
    periodMs?: number,
  ): Promise<AggregatedSeries[]> {
    try {
      return await aggregateHistory(this.pool, this.T, query, methods, periodMs);
    } catch (err) {
      // PostgreSQL refuses a float overflow where SQLite answers Infinity.
      if (codeOf(err) !== '22003') throw err;
      throw new CityError(
        'OperationNotSupported',
        'these values overflow double precision in this aggregation: aggregate fewer instances or other methods',
        { cause: err },
      );
    }
  }

  async deleteEntity(entityId: string): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM ${this.T.history} WHERE eid = ${ENTITY(this.T, 1)}`,
      [entityId],
    );
    return rowCount ?? 0;
  }

  async deleteAttribute(
    entityId: string,
    attr: string,
    datasetId: string | undefined,
    allDatasets: boolean,
  ): Promise<number> {
    const T = this.T;
    const params: unknown[] = [entityId, attr];
    // An unknown datasetId matches no dataset number: nothing is deleted.
    const dataset = allDatasets
      ? ''
      : datasetId === undefined
        ? 'AND did = 0'
        : `AND did = (SELECT did FROM ${T.datasets} WHERE id = $${params.push(datasetId)})`;
    const { rowCount } = await this.pool.query(
      `DELETE FROM ${T.history} WHERE eid = ${ENTITY(T, 1)} AND aid = ${ATTR(T, 2)} ${dataset}`,
      params,
    );
    return rowCount ?? 0;
  }

  async updateInstance(
    entityId: string,
    attr: string,
    instanceId: string,
    attribute: Attribute,
  ): Promise<boolean> {
    const key = parseInstanceId(instanceId);
    if (!key) return false;
    const T = this.T;
    const next = encodeInstance({
      entityId,
      attr,
      instanceId,
      attribute,
      createdAt: 0,
      modifiedAt: 0,
    });
    if (next.tkind === 0) await this.partitions.ensure([next.t]);
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ eid: string; aid: number; created: number | null }>(
        `SELECT eid::text AS eid, aid, created::float8 AS created FROM ${T.history}
         WHERE eid = ${ENTITY(T, 1)} AND aid = ${ATTR(T, 2)} AND did = $3 AND t = $4 FOR UPDATE`,
        [entityId, attr, key.did, key.t],
      );
      const old = rows[0];
      if (!old) return false;
      // Without observedAt the instance keeps its place (its old time) and its createdAt.
      const t = next.tkind === 1 ? key.t : next.t;
      await client.query(
        `DELETE FROM ${T.history} WHERE eid = $1 AND aid = $2 AND did = $3 AND t = $4`,
        [old.eid, old.aid, key.did, key.t],
      );
      await client.query(
        `INSERT INTO ${T.history} (eid, aid, did, t, num, json, unit, tkind, created, modified)
         VALUES ($1, $2, $3, $4, $5, $6::json, $7, $8, $9, $10)
         ON CONFLICT (eid, aid, did, t) DO UPDATE SET num = excluded.num, json = excluded.json,
           unit = excluded.unit, tkind = excluded.tkind, created = excluded.created,
           modified = excluded.modified`,
        [
          old.eid,
          old.aid,
          key.did,
          t,
          next.num,
          next.json,
          next.unit,
          next.tkind,
          old.created,
          Date.now(),
        ],
      );
      return true;
    });
  }

  async deleteInstance(entityId: string, attr: string, instanceId: string): Promise<boolean> {
    const key = parseInstanceId(instanceId);
    if (!key) return false;
    const { rowCount } = await this.pool.query(
      `DELETE FROM ${this.T.history} WHERE eid = ${ENTITY(this.T, 1)} AND aid = ${ATTR(this.T, 2)}
         AND did = $3 AND t = $4`,
      [entityId, attr, key.did, key.t],
    );
    return (rowCount ?? 0) > 0;
  }

  async read(query: SeriesQuery): Promise<SeriesPoint[]> {
    const T = this.T;
    const params: unknown[] = [query.entityId, query.attrs ?? null];
    const bound = (op: string, v: number | undefined) =>
      v === undefined ? '' : `AND h.t ${op} $${params.push(Math.ceil(v))}::int8`;
    const range = `${bound('>=', query.from)} ${bound('<', query.to)}`;
    // OFFSET 0: one index range scan per series (see history-read.ts).
    const last = query.lastN ? `ORDER BY h.t DESC LIMIT $${params.push(query.lastN)}` : 'OFFSET 0';
    const { rows } = await this.pool.query<{
      attr: string;
      t: number;
      num: number | null;
      json: string | null;
    }>(
      `SELECT a.name AS attr, h.t::float8 AS t, h.num, h.json::text AS json
       FROM ${T.entities} e JOIN ${T.series} s ON s.eid = e.eid AND s.did = 0
       JOIN ${T.attrs} a ON a.aid = s.aid
       CROSS JOIN LATERAL (SELECT h.t, h.num, h.json FROM ${T.history} h
         WHERE h.eid = s.eid AND h.aid = s.aid AND h.did = 0 ${range} ${last}) h
       WHERE e.id = $1 AND ($2::text[] IS NULL OR a.name = ANY($2::text[]))`,
      params,
    );
    rows.sort((a, b) => (a.attr < b.attr ? -1 : a.attr > b.attr ? 1 : a.t - b.t));
    return rows.map((r) => ({
      attr: r.attr,
      observedAt: r.t,
      value: r.json === null ? r.num : simplify(JSON.parse(r.json) as Attribute),
    }));
  }

  async countFor(entityId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::float8 AS n FROM ${this.T.history} WHERE eid = ${ENTITY(this.T, 1)}`,
      [entityId],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Retention: drops the weekly partitions entirely before `epochMs` (and the default
   * partition's instances before it); the number of partitions dropped.
   */
  async dropBefore(epochMs: number): Promise<number> {
    return this.partitions.dropBefore(epochMs);
  }

  /** Waits for partition work started in the background (before ending the pool). */
  async settle(): Promise<void> {
    await this.partitions.settle();
  }
}
