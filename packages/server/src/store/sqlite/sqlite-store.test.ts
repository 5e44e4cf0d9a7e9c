import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Observation } from '../../core/index.js';
import { describeStoreContract } from '../store-contract.js';
import { SqliteStore } from './sqlite-store.js';

const stores: SqliteStore[] = [];
function open(file = join(mkdtempSync(join(tmpdir(), 'cb-store-')), 'db.sqlite')) {
  const store = new SqliteStore({ file });
  stores.push(store);
  return { store, file };
}
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

const obs = (
  t: number,
  attrs: Observation['attrs'],
  id = 'urn:ngsi-ld:AirQualityObserved:a',
): Observation => ({
  entityId: id,
  entityType: 'AirQualityObserved',
  deviceId: 'a',
  observedAt: t,
  attrs,
});

describe('SqliteStore', () => {
  it('creates the entity on first ingest and keeps every point of the series', async () => {
    const { store } = open();
    const { changed } = await store.ingest([
      obs(1000, { pm25: { value: 10, unitCode: 'GQ' }, status: { value: 'ok' } }),
      obs(2000, { pm25: { value: 12 } }),
    ]);
    expect(changed).toHaveLength(1);
    const entity = await store.entities.get('urn:ngsi-ld:AirQualityObserved:a');
    expect(entity).toMatchObject({
      type: 'AirQualityObserved',
      pm25: {
        type: 'Property',
        value: 12,
        observedAt: new Date(2000).toISOString(),
        unitCode: 'GQ',
      },
      status: { value: 'ok' },
    });
    const points = await store.series.read({ entityId: 'urn:ngsi-ld:AirQualityObserved:a' });
    expect(points).toEqual([
      { attr: 'pm25', observedAt: 1000, value: 10 },
      { attr: 'pm25', observedAt: 2000, value: 12 },
      { attr: 'status', observedAt: 1000, value: 'ok' },
    ]);
  });

  it('never lets late data overwrite a newer current value, but stores it', async () => {
    const { store } = open();
    await store.ingest([obs(5000, { pm25: { value: 50 } })]);
    await store.ingest([obs(1000, { pm25: { value: 10 } })]);
    expect((await store.entities.get('urn:ngsi-ld:AirQualityObserved:a'))?.pm25).toMatchObject({
      value: 50,
    });
    expect(await store.series.countFor('urn:ngsi-ld:AirQualityObserved:a')).toBe(2);
  });

  it('treats a resent observation (same entity, attribute, time) as one point', async () => {
    const { store } = open();
    await store.ingest([obs(1000, { pm25: { value: 10 } })]);
    await store.ingest([obs(1000, { pm25: { value: 10 } })]);
    expect(await store.series.countFor('urn:ngsi-ld:AirQualityObserved:a')).toBe(1);
  });

  it('reads the last N points and time windows', async () => {
    const { store } = open();
    await store.ingest(Array.from({ length: 10 }, (_, i) => obs(i * 1000, { pm25: { value: i } })));
    const id = 'urn:ngsi-ld:AirQualityObserved:a';
    expect((await store.series.read({ entityId: id, lastN: 3 })).map((p) => p.value)).toEqual([
      7, 8, 9,
    ]);
    expect(
      (await store.series.read({ entityId: id, from: 2000, to: 4000 })).map((p) => p.value),
    ).toEqual([2, 3]);
    expect(await store.series.read({ entityId: 'urn:ngsi-ld:X:none' })).toEqual([]);
  });

  it('keeps everything across reopening the file', async () => {
    const { store, file } = open();
    await store.ingest([obs(1000, { pm25: { value: 10 } })]);
    await store.deadLetters.add([
      {
        receivedAt: 1,
        source: 'mqtt',
        reason: 'malformed-payload',
        detail: 'not JSON',
        payload: '{',
      },
    ]);
    await store.close();
    const reopened = open(file).store;
    expect(await reopened.entities.get('urn:ngsi-ld:AirQualityObserved:a')).toBeDefined();
    expect(await reopened.series.countFor('urn:ngsi-ld:AirQualityObserved:a')).toBe(1);
    expect(await reopened.deadLetters.list({ limit: 10, offset: 0 })).toMatchObject([
      { reason: 'malformed-payload', detail: 'not JSON', payload: '{' },
    ]);
  });

  it('rolls a failed batch back whole and forgets what it cached', async () => {
    const { store } = open();
    await store.ingest([obs(1000, { pm25: { value: 10 } })]);
    const bad = obs(2000, { pm25: { value: 20 } });
    // A non-integer time violates nothing in SQLite, so force a failure with a bigint overflow.
    bad.observedAt = 2 ** 70;
    await expect(store.ingest([obs(1500, { pm25: { value: 15 } }), bad])).rejects.toThrow();
    expect((await store.entities.get('urn:ngsi-ld:AirQualityObserved:a'))?.pm25).toMatchObject({
      value: 10,
    });
    expect(await store.series.countFor('urn:ngsi-ld:AirQualityObserved:a')).toBe(1);
  });

  it('refuses a duplicate entity id with AlreadyExists', async () => {
    const { store } = open();
    await store.entities.create({ id: 'urn:ngsi-ld:T:1', type: 'T' });
    await expect(store.entities.create({ id: 'urn:ngsi-ld:T:1', type: 'T' })).rejects.toMatchObject(
      {
        code: 'AlreadyExists',
      },
    );
  });
});

describeStoreContract('sqlite', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'cb-contract-')), 'db.sqlite');
  let store = new SqliteStore({ file, synchronous: 'normal' });
  return {
    store,
    cleanup: () => store.close(),
    reopen: async () => {
      await store.close();
      store = new SqliteStore({ file, synchronous: 'normal' });
      return store;
    },
  };
});
