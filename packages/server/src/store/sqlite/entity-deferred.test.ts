import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Entity, Observation } from '../../core/index.js';
import { CYCLE_MS } from './series-log.js';
import { SqliteStore } from './sqlite-store.js';

const stores: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

const fileIn = () => join(mkdtempSync(join(tmpdir(), 'cb-deferred-')), 'db.sqlite');
function open(file: string): SqliteStore {
  const store = new SqliteStore({ file });
  stores.push(store);
  return store;
}

/** Stops a store as a crash would: no close, nothing written after the last commit. */
function crash(store: SqliteStore): void {
  stores.splice(stores.indexOf(store), 1);
  store['db'].close();
}

/** The document the file holds for `id` (not the store's newest state). */
function fileDoc(store: SqliteStore, id: string): Entity | undefined {
  const row = store['db'].prepare('SELECT json(doc) AS doc FROM entities WHERE id = ?').get(id) as
    { doc: string } | undefined;
  return row && (JSON.parse(row.doc) as Entity);
}

const A = 'urn:ngsi-ld:AirQualityObserved:a';
const V = 'urn:ngsi-ld:Vehicle:v';
const obs = (id: string, t: number, attrs: Observation['attrs']): Observation => ({
  entityId: id,
  entityType: id === V ? 'Vehicle' : 'AirQualityObserved',
  deviceId: 'd',
  observedAt: t,
  attrs,
});
const point = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] });
const value = (e: Entity | undefined, attr: string) => (e?.[attr] as { value?: unknown })?.value;

