import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { quoteIdent } from './migrations.js';

/** A fresh schema name for one test (parallel test files and engineers never collide). */
export function randomSchema(prefix = 'cbt'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Drops schemas (with everything in them) on the server at `url`. */
export async function dropSchemas(url: string, ...schemas: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(s)} CASCADE`);
  } finally {
    await client.end();
  }
}

/** A connection whose search path is a fresh schema holding the core SQL (for translator tests). */
export async function scratchClient(
  url: string,
): Promise<{ client: pg.Client; close: () => Promise<void> }> {
  const { CORE_MIGRATIONS } = await import('./core-schema.js');
  const { ensurePostgis, migrate } = await import('./migrations.js');
  const schema = randomSchema('cbq');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const postgis = await ensurePostgis(client);
  await migrate({ client, schema, postgisSchema: postgis, migrations: CORE_MIGRATIONS });
  await client.query(`SET search_path = ${quoteIdent(schema)}, ${quoteIdent(postgis)}`);
  return {
    client,
    close: async () => {
      await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      await client.end();
    },
  };
}
