import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Observation } from '../../core/index.js';
import { migrate } from './schema.js';
import { CYCLE_MS, PARTS } from './series-log.js';
import { SeriesTable } from './series-table.js';
import { SqliteStore } from './sqlite-store.js';
import { TemporalTable } from './temporal-table.js';

const dbs: Database.Database[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) db.close();
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

const fileIn = () => join(mkdtempSync(join(tmpdir(), 'cb-series-log-')), 'db.sqlite');

function tables(file = fileIn()) {
  const db = new Database(file);
  dbs.push(db);
  migrate(db);
  const series = new SeriesTable(db);
  const temporal = new TemporalTable(db, series.log);
  const logged = () =>
    (db.prepare('SELECT count(*) AS n FROM series_log').get() as { n: number }).n;
  const stored = () => (db.prepare('SELECT count(*) AS n FROM series').get() as { n: number }).n;
  return { db, series, temporal, logged, stored };
}

const E = (i: number) => `urn:ngsi-ld:AirQualityObserved:${i}`;
const obs = (id: string, t: number, value: number): Observation => ({
  entityId: id,
  entityType: 'AirQualityObserved',
  deviceId: id,
  observedAt: t,
  attrs: { pm25: { value } },
});

describe('SeriesLog', () => {
  it('keeps ingested points in the log until their partition is read or its turn comes', async () => {
    const { series, temporal, logged, stored } = tables();
    for (let i = 1; i <= 4; i++) series.appendSync(E(i), 'pm25', 1000, i);
    expect([logged(), stored()]).toEqual([4, 0]);
    // A read of one entity moves its partition only, and sees every point.
    expect(await series.read({ entityId: E(1) })).toEqual([
      { attr: 'pm25', observedAt: 1000, value: 1 },
    ]);
    expect([logged(), stored()]).toEqual([3, 1]);
    const instances = await temporal.query({ entityIds: [E(2)], timeproperty: 'observedAt' });
    expect(instances.map((i) => i.attribute.value)).toEqual([2]);
    expect(await series.countFor(E(3))).toBe(1);
    expect([logged(), stored()]).toEqual([1, 3]);
  });

  it('moves each partition once per cycle, in turn, and all of them within one cycle', () => {
    const { series, logged, stored } = tables();
    // Entity integers 1 … 2·PARTS: two entities in every partition.
    for (let i = 1; i <= 2 * PARTS; i++) series.appendSync(E(i), 'pm25', 1000, i);
    const start = Math.ceil(Date.now() / CYCLE_MS) * CYCLE_MS + 10 * CYCLE_MS;
    const slot = CYCLE_MS / PARTS;
    // The first call after a long pause moves what one cycle's slots cover: everything.
    expect(series.log.advance(start)).toBe(2 * PARTS);
    expect([logged(), stored()]).toEqual([0, 2 * PARTS]);
    for (let i = 1; i <= 2 * PARTS; i++) series.appendSync(E(i), 'pm25', 2000, i);
    // Within the same slot nothing more moves; each next slot moves one partition.
    expect(series.log.advance(start + slot / 2)).toBe(0);
    expect(series.log.advance(start + slot)).toBe(2);
    expect(series.log.advance(start + slot + 1)).toBe(0);
    expect(series.log.advance(start + 4 * slot)).toBe(6);
    expect(logged()).toBe(2 * PARTS - 8);
    expect(series.log.advance(start + 2 * CYCLE_MS)).toBe(2 * PARTS - 8);
    expect([logged(), stored()]).toEqual([0, 4 * PARTS]);
  });

  it('lets a point sent again replace the earlier one, logged or moved', async () => {
    const { series } = tables();
    series.appendSync(E(1), 'pm25', 1000, 1);
    series.appendSync(E(1), 'pm25', 1000, 2);
    expect(await series.read({ entityId: E(1) })).toEqual([
      { attr: 'pm25', observedAt: 1000, value: 2 },
    ]);
    series.appendSync(E(1), 'pm25', 1000, 3);
    expect(series.log.drainAll()).toBe(1);
    expect(await series.read({ entityId: E(1) })).toEqual([
      { attr: 'pm25', observedAt: 1000, value: 3 },
    ]);
  });

  it('never lets a logged point overtake a later write or deletion of its series', async () => {
    const { series, temporal } = tables();
    series.appendSync(E(1), 'pm25', 1000, 1);
    // The API writes an instance at the same time: it is the newer one and stays.
    await temporal.append([
      {
        entityId: E(1),
        attr: 'pm25',
        instanceId: '',
        attribute: { type: 'Property', value: 99, observedAt: new Date(1000).toISOString() },
        createdAt: 5000,
        modifiedAt: 5000,
      },
    ]);
    series.log.drainAll();
    expect(await series.read({ entityId: E(1) })).toEqual([
      { attr: 'pm25', observedAt: 1000, value: 99 },
    ]);
    // A deleted entity's logged points do not come back when the log is moved later.
    series.appendSync(E(2), 'pm25', 1000, 1);
    expect(await temporal.deleteEntity(E(2))).toBe(1);
    series.log.drainAll();
    expect(await series.countFor(E(2))).toBe(0);
    series.appendSync(E(1), 'pm25', 2000, 2);
    expect(await temporal.deleteAttribute(E(1), 'pm25', undefined, true)).toBe(2);
    series.log.drainAll();
    expect(await series.countFor(E(1))).toBe(0);
  });

  it('moves nothing for a write of an entity without logged points', async () => {
    const { series, temporal, logged } = tables();
    // Entity integers 1 … PARTS; the next one shares a partition with entity 1.
    for (let i = 1; i <= PARTS; i++) series.appendSync(E(i), 'pm25', 1000, i);
    const other = 'urn:ngsi-ld:Alert:x';
    await temporal.append([
      {
        entityId: other,
        attr: 'status',
        instanceId: '',
        attribute: { type: 'Property', value: 'raised', observedAt: new Date(1000).toISOString() },
        createdAt: 1000,
        modifiedAt: 1000,
      },
    ]);
    expect(series.partOf(other)).toBe(series.partOf(E(1)));
    expect(logged()).toBe(PARTS);
    // A write of entity 1 itself moves its partition.
    expect(await temporal.deleteAttribute(E(1), 'pm25', undefined, true)).toBe(1);
    expect(logged()).toBe(PARTS - 1);
  });

  it('keeps logged points across a restart, and numbers new ones after them', async () => {
    const file = fileIn();
    const before = tables(file);
    before.series.appendSync(E(1), 'pm25', 1000, 1);
    before.series.appendSync(E(1), 'pm25', 1000, 2);
    // Closed without moving the log, as a crash would leave it.
    before.db.close();
    const after = tables(file);
    expect(after.logged()).toBe(2);
    after.series.appendSync(E(1), 'pm25', 1000, 3);
    after.series.appendSync(E(1), 'pm25', 2000, 4);
    // Arrival order holds across the restart: the newest value at 1000 wins.
    expect((await after.series.read({ entityId: E(1) })).map((p) => p.value)).toEqual([3, 4]);
  });

  it('logs nothing of an ingest batch that fails half-way', async () => {
    const store = new SqliteStore({ file: fileIn() });
    stores.push(store);
    await store.ingest([obs(E(1), 1000, 1)]);
    const bad = obs(E(1), 3000, 0);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    bad.attrs.pm25!.value = cyclic; // not JSON: the batch throws after logging a point
    await expect(store.ingest([obs(E(1), 2000, 2), bad])).rejects.toThrow();
    expect((await store.series.read({ entityId: E(1) })).map((p) => p.value)).toEqual([1]);
    await store.ingest([obs(E(1), 4000, 4)]);
    expect((await store.series.read({ entityId: E(1) })).map((p) => p.value)).toEqual([1, 4]);
    expect((await store.entities.get(E(1)))?.pm25).toMatchObject({ value: 4 });
  });
});