describe('SqliteStore deferred entity documents', () => {
  it('serves the newest state at once and writes the document when the log part moves', async () => {
    const store = open(fileIn());
    await store.ingest([obs(A, 1000, { pm25: { value: 1 } })]);
    expect(value(fileDoc(store, A), 'pm25')).toBe(1); // a new entity is written at once
    await store.ingest([obs(A, 2000, { pm25: { value: 2 } })]);
    await store.ingest([obs(A, 3000, { pm25: { value: 3 } })]);
    expect(value(fileDoc(store, A), 'pm25')).toBe(1);
    expect(value(await store.entities.get(A), 'pm25')).toBe(3);
    // Its turn in the cycle writes it.
    store.series.log.advance(Date.now() + 2 * CYCLE_MS);
    expect(fileDoc(store, A)).toEqual(await store.entities.get(A));
  });

  it('writes every deferred document before SQL reads them: queries, geo-queries, discovery', async () => {
    const store = open(fileIn());
    await store.ingest([
      obs(V, 1000, { speed: { value: 10 }, location: { value: point(120, 30) } }),
    ]);
    await store.ingest([
      obs(V, 2000, { location: { value: point(121, 31) }, heading: { value: 90 } }),
    ]);
    const near = (lon: number, lat: number) =>
      store.entities.query({
        types: { kind: 'type', name: 'Vehicle' },
        geo: {
          georel: 'near',
          maxDistance: 1000,
          geometry: { type: 'Point', coordinates: [lon, lat] },
          geoproperty: 'location',
        },
        offset: 0,
        limit: 10,
      });
    expect((await near(121, 31)).entities.map((e) => e.id)).toEqual([V]);
    expect((await near(120, 30)).entities).toEqual([]);
    expect(value(fileDoc(store, V), 'heading')).toBe(90);
    await store.ingest([obs(V, 3000, { fuel: { value: 40 } })]);
    expect((await store.entities.attributeInfo()).map((a) => a.name)).toContain('fuel');
  });

  it('writes for a query only the deferred documents of the types it asks for', async () => {
    const store = open(fileIn());
    await store.ingest([obs(A, 1000, { pm25: { value: 1 } })]);
    await store.ingest([obs(A, 2000, { pm25: { value: 2 } })]);
    const ofType = (name: string) =>
      store.entities.query({ types: { kind: 'type', name }, offset: 0, limit: 10 });
    expect((await ofType('Alert')).entities).toEqual([]);
    expect(value(fileDoc(store, A), 'pm25')).toBe(1);
    expect((await ofType('AirQualityObserved')).entities.map((e) => value(e, 'pm25'))).toEqual([2]);
    expect(value(fileDoc(store, A), 'pm25')).toBe(2);
  });

  it('replays the log after a crash: nothing acknowledged is lost', async () => {
    const file = fileIn();
    const first = open(file);
    await first.ingest([
      obs(V, 1000, { speed: { value: 10 }, location: { value: point(120, 30) } }),
    ]);
    await first.ingest([
      obs(V, 2000, { speed: { value: 20 }, location: { value: point(121, 31) } }),
    ]);
    await first.ingest([obs(V, 1500, { speed: { value: 15 } })]); // late: history only
    const newest = await first.entities.get(V);
    expect(value(fileDoc(first, V), 'speed')).toBe(10);
    crash(first);
    const second = open(file);
    expect(await second.entities.get(V)).toEqual(newest);
    expect(fileDoc(second, V)).toEqual(newest);
    expect(value(newest, 'speed')).toBe(20);
    expect((newest?.location as { type: string }).type).toBe('GeoProperty');
    expect(
      (await second.series.read({ entityId: V, attrs: ['speed'] })).map((p) => p.value),
    ).toEqual([10, 15, 20]);
  });

  it('never lets the replay overtake an API write or bring back what it deleted', async () => {
    const file = fileIn();
    const first = open(file);
    await first.ingest([obs(A, 1000, { pm25: { value: 1 }, no2: { value: 1 } })]);
    await first.ingest([obs(A, 2000, { pm25: { value: 2 }, no2: { value: 2 } })]);
    // An API write that only drops no2: it adds no instance to the history.
    const dropNo2 = (current: Entity | undefined) => {
      const next: Entity = { ...current! };
      delete next.no2;
      return next;
    };
    expect((await first.entities.write([{ id: A, mutate: dropNo2 }]))[0]?.changed).toBe(true);
    crash(first);
    const second = open(file);
    expect(await second.entities.get(A)).not.toHaveProperty('no2');
    expect(value(await second.entities.get(A), 'pm25')).toBe(2);
    // An API value without observedAt is newer than every logged observation.
    await second.ingest([obs(A, 3000, { pm25: { value: 3 } })]);
    await second.entities.write([
      { id: A, mutate: (current) => ({ ...current!, pm25: { type: 'Property', value: 99 } }) },
    ]);
    crash(second);
    const third = open(file);
    expect(value(await third.entities.get(A), 'pm25')).toBe(99);
  });

  it('leaves an empty log and written documents after a clean close', async () => {
    const file = fileIn();
    const first = open(file);
    await first.ingest([obs(A, 1000, { pm25: { value: 1 } })]);
    await first.ingest([obs(A, 2000, { pm25: { value: 2 } })]);
    const newest = await first.entities.get(A);
    stores.splice(stores.indexOf(first), 1);
    await first.close();
    const second = open(file);
    const logged = second['db'].prepare('SELECT count(*) AS n FROM series_log').get() as {
      n: number;
    };
    expect(logged.n).toBe(0);
    expect(fileDoc(second, A)).toEqual(newest);
  });

  it('keeps the committed newest state when a batch fails', async () => {
    const store = open(fileIn());
    await store.ingest([obs(A, 1000, { pm25: { value: 1 } })]);
    await store.ingest([obs(A, 2000, { pm25: { value: 2 } })]);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(
      store.ingest([
        obs(A, 3000, { pm25: { value: 3 } }),
        obs(A, 4000, { pm25: { value: cyclic } }),
      ]),
    ).rejects.toThrow();
    expect(value(await store.entities.get(A), 'pm25')).toBe(2);
    await store.ingest([obs(A, 5000, { pm25: { value: 5 } })]);
    expect(value(await store.entities.get(A), 'pm25')).toBe(5);
    expect((await store.series.read({ entityId: A })).map((p) => p.value)).toEqual([1, 2, 5]);
  });
});
