import { afterEach, describe, expect, it } from 'vitest';
import { serviceAvailable, SERVICES } from '../../../tests/helpers/services.js';
import type { Observation } from '../../core/index.js';
import { describeStoreContract } from '../store-contract.js';
import { PostgresStore } from './postgres-store.js';
import { dropSchemas, randomSchema } from './test-schema.js';

const pg = await serviceAvailable('postgres');
const url = SERVICES.postgres;

const open: { store: PostgresStore; schema: string }[] = [];
async function openStore(schema = randomSchema()): Promise<PostgresStore> {
  const store = await PostgresStore.open({ url, schema, pool: 4 });
  open.push({ store, schema });
  return store;
}
afterEach(async () => {
  const all = open.splice(0);
  for (const { store } of all) await store.close();
  if (all.length) await dropSchemas(url, ...new Set(all.map((o) => o.schema)));
});

const ID = 'urn:ngsi-ld:AirQualityObserved:a';
const obs = (t: number, attrs: Observation['attrs'], id = ID): Observation => ({
  entityId: id,
  entityType: 'AirQualityObserved',
  deviceId: 'a',
  observedAt: t,
  attrs,
});

describe.skipIf(!pg)('PostgresStore', () => {
  it('creates the entity on first ingest and keeps every point of the series', async () => {
    const store = await openStore();
    const { changed } = await store.ingest([
      obs(1000, { pm25: { value: 10, unitCode: 'GQ' }, status: { value: 'ok' } }),
      obs(2000, { pm25: { value: 12 } }),
    ]);
    expect(changed).toHaveLength(1);
    expect(await store.entities.get(ID)).toMatchObject({
      type: 'AirQualityObserved',
      pm25: {
        type: 'Property',
        value: 12,
        observedAt: new Date(2000).toISOString(),
        unitCode: 'GQ',
      },
      status: { value: 'ok' },
    });
    expect(await store.series.read({ entityId: ID })).toEqual([
      { attr: 'pm25', observedAt: 1000, value: 10 },
      { attr: 'pm25', observedAt: 2000, value: 12 },
      { attr: 'status', observedAt: 1000, value: 'ok' },
    ]);
    expect((await store.entities.typeInfo())[0]).toMatchObject({
      type: 'AirQualityObserved',
      attributeNames: ['pm25', 'status'],
      entityCount: 1,
    });
  });

  it('never lets late data overwrite a newer current value, but stores it', async () => {
    const store = await openStore();
    await store.ingest([obs(5000, { pm25: { value: 50 } })]);
    await store.ingest([obs(1000, { pm25: { value: 10 } })]);
    expect((await store.entities.get(ID))?.pm25).toMatchObject({ value: 50 });
    expect(await store.series.countFor(ID)).toBe(2);
  });

  it('keeps ingest and writes of several nodes consistent on one entity', async () => {
    const schema = randomSchema();
    const a = await openStore(schema);
    const b = await openStore(schema);
    await a.entities.create({
      id: ID,
      type: 'AirQualityObserved',
      n: { type: 'Property', value: 0 },
    });
    const bump = (e: Parameters<Parameters<typeof a.entities.write>[0][0]['mutate']>[0]) =>
      e && { ...e, n: { type: 'Property', value: (e.n as { value: number }).value + 1 } };
    // Two stores on one schema stand for two nodes: their transactions interleave on the server.
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).entities.write([{ id: ID, mutate: bump }]),
      ),
      ...Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? b : a).ingest([obs(1000 + i, { pm25: { value: i } })]),
      ),
    ]);
    const entity = await b.entities.get(ID);
    expect(entity?.n).toMatchObject({ value: 20 });
    expect(entity?.pm25).toMatchObject({ value: 9 });
    expect(await a.series.read({ entityId: ID, attrs: ['pm25'] })).toHaveLength(10);
  });

  it('lets two nodes race to create one entity: one wins, the other sees it', async () => {
    const schema = randomSchema();
    const a = await openStore(schema);
    const b = await openStore(schema);
    const entity = { id: ID, type: 'T' };
    const results = await Promise.allSettled([
      a.entities.create(entity),
      b.entities.create(entity),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { code: 'AlreadyExists' },
    });
    expect((await a.entities.typeInfo())[0]?.entityCount).toBe(1);
  });

  it('rolls a failed ingest back whole', async () => {
    const store = await openStore();
    await store.ingest([obs(1000, { pm25: { value: 10 } })]);
    await expect(
      store.ingest([
        obs(1500, { pm25: { value: 15 } }),
        obs(2000, { pm25: { value: 'a\u0000b' } }),
      ]),
    ).rejects.toMatchObject({ code: 'BadRequestData' });
    expect((await store.entities.get(ID))?.pm25).toMatchObject({ value: 10 });
    expect(await store.series.countFor(ID)).toBe(1);
  });

  it('records a re-sent attribute once in the history, whatever the order of its members', async () => {
    const store = await openStore();
    await store.entities.create({
      id: ID,
      type: 'T',
      t: { type: 'Property', value: 1, unitCode: 'CEL' },
    });
    await new Promise((r) => setTimeout(r, 5));
    const again = { unitCode: 'CEL', value: 1, type: 'Property' as const };
    await store.entities.write([{ id: ID, mutate: (e) => e && { ...e, t: again } }]);
    await new Promise((r) => setTimeout(r, 5));
    await store.entities.mergeAttributes(ID, { t: { ...again, value: 2 } });
    const history = await store.temporal.query({ entityIds: [ID], timeproperty: 'modifiedAt' });
    expect(history.map((i) => (i.attribute as { value: number }).value)).toEqual([1, 2]);
  });

  it('indexes every GeoProperty instance, and fails only a write PostgreSQL cannot hold', async () => {
    const store = await openStore();
    const at = (lon: number, datasetId?: string) => ({
      type: 'GeoProperty',
      value: { type: 'Point', coordinates: [lon, 0] },
      ...(datasetId && { datasetId }),
    });
    const results = await store.entities.write([
      {
        id: 'urn:x:1',
        mutate: () => ({ id: 'urn:x:1', type: 'T', location: [at(0), at(10, 'urn:ds:1')] }),
      },
      {
        id: 'urn:x:2',
        mutate: () => ({ id: 'urn:x:2', type: 'T', name: { type: 'Property', value: '\u0000' } }),
      },
    ]);
    expect(results.map((r) => r.error?.code)).toEqual([undefined, 'BadRequestData']);
    const near = async (lon: number) =>
      (
        await store.entities.query({
          geo: {
            georel: 'near',
            maxDistance: 100,
            geometry: { type: 'Point', coordinates: [lon, 0] },
            geoproperty: 'location',
          },
          limit: 10,
          offset: 0,
        })
      ).entities.map((e) => e.id);
    expect(await near(10)).toEqual(['urn:x:1']);
    expect(await near(0)).toEqual(['urn:x:1']);
    expect(await near(5)).toEqual([]);
    expect(await store.entities.get('urn:x:2')).toBeUndefined();
  });

  it('refuses a pattern PostgreSQL cannot run with BadRequestData', async () => {
    const store = await openStore();
    await expect(
      store.entities.query({ idPattern: '(a)\\1', limit: 1, offset: 0 }),
    ).rejects.toMatchObject({ code: 'BadRequestData' });
  });

  it('keeps devices, dead letters and migrations across reopening', async () => {
    const schema = randomSchema();
    const store = await openStore(schema);
    await store.devices.put({
      id: 'd1',
      entityId: ID,
      entityType: 'T',
      secretHash: 'h',
      units: { pm25: 'GQ' },
      createdAt: 1_700_000_000_000,
    });
    await store.deadLetters.add([
      {
        receivedAt: 1,
        source: 'mqtt',
        reason: 'malformed-payload',
        detail: 'not JSON',
        payload: '{',
      },
      { receivedAt: 2, source: 'http', reason: 'unknown-device', detail: 'who', deviceId: 'x' },
    ]);
    await store.close();
    const again = await openStore(schema);
    expect(await again.devices.get('d1')).toMatchObject({
      units: { pm25: 'GQ' },
      createdAt: 1_700_000_000_000,
    });
    expect(await again.devices.list({ limit: 10, offset: 0 })).toHaveLength(1);
    expect(await again.deadLetters.list({ limit: 10, offset: 0 })).toMatchObject([
      { reason: 'unknown-device', deviceId: 'x', receivedAt: 2 },
      { reason: 'malformed-payload', payload: '{' },
    ]);
    expect(await again.deadLetters.count('malformed-payload')).toBe(1);
    expect(await again.devices.delete('d1')).toBe(true);
    expect(await again.ready()).toBe(true);
  });
});

describe.skipIf(!pg)('PostgreSQL', () => {
  describeStoreContract('postgres', async () => {
    const schema = randomSchema();
    let store = await PostgresStore.open({ url, schema, pool: 4 });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropSchemas(url, schema);
      },
      reopen: async () => {
        await store.close();
        store = await PostgresStore.open({ url, schema, pool: 4 });
        return store;
      },
    };
  });
});
