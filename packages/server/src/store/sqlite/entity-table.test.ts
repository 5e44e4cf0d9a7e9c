import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { parseQ, parseTypeExpression, type Entity } from '../../core/index.js';
import { GEO_SLOTS } from './entity-schema.js';
import { migrate } from './schema.js';
import { SqliteStore } from './sqlite-store.js';

const stores: SqliteStore[] = [];
const tempFile = (): string => join(mkdtempSync(join(tmpdir(), 'cb-entities-')), 'db.sqlite');
function open(file = tempFile()): SqliteStore {
  const store = new SqliteStore({ file, synchronous: 'normal' });
  stores.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

const point = (lon: number, lat: number) => ({
  type: 'GeoProperty',
  value: { type: 'Point', coordinates: [lon, lat] },
});

describe('SQLite entity table', () => {
  it('migrates a version 1 file: documents, timestamps, types, geo index and discovery', async () => {
    const file = tempFile();
    const v1 = new Database(file);
    migrate(v1, 1);
    const insert = v1.prepare(
      'INSERT INTO entities (id, type, doc, created_at, modified_at) VALUES (?, ?, ?, ?, ?)',
    );
    const docs: Entity[] = [
      {
        id: 'urn:a:1',
        type: 'Room',
        location: point(10, 20),
        temperature: { type: 'Property', value: 21 },
      },
      {
        id: 'urn:a:2',
        type: ['Room', 'Office'],
        spots: [{ ...point(30, 40), datasetId: 'urn:d:1' }, point(31, 41)],
      },
    ];
    for (const d of docs)
      insert.run(
        d.id,
        Array.isArray(d.type) ? d.type[0] : d.type,
        JSON.stringify(d),
        1_700_000_000_000,
        1_700_000_001_000,
      );
    v1.close();

    const store = open(file);
    expect(await store.entities.get('urn:a:1')).toMatchObject({
      ...docs[0],
      createdAt: '2023-11-14T22:13:20.000Z',
      modifiedAt: '2023-11-14T22:13:21.000Z',
    });
    const rooms = await store.entities.query({
      types: parseTypeExpression('Office'),
      limit: 10,
      offset: 0,
    });
    expect(rooms.entities.map((e) => e.id)).toEqual(['urn:a:2']);
    const near = await store.entities.query({
      geo: {
        georel: 'near',
        maxDistance: 1000,
        geometry: { type: 'Point', coordinates: [31, 41] },
        geoproperty: 'spots',
      },
      limit: 10,
      offset: 0,
    });
    expect(near.entities.map((e) => e.id)).toEqual(['urn:a:2']);
    expect(await store.entities.typeInfo()).toEqual([
      { type: 'Office', attributeNames: ['spots'], entityCount: 1 },
      { type: 'Room', attributeNames: ['location', 'spots', 'temperature'], entityCount: 2 },
    ]);
    expect((await store.entities.attributeInfo()).find((a) => a.name === 'spots')).toEqual({
      name: 'spots',
      attributeTypes: ['GeoProperty'],
      typeNames: ['Office', 'Room'],
      attributeCount: 2,
    });
    // The migrated rows are maintained like new ones.
    await store.entities.delete('urn:a:2');
    expect((await store.entities.typeInfo()).map((t) => [t.type, t.entityCount])).toEqual([
      ['Room', 1],
    ]);
  });

  it('fails a whole group on an unexpected error and keeps the cache on the committed state', async () => {
    const store = open();
    await store.entities.create({ id: 'urn:a:1', type: 'T', n: { type: 'Property', value: 1 } });
    const first = store.entities.write([
      { id: 'urn:a:1', mutate: (e) => e && { ...e, n: { type: 'Property', value: 2 } } },
    ]);
    const second = store.entities.write([
      {
        id: 'urn:a:1',
        mutate: (e) => {
          // Sees the first caller's uncommitted change within the group …
          expect(e?.n).toMatchObject({ value: 2 });
          throw new RangeError('boom');
        },
      },
    ]);
    await expect(first).rejects.toThrow('boom');
    await expect(second).rejects.toThrow('boom');
    // … which rolled back with it, in the file and in the cache.
    expect(await store.entities.get('urn:a:1')).toMatchObject({ n: { value: 1 } });
    const page = await store.entities.query({ q: parseQ('n==2'), limit: 10, offset: 0 });
    expect(page.entities).toEqual([]);
  });

  it('orders ingest and API writes on one connection', async () => {
    const store = open();
    const id = 'urn:ngsi-ld:AirQualityObserved:a';
    const write = store.entities.write([
      { id, mutate: (e) => e && { ...e, note: { type: 'Property', value: 'seen' } } },
    ]);
    await store.ingest([
      {
        entityId: id,
        entityType: 'AirQualityObserved',
        deviceId: 'a',
        observedAt: 1000,
        attrs: { pm25: { value: 3 } },
      },
    ]);
    const [result] = await write;
    expect(result?.after).toMatchObject({ pm25: { value: 3 }, note: { value: 'seen' } });
    expect(result?.after?.createdAt).toBeDefined();
    const info = await store.entities.typeInfo();
    expect(info).toEqual([
      { type: 'AirQualityObserved', attributeNames: ['note', 'pm25'], entityCount: 1 },
    ]);
  });

  it('fails only the write whose entity has too many GeoProperty instances', async () => {
    const store = open();
    const many = Array.from({ length: GEO_SLOTS + 1 }, (_, i) => ({
      ...point(0, 0),
      datasetId: `urn:d:${i}`,
    }));
    const results = await store.entities.write([
      { id: 'urn:a:1', mutate: () => ({ id: 'urn:a:1', type: 'T', location: many }) },
      { id: 'urn:a:2', mutate: () => ({ id: 'urn:a:2', type: 'T' }) },
    ]);
    expect(results.map((r) => r.error?.code)).toEqual(['BadRequestData', undefined]);
    expect(await store.entities.get('urn:a:1')).toBeUndefined();
    expect(await store.entities.types()).toEqual(['T']);
  });
});
