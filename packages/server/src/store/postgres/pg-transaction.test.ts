import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceAvailable, SERVICES } from '../../../tests/helpers/services.js';
import { quoteIdent } from './migrations.js';
import { inTransaction } from './pg-transaction.js';
import { dropSchemas, randomSchema } from './test-schema.js';

const pgUp = await serviceAvailable('postgres');

describe.skipIf(!pgUp)('inTransaction', () => {
  const schema = randomSchema();
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: SERVICES.postgres, max: 4 });
    await pool.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    await pool.query(`CREATE TABLE ${quoteIdent(schema)}.t (k int PRIMARY KEY, n int NOT NULL)`);
    await pool.query(`INSERT INTO ${quoteIdent(schema)}.t VALUES (1, 0), (2, 0)`);
  });
  afterAll(async () => {
    await pool?.end();
    await dropSchemas(SERVICES.postgres, schema);
  });

  it('runs both sides of a real deadlock to completion, retrying the victim', async () => {
    const t = `${quoteIdent(schema)}.t`;
    let attempts = 0;
    let bothLocked: () => void;
    const ready = new Promise<void>((r) => (bothLocked = r));
    let locked = 0;
    // Each locks one row, waits until the other has locked its row, then wants the other's.
    const cross = (first: number, second: number) =>
      inTransaction(pool, async (client) => {
        attempts++;
        await client.query(`UPDATE ${t} SET n = n + 1 WHERE k = $1`, [first]);
        if (++locked === 2) bothLocked();
        await ready;
        await client.query(`UPDATE ${t} SET n = n + 1 WHERE k = $1`, [second]);
      });
    await Promise.all([cross(1, 2), cross(2, 1)]);
    expect(attempts).toBe(3); // PostgreSQL aborted one of them once
    expect((await pool.query(`SELECT k, n FROM ${t} ORDER BY k`)).rows).toEqual([
      { k: 1, n: 2 },
      { k: 2, n: 2 },
    ]);
  });

  it('rolls back and rethrows any other error', async () => {
    const t = `${quoteIdent(schema)}.t`;
    await expect(
      inTransaction(pool, async (client) => {
        await client.query(`UPDATE ${t} SET n = 100`);
        throw new Error('bug');
      }),
    ).rejects.toThrow('bug');
    expect((await pool.query(`SELECT max(n) AS n FROM ${t}`)).rows).toEqual([{ n: 2 }]);
  });
});
