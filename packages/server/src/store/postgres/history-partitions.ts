import type { ClientBase, Pool } from 'pg';
import type { Logger } from 'pino';
import { quoteIdent } from './migrations.js';

/**
 * The history is partitioned by week (Monday 00:00 UTC), the chunk interval TimescaleDB also
 * defaults to. At 1,000 observations/s a week holds some 600 million instances (about 75 GB
 * with its index, ~125 bytes each): small enough to vacuum, freeze and drop as a unit, and
 * retention is exact to a week. A query without time bounds touches 53 partitions per year
 * kept, well inside PostgreSQL's lock table; days would make that 365, months would make
 * partitions of hundreds of GB and retention coarse.
 */
export const WEEK_MS = 7 * 86_400_000;
/** 1970-01-05T00:00Z, the first Monday of the epoch. */
const MONDAY = 4 * 86_400_000;

/** The start of the week (Monday 00:00 UTC) holding `t`, epoch ms. */
export function weekStart(t: number): number {
  return t - ((((t - MONDAY) % WEEK_MS) + WEEK_MS) % WEEK_MS);
}

/** The name of the partition of the week starting at `from`: history_wYYYYMMDD. */
export function partitionName(from: number): string {
  return `history_w${new Date(from).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** One range partition of the history. */
export interface HistoryPartition {
  name: string;
  /** Inclusive start and exclusive end, epoch ms. */
  from: number;
  to: number;
}

/** Options of the partition keeper. */
export interface HistoryPartitionsOptions {
  pool: Pool;
  schema: string;
  logger?: Logger;
  /** Weeks made ahead of the current one (default 4). */
  weeksAhead?: number;
  /** How far back (weeks) an instance's week still gets a partition of its own (default 104). */
  weeksBack?: number;
  /** How long DDL waits for a lock before giving up until the next attempt (default 2000 ms). */
  lockTimeoutMs?: number;
  /** The clock (tests move it). */
  now?: () => number;
}

const WEEK_NAME = /^history_w(\d{4})(\d\d)(\d\d)$/;

/**
 * Keeps the weekly partitions of one store's history: made ahead of need, on demand for the
 * weeks instances arrive in, and dropped for retention. DDL runs on a connection of its own,
 * never inside a caller's transaction, under an advisory lock (nodes do it one at a time) and
 * with a lock timeout: when it cannot get its locks, instances wait in the DEFAULT partition
 * and move to their week's partition on a later attempt. Nothing here is needed for
 * correctness: PostgreSQL routes every row; this only decides where rows live.
 */
export class HistoryPartitions {
  private known: Set<number> | undefined;
  private readonly pending = new Set<number>();
  private running: Promise<void> | undefined;
  private retryAt = 0;
  private readonly table: (name: string) => string;

  constructor(private readonly options: HistoryPartitionsOptions) {
    const schema = quoteIdent(options.schema);
    this.table = (name) => `${schema}.${quoteIdent(name)}`;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * The attached weekly partitions, read from the catalog through `client`. Their bounds come
   * from their names: pg_get_expr would lock each partition, and wait for one being made.
   */
  async read(client: ClientBase | Pool): Promise<HistoryPartition[]> {
    const { rows } = await client.query<{ name: string }>(
      `SELECT c.relname AS name
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace
       WHERE n.nspname = $1 AND p.relname = 'history'`,
      [this.options.schema],
    );
    const out: HistoryPartition[] = [];
    for (const { name } of rows) {
      const m = WEEK_NAME.exec(name);
      if (!m) continue;
      const from = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
      out.push({ name, from, to: from + WEEK_MS });
    }
    return out.sort((a, b) => a.from - b.from);
  }

  /** Learns the existing partitions (once), through any connection, even a caller's. */
  async load(client: ClientBase | Pool): Promise<void> {
    if (this.known) return;
    this.known = new Set((await this.read(client)).map((p) => weekStart(p.from)));
  }

  /** Whether `t` falls in a week this node knows has its partition (load first). */
  covers(t: number): boolean {
    return this.known?.has(weekStart(t)) ?? false;
  }

  /** Whether the weeks ahead are made (as far as this node knows). */
  readyAhead(): boolean {
    const ahead = weekStart(this.now()) + (this.options.weeksAhead ?? 4) * WEEK_MS;
    return this.known?.has(ahead) ?? false;
  }

  /** Weeks to create for these times: theirs within the window, and the weeks ahead. */
  private missing(times: Iterable<number>): number[] {
    const current = weekStart(this.now());
    const first = current - (this.options.weeksBack ?? 104) * WEEK_MS;
    const last = current + (this.options.weeksAhead ?? 4) * WEEK_MS;
    const want = new Set<number>();
    for (let w = current; w <= last; w += WEEK_MS) want.add(w);
    for (const t of times) {
      const w = weekStart(t);
      if (w >= first && w <= last) want.add(w);
    }
    return [...want].filter((w) => !this.known?.has(w)).sort((a, b) => a - b);
  }

  /**
   * Creates the partitions these times need (see missing) and waits for it. Never throws:
   * a failure is logged and retried later, the rows being safe in the default partition.
   * Call it holding no transaction (it uses a pool connection of its own).
   */
  async ensure(times: Iterable<number>): Promise<void> {
    try {
      if (!this.known) await this.load(this.options.pool);
    } catch (err) {
      this.options.logger?.warn({ err, schema: this.options.schema }, 'history partitions unknown');
      return;
    }
    for (const w of this.missing(times)) this.pending.add(w);
    // A week asked for while a run was ending is left pending: run again for it.
    while (this.pending.size > 0 && this.now() >= this.retryAt) {
      this.running ??= this.drain().finally(() => (this.running = undefined));
      await this.running;
    }
  }

  /** Like ensure, without waiting: for callers inside a transaction (the DDL may wait for it). */
  ensureSoon(times: Iterable<number>): void {
    void this.ensure(times);
  }

  /** Waits for partition work started in the background. */
  async settle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0) {
      const weeks = [...this.pending].sort((a, b) => a - b);
      this.pending.clear();
      try {
        await this.create(weeks);
      } catch (err) {
        this.retryAt = this.now() + 10_000;
        this.options.logger?.warn(
          { err, schema: this.options.schema, weeks: weeks.map(partitionName) },
          'could not create history partitions yet; their instances wait in the default partition',
        );
        return;
      }
    }
  }

  /** Runs `work` in a transaction of its own under the schema's partition lock. */
  private async locked<T>(work: (client: ClientBase) => Promise<T>): Promise<T> {
    const client = await this.options.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = ${this.options.lockTimeoutMs ?? 2000}`);
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `citybrain:history-partitions:${this.options.schema}`,
      ]);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private async create(weeks: number[]): Promise<void> {
    const made = await this.locked(async (client) => {
      // Another node may have made them since this one looked.
      const existing = new Set((await this.read(client)).map((p) => weekStart(p.from)));
      const todo = weeks.filter((w) => !existing.has(w));
      const parent = this.table('history');
      const fallback = this.table('history_default');
      // Locked first so that no row of the weeks can enter it between the move and the attach.
      if (todo.length > 0) await client.query(`LOCK TABLE ${fallback} IN ACCESS EXCLUSIVE MODE`);
      for (const from of todo) {
        const week = this.table(partitionName(from));
        const to = from + WEEK_MS;
        // Made apart and attached: ATTACH needs no exclusive lock on the parent, unlike
        // CREATE … PARTITION OF, so reads and appends carry on meanwhile.
        await client.query(`CREATE TABLE ${week} (LIKE ${parent} INCLUDING ALL)`);
        await client.query(
          `WITH moved AS (DELETE FROM ${fallback} WHERE t >= $1 AND t < $2 RETURNING *)
           INSERT INTO ${week} SELECT * FROM moved`,
          [from, to],
        );
        await client.query(
          `ALTER TABLE ${parent} ATTACH PARTITION ${week} FOR VALUES FROM (${from}) TO (${to})`,
        );
      }
      return [...existing, ...todo];
    });
    this.known = new Set(made);
    this.options.logger?.debug({ schema: this.options.schema, weeks }, 'history partitions ready');
  }

  /**
   * Retention: drops every partition entirely before `cutoff` (epoch ms) and deletes the
   * default partition's instances before it; the number of partitions dropped. Dropping a
   * partition takes PostgreSQL's exclusive lock on the history for a moment (a DEFAULT
   * partition rules out DETACH … CONCURRENTLY): run it now and then, not per request.
   */
  async dropBefore(cutoff: number): Promise<number> {
    const { dropped, stray } = await this.locked(async (client) => {
      const old = (await this.read(client)).filter((p) => p.to <= cutoff);
      for (const p of old) await client.query(`DROP TABLE ${this.table(p.name)}`);
      const { rowCount } = await client.query(
        `DELETE FROM ${this.table('history_default')} WHERE t < $1`,
        [cutoff],
      );
      return { dropped: old, stray: rowCount ?? 0 };
    });
    for (const p of dropped) this.known?.delete(weekStart(p.from));
    this.options.logger?.info(
      { schema: this.options.schema, dropped: dropped.map((p) => p.name), defaultRows: stray },
      'history retention',
    );
    return dropped.length;
  }
}
