import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceAvailable, SERVICES } from '../../../tests/helpers/services.js';
import type { AttributeInstance } from '../port.js';
import { historyFixture, type HistoryFixture } from './history-fixture.js';
import { partitionName, WEEK_MS, weekStart } from './history-partitions.js';
import type { PgHistory } from './history-table.js';
import { quoteIdent } from './migrations.js';

const pg = await serviceAvailable('postgres');

const E = 'urn:ngsi-ld:Sensor:s1';
const THIS_WEEK = weekStart(Date.now());
const iso = (ms: number) => new Date(ms).toISOString();
const at = (t: number, value: number, entityId = E): AttributeInstance => ({
  entityId,
  attr: 'temperature',
  instanceId: '',
  attribute: { type: 'Property', value, observedAt: iso(t) },
  createdAt: Date.now(),
  modifiedAt: Date.now(),
});

let fixtures: HistoryFixture[] = [];
afterEach(async () => {
  for (const fx of fixtures) await fx.drop();
  fixtures = [];
});
async function open(): Promise<HistoryFixture> {
  const fx = await historyFixture(SERVICES.postgres);
  fixtures.push(fx);
  return fx;
}

/** Where each instance lives: time → partition name. */
async function placement(fx: HistoryFixture): Promise<Map<number, string>> {
  const { rows } = await fx.pool.query<{ t: number; part: string }>(
    `SELECT t::float8 AS t, tableoid::regclass::text AS part FROM ${quoteIdent(fx.schema)}.history`,
  );
  return new Map(rows.map((r) => [r.t, r.part.replace(`${fx.schema}.`, '')]));
}

/** Appends inside a transaction of the caller's, as the entity and ingest writes do. */
async function appendInTransaction(
  fx: HistoryFixture,
  history: PgHistory,
  instances: AttributeInstance[],
  outcome: 'COMMIT' | 'ROLLBACK' = 'COMMIT',
): Promise<void> {
  const client = await fx.pool.connect();
  try {
    await client.query('BEGIN');
    await history.appendWith(client, instances);
    await client.query(outcome);
  } finally {
    client.release();
  }
}

