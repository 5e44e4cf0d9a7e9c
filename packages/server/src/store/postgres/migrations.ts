import type { ClientBase } from 'pg';
import type { Logger } from 'pino';

/**
 * One versioned schema step. The list is append-only: a step, once released, is never edited
 * or reordered; a change is a new step. Each runs in its own transaction with `search_path` set
 * to the store's schema, then the schema holding PostGIS.
 */
export interface Migration {
  /** Unique and stable, e.g. `core-001-entities` or `history-001-instances`. */
  id: string;
  sql: string;
}

/** Advisory lock keys are 64-bit; this namespace keeps ours apart from other applications'. */
const LOCK_NAMESPACE = 'citybrain:';

/** The advisory lock (as SQL taking the key text as $1) that serializes one schema's migrations. */
const LOCK = `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`;

/** SQLSTATEs of a lost race to create the same object: retry, the other creator won. */
const RACE_CODES = new Set(['23505', '42P06', '42P07', '42710']);

/** Whether a pg error is a lost creation race (unique violation, duplicate schema/table/object). */
function lostRace(err: unknown): boolean {
  return RACE_CODES.has((err as { code?: string }).code ?? '');
}

/**
 * Installs PostGIS in the database once (race-safe across nodes starting together) and returns
 * the schema that holds it, for the search path.
 */
export async function ensurePostgis(client: ClientBase): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    await client.query('BEGIN');
    try {
      await client.query(LOCK, [`${LOCK_NAMESPACE}extensions`]);
      const find = `SELECT n.nspname AS schema FROM pg_extension x
        JOIN pg_namespace n ON n.oid = x.extnamespace WHERE x.extname = 'postgis'`;
      let { rows } = await client.query<{ schema: string }>(find);
      // Only a missing extension needs the right to create one.
      if (rows.length === 0) {
        await client.query('CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public');
        ({ rows } = await client.query<{ schema: string }>(find));
      }
      await client.query('COMMIT');
      return rows[0]!.schema;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      // Another process not using our lock may have created it at the same moment.
      if (!lostRace(err) || attempt >= 3) throw err;
    }
  }
}

/** Double-quotes an identifier for SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Applies the steps of `migrations` not yet recorded in `<schema>.schema_migrations`, in list
 * order, each in its own transaction under an advisory lock on the schema, so that nodes
 * starting together apply each step exactly once. Creates the schema when needed. Refuses a
 * database that records steps this code does not know (a newer citybrain migrated it).
 * Returns the ids applied now.
 */
export async function migrate(options: {
  client: ClientBase;
  schema: string;
  /** The schema holding PostGIS (see ensurePostgis). */
  postgisSchema: string;
  migrations: readonly Migration[];
  logger?: Logger;
}): Promise<string[]> {
  const { client, schema, migrations, logger } = options;
  const ids = new Set(migrations.map((m) => m.id));
  if (ids.size !== migrations.length) throw new Error('two migrations share an id');
  const applied: string[] = [];
  const searchPath = `${quoteIdent(schema)}, ${quoteIdent(options.postgisSchema)}`;
  // One pass to learn what is missing; each missing step is checked again under the lock.
  const done = await appliedIds(client, schema);
  const unknown = [...done].filter((id) => !ids.has(id));
  if (unknown.length > 0)
    throw new Error(
      `the PostgreSQL schema ${schema} has migrations this citybrain does not know (${unknown.join(', ')}): upgrade citybrain`,
    );
  for (const step of migrations) {
    if (done.has(step.id)) continue;
    for (let attempt = 0; ; attempt++) {
      await client.query('BEGIN');
      try {
        await client.query(LOCK, [`${LOCK_NAMESPACE}migrate:${schema}`]);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
        await client.query(`SET LOCAL search_path = ${searchPath}`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
        );
        const { rowCount } = await client.query('SELECT 1 FROM schema_migrations WHERE id = $1', [
          step.id,
        ]);
        if (rowCount === 0) {
          await client.query(step.sql);
          await client.query('INSERT INTO schema_migrations (id) VALUES ($1)', [step.id]);
          applied.push(step.id);
        }
        await client.query('COMMIT');
        break;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        // Seen once with nodes starting together under load: a catalog insert (the schema)
        // lost a race despite the lock. The step is checked again under the lock on retry.
        if (lostRace(err) && attempt < 3) continue;
        throw new Error(
          `migration ${step.id} of schema ${schema} failed: ${(err as Error).message}`,
          { cause: err },
        );
      }
    }
  }
  if (applied.length > 0) logger?.info({ schema, applied }, 'applied PostgreSQL migrations');
  return applied;
}

/** The ids recorded in the schema's migration table (none when the schema or table is new). */
async function appliedIds(client: ClientBase, schema: string): Promise<Set<string>> {
  const { rows } = await client.query<{ exists: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AS exists`,
    [`${quoteIdent(schema)}.schema_migrations`],
  );
  if (!rows[0]?.exists) return new Set();
  const result = await client.query<{ id: string }>(
    `SELECT id FROM ${quoteIdent(schema)}.schema_migrations`,
  );
  return new Set(result.rows.map((r) => r.id));
}
