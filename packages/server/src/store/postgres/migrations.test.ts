import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceAvailable, SERVICES } from '../../../tests/helpers/services.js';
import { ensurePostgis, migrate, type Migration } from './migrations.js';
import { dropSchemas, randomSchema } from './test-schema.js';

const pgUp = await serviceAvailable('postgres');
const url = SERVICES.postgres;

const clients: pg.Client[] = [];
const schemas: string[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end()));
  await dropSchemas(url, ...schemas.splice(0));
});

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return client;
}

const steps: Migration[] = [
  { id: 't-001', sql: 'CREATE TABLE counter (n int NOT NULL); INSERT INTO counter VALUES (0);' },
  // Not idempotent: applied twice, it would count 2.
  { id: 't-002', sql: 'UPDATE counter SET n = n + 1;' },
];

describe.skipIf(!pgUp)('migrate', () => {
  it('applies each step exactly once when several nodes start together', async () => {
    const schema = randomSchema();
    schemas.push(schema);
    const nodes = await Promise.all([connect(), connect(), connect()]);
    const postgis = await ensurePostgis(nodes[0]);
    const applied = await Promise.all(
      nodes.map((client) => migrate({ client, schema, postgisSchema: postgis, migrations: steps })),
    );
    expect(applied.flat().sort()).toEqual(['t-001', 't-002']);
    const check = nodes[0];
    expect((await check.query(`SELECT n FROM ${schema}.counter`)).rows).toEqual([{ n: 1 }]);
    // A later release appends a step: only that one runs.
    const more = [...steps, { id: 't-003', sql: 'UPDATE counter SET n = n + 10;' }];
    expect(
      await migrate({ client: check, schema, postgisSchema: postgis, migrations: more }),
    ).toEqual(['t-003']);
    expect((await check.query(`SELECT n FROM ${schema}.counter`)).rows).toEqual([{ n: 11 }]);
    expect(
      (await check.query(`SELECT count(*)::int AS c FROM ${schema}.schema_migrations`)).rows,
    ).toEqual([{ c: 3 }]);
  });

  it('refuses a schema migrated by a newer release, and rolls a failed step back', async () => {
    const schema = randomSchema();
    schemas.push(schema);
    const client = await connect();
    const postgis = await ensurePostgis(client);
    await migrate({ client, schema, postgisSchema: postgis, migrations: steps });
    await expect(
      migrate({ client, schema, postgisSchema: postgis, migrations: steps.slice(0, 1) }),
    ).rejects.toThrow(/t-002.*upgrade citybrain/);
    const broken = [...steps, { id: 't-003', sql: 'UPDATE counter SET n = n + 1; SELECT 1/0;' }];
    await expect(
      migrate({ client, schema, postgisSchema: postgis, migrations: broken }),
    ).rejects.toThrow(/t-003/);
    expect((await client.query(`SELECT n FROM ${schema}.counter`)).rows).toEqual([{ n: 1 }]);
  });
});