describe('weeks', () => {
  it('start on Monday 00:00 UTC, hold their times, and name their partition by that date', () => {
    const ms = fc.integer({ min: -8.64e15 + WEEK_MS, max: 8.64e15 - WEEK_MS });
    fc.assert(
      fc.property(ms, (t) => {
        const w = weekStart(t);
        const d = new Date(w);
        expect(w <= t && t < w + WEEK_MS).toBe(true);
        expect([d.getUTCDay(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCMilliseconds()]).toEqual(
          [1, 0, 0, 0],
        );
        expect(weekStart(w + WEEK_MS - 1)).toBe(w);
      }),
    );
    expect(partitionName(Date.parse('2026-11-23T00:00:00Z'))).toBe('history_w20261123');
    expect(weekStart(Date.parse('2026-11-29T23:59:59.999Z'))).toBe(
      Date.parse('2026-11-23T00:00:00Z'),
    );
  });
});

describe.skipIf(!pg)('history partitions', () => {
  it('starts with this week and the four after it, plus a default partition', async () => {
    const fx = await open();
    const parts = await fx.history.partitions.read(fx.pool);
    const weeks = [0, 1, 2, 3, 4].map((i) => THIS_WEEK + i * WEEK_MS);
    expect(parts).toEqual(
      weeks.map((from) => ({ name: partitionName(from), from, to: from + WEEK_MS })),
    );
    expect(parts[0]!.name).toMatch(/^history_w\d{8}$/);
    expect(new Date(THIS_WEEK).getUTCDay()).toBe(1);
    const { rows } = await fx.pool.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [
      `${quoteIdent(fx.schema)}.history_default`,
    ]);
    expect(rows[0].ok).toBe(true);
  });

  it('makes a past week its partition on demand and keeps far instances in the default one', async () => {
    const fx = await open();
    const past = THIS_WEEK - 10 * WEEK_MS + 3_600_000;
    const ancient = Date.parse('1901-01-01T00:00:00Z');
    const now = Date.now();
    await fx.history.append([at(past, 1), at(ancient, 2), at(now, 3)]);
    const where = await placement(fx);
    expect(where.get(past)).toBe(partitionName(THIS_WEEK - 10 * WEEK_MS));
    expect(where.get(ancient)).toBe('history_default');
    expect(where.get(now)).toBe(partitionName(THIS_WEEK));
    const got = await fx.history.query({ entityIds: [E], timeproperty: 'observedAt' });
    expect(got.map((i) => i.attribute.value)).toEqual([2, 1, 3]);
  });

  it('moves instances a transaction put in the default partition into their new week', async () => {
    const fx = await open();
    const past = THIS_WEEK - 20 * WEEK_MS;
    await appendInTransaction(fx, fx.history, [at(past, 1), at(past + 1000, 2)]);
    await fx.history.settle();
    const where = await placement(fx);
    expect([where.get(past), where.get(past + 1000)]).toEqual([
      partitionName(past),
      partitionName(past),
    ]);
    const got = await fx.history.query({ entityIds: [E], timeproperty: 'observedAt' });
    expect(got.map((i) => i.attribute.value)).toEqual([1, 2]);
  });

  it('writes again a row routed to the default partition while its week was attached', async () => {
    const fx = await open();
    const week = THIS_WEEK - 30 * WEEK_MS;
    const s = quoteIdent(fx.schema);
    const part = `${s}.${partitionName(week)}`;
    // Another node attaching the week, holding the default partition meanwhile.
    const other = await fx.pool.connect();
    const writer = await fx.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query(`LOCK TABLE ${s}.history_default IN ACCESS EXCLUSIVE MODE`);
      await other.query(`CREATE TABLE ${part} (LIKE ${s}.history INCLUDING ALL)`);
      await other.query(
        `ALTER TABLE ${s}.history ATTACH PARTITION ${part}
         FOR VALUES FROM (${week}) TO (${week + WEEK_MS})`,
      );
      await writer.query('BEGIN');
      const writing = fx.history.appendWith(writer, [at(week + 5, 7)]);
      // The write waits for the default partition, where this node still routes the week.
      const deadline = Date.now() + 10_000;
      for (let waiting = 0; waiting === 0;) {
        if (Date.now() > deadline) throw new Error('the write never waited for the partition');
        await new Promise((r) => setTimeout(r, 20));
        const { rows } = await fx.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks
           WHERE relation = $1::regclass AND mode = 'RowExclusiveLock' AND NOT granted`,
          [`${s}.history_default`],
        );
        waiting = rows[0]!.n;
      }
      await other.query('COMMIT');
      await writing;
      await writer.query('COMMIT');
    } finally {
      other.release();
      writer.release();
    }
    expect((await placement(fx)).get(week + 5)).toBe(partitionName(week));
  });

  it('leaves nothing of a rolled-back transaction and writes the same names later', async () => {
    const fx = await open();
    const now = Date.now();
    const fresh = (v: number) => ({ ...at(now, v, 'urn:ngsi-ld:Sensor:new'), attr: 'pm10' });
    await appendInTransaction(fx, fx.history, [fresh(1)], 'ROLLBACK');
    const q = { entityIds: ['urn:ngsi-ld:Sensor:new'], timeproperty: 'observedAt' as const };
    expect(await fx.history.query(q)).toEqual([]);
    await appendInTransaction(fx, fx.history, [fresh(2)]);
    expect((await fx.history.query(q)).map((i) => i.attribute.value)).toEqual([2]);
    expect(await fx.history.aggregate(q, ['sum'])).toMatchObject([{ attr: 'pm10' }]);
  });

  it('lets several nodes append into new weeks at once, each week made once', async () => {
    const fx = await open();
    const nodes = [fx.history, fx.node(), fx.node()];
    const weeks = [40, 41, 42].map((n) => THIS_WEEK - n * WEEK_MS);
    const batches = nodes.flatMap((node, n) =>
      [0, 1, 2, 3].map((b) => ({
        node,
        viaTransaction: b % 2 === 0,
        instances: weeks.flatMap((w, k) =>
          Array.from({ length: 25 }, (_, i) => at(w + n * 1e6 + b * 1e4 + i, k, `urn:e:${i % 5}`)),
        ),
      })),
    );
    await Promise.all(
      batches.map(({ node, viaTransaction, instances }) =>
        viaTransaction ? appendInTransaction(fx, node, instances) : node.append(instances),
      ),
    );
    for (const node of nodes) await node.settle();
    // A background attempt may have lost to another node's lock: one more write makes them.
    await fx.history.append([at(weeks[0]! + 999_999, 0, 'urn:e:last')]);
    const where = await placement(fx);
    expect(where.size).toBe(3 * 4 * 3 * 25 + 1);
    expect(new Set(where.values())).toEqual(new Set(weeks.map(partitionName)));
    const parts = (await fx.history.partitions.read(fx.pool)).map((p) => p.name);
    expect(parts.filter((p) => weeks.map(partitionName).includes(p))).toHaveLength(3);
    expect(await fx.history.countFor('urn:e:0')).toBe(3 * 4 * 3 * 5);
  });

  it('premakes the weeks ahead as the clock moves on', async () => {
    const fx = await open();
    const later = THIS_WEEK + 9 * WEEK_MS + 1000;
    const node = fx.node({ now: () => later });
    await appendInTransaction(fx, node, [at(later, 1)]);
    await node.settle();
    const names = (await node.partitions.read(fx.pool)).map((p) => p.name);
    for (let i = 0; i <= 4; i++)
      expect(names).toContain(partitionName(weekStart(later) + i * WEEK_MS));
    expect((await placement(fx)).get(later)).toBe(partitionName(weekStart(later)));
  });

  it('drops whole weeks for retention, keeping the week the cutoff falls in', async () => {
    const fx = await open();
    const w = (n: number) => THIS_WEEK - n * WEEK_MS;
    const ancient = Date.parse('1950-06-01T00:00:00Z');
    await fx.history.append([at(w(3), 1), at(w(2), 2), at(w(1) + 5000, 3), at(ancient, 0)]);
    const cutoff = w(1) + 86_400_000;
    expect(await fx.history.dropBefore(cutoff)).toBe(2);
    const q = { entityIds: [E], timeproperty: 'observedAt' as const };
    expect((await fx.history.query(q)).map((i) => i.attribute.value)).toEqual([3]);
    const names = (await fx.history.partitions.read(fx.pool)).map((p) => p.name);
    expect(names).not.toContain(partitionName(w(2)));
    expect(names).toContain(partitionName(w(1)));
    expect(await fx.history.dropBefore(cutoff)).toBe(0);
    // A dropped week comes back when an instance arrives for it.
    await fx.history.append([at(w(2) + 7, 4)]);
    expect((await placement(fx)).get(w(2) + 7)).toBe(partitionName(w(2)));
  });

  it("reads one week of one series from that week's partition alone", async () => {
    const fx = await open();
    await fx.history.append([at(THIS_WEEK + 10, 1), at(THIS_WEEK + WEEK_MS + 10, 2)]);
    const { rows } = await fx.pool.query<{ plan: string }>(
      `EXPLAIN (FORMAT JSON) SELECT * FROM ${quoteIdent(fx.schema)}.history
       WHERE eid = 1 AND aid = 1 AND did = 0 AND t >= $1 AND t < $2`,
      [THIS_WEEK, THIS_WEEK + WEEK_MS],
    );
    const scanned = [...JSON.stringify(rows[0]).matchAll(/"Relation Name":"([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(scanned).toEqual([partitionName(THIS_WEEK)]);
  });
});
