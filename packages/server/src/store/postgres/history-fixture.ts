import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { HISTORY_MIGRATIONS } from './history-schema.js';
import { PgHistory, type PgHistoryOptions } from './history-table.js';
import { quoteIdent } from './migrations.js';

/** A history in a schema of its own, for tests; `drop` removes the schema and ends the pool. */
export interface HistoryFixture {
  pool: pg.Pool;
  schema: string;
  history: PgHistory;
  /** Another node: its own pool and PgHistory over the same schema. */
  node(options?: Partial<PgHistoryOptions>): PgHistory;
  drop(): Promise<void>;
}

/**
 * Creates a random schema in the database at `url`, applies the history's migrations in it the
 * way the migration runner does (one transaction each, search_path set to the schema), and opens
 * a PgHistory over it. Test support: random names keep parallel test files apart.
 */
export async function historyFixture(
  url: string,
  options: Partial<PgHistoryOptions> = {},
): Promise<HistoryFixture> {
  const schema = `test_history_${randomBytes(6).toString('hex')}`;
  const pools: pg.Pool[] = [];
  const histories: PgHistory[] = [];
  const open = (extra: Partial<PgHistoryOptions>) => {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    pools.push(pool);
    const history = new PgHistory({ pool, schema, ...options, ...extra });
    histories.push(history);
    return history;
  };
  const history = open({});
  const pool = pools[0]!;
  const client = await pool.connect();
  try {
    for (const step of HISTORY_MIGRATIONS) {
      await client.query('BEGIN');
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await client.query(`SET LOCAL search_path = ${quoteIdent(schema)}, public`);
      await client.query(step.sql);
      await client.query('COMMIT');
    }
  } finally {
    client.release();
  }
  return {
    pool,
    schema,
    history,
    node: open,
    async drop() {
      for (const h of histories) await h.settle();
      await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      for (const p of pools) await p.end();
    },
  };
}
