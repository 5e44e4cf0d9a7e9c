import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settle, startTestBroker, type TestBroker } from '../test-harness.js';

const id = 'urn:ngsi-ld:Vehicle:bus-9';
const t0 = Date.parse('2024-05-01T12:00:00Z');
const iso = (minute: number) => new Date(t0 + minute * 60_000).toISOString();
const gps = 'urn:ngsi-ld:Dataset:gps';
const speed = (minute: number, value: number, datasetId?: string) => ({
  type: 'Property',
  value,
  observedAt: iso(minute),
  ...(datasetId && { datasetId }),
});

let broker: TestBroker;
beforeEach(async () => {
  broker = await startTestBroker();
});
afterEach(() => broker.close());

const call = (
  method: 'POST' | 'PATCH' | 'DELETE',
  path: string,
  payload?: unknown,
  tenant?: string,
) =>
  broker.app.inject({
    method,
    url: `/ngsi-ld/v1/temporal/${path}`,
    ...(payload !== undefined && { payload: payload as object }),
    ...(tenant !== undefined && { headers: { 'NGSILD-Tenant': tenant } }),
  });
const history = async (qs = '', tenant?: string) => {
  const res = await broker.app.inject({
    url: `/ngsi-ld/v1/temporal/entities/${id}?${qs}`,
    ...(tenant !== undefined && { headers: { 'NGSILD-Tenant': tenant } }),
  });
  return { status: res.statusCode, body: res.json() };
};
const current = async () =>
  (await broker.app.inject({ url: `/ngsi-ld/v1/entities/${id}` })).json<Record<string, unknown>>();
const create = (attrs: Record<string, unknown>, tenant?: string) =>
  call('POST', 'entities', { id, type: 'Vehicle', ...attrs }, tenant);

describe('POST /temporal/entities', () => {
  it('creates (201) then adds instances (204); the latest becomes the current state', async () => {
    const created = await create({ speed: [speed(0, 10), speed(2, 30), speed(1, 20)] });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe(`/ngsi-ld/v1/temporal/entities/${id}`);
    expect(await current()).toMatchObject({
      type: 'Vehicle',
      speed: { value: 30, observedAt: iso(2) },
    });
    await settle();
    expect(broker.events.map((e) => (e.payload as { kind: string }).kind)).toEqual(['created']);

    const added = await create({ speed: [speed(3, 40), speed(0, 11, gps)] });
    expect(added.statusCode).toBe(204);
    expect((await current()).speed).toEqual([
      expect.objectContaining({ value: 40, observedAt: iso(3) }),
      expect.objectContaining({ value: 11, datasetId: gps }),
    ]);
    const { body } = await history('options=temporalValues');
    expect(body.speed).toEqual([
      { type: 'Property', values: [10, 20, 30, 40].map((v, i) => [v, iso(i)]) },
      { type: 'Property', values: [[11, iso(0)]], datasetId: gps },
    ]);
  });

  it('stores late data as history without turning back the current state', async () => {
    await create({ speed: [speed(5, 50)] });
    expect((await create({ speed: [speed(1, 10)] })).statusCode).toBe(204);
    expect((await current()).speed).toMatchObject({ value: 50 });
    expect((await history('options=temporalValues')).body.speed.values).toHaveLength(2);
  });

  it('refuses an invalid temporal entity with 400 and writes nothing', async () => {
    const res = await create({ speed: [speed(0, 1), { type: 'Property' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/speed\[1\]/);
    expect((await call('POST', 'entities', { id: 'not a uri', type: 'T' })).statusCode).toBe(400);
    expect((await history()).status).toBe(404);
  });

  it('keeps tenants apart', async () => {
    expect((await create({ speed: [speed(0, 1)] }, 'fleet')).statusCode).toBe(201);
    expect((await history('', 'fleet')).body.speed).toHaveLength(1);
    expect((await history()).status).toBe(404);
  });
});

describe('POST /temporal/entities/{id}/attrs', () => {
  it('appends instances (204) and answers 404 for an unknown entity', async () => {
    await create({ speed: [speed(0, 1)] });
    const res = await call('POST', `entities/${id}/attrs`, {
      speed: [speed(1, 2)],
      fuel: { type: 'Property', value: 0.5, observedAt: iso(1) },
    });
    expect(res.statusCode).toBe(204);
    const { body } = await history();
    expect(body.speed).toHaveLength(2);
    expect(body.fuel).toHaveLength(1);
    expect((await current()).fuel).toMatchObject({ value: 0.5 });
    const missing = await call('POST', 'entities/urn:ngsi-ld:Vehicle:none/attrs', {
      speed: [speed(1, 2)],
    });
    expect(missing.statusCode).toBe(404);
  });
});

describe('DELETE /temporal/entities/{id}/attrs/{attrId}', () => {
  it('deletes one datasetId, then all, from history and current state; 404 after', async () => {
    await create({ speed: [speed(0, 1), speed(0, 2, gps)], fuel: [speed(0, 3)] });
    expect((await call('DELETE', `entities/${id}/attrs/speed?datasetId=${gps}`)).statusCode).toBe(
      204,
    );
    expect((await history()).body.speed).toEqual([expect.objectContaining({ value: 1 })]);
    expect((await current()).speed).toMatchObject({ value: 1 });
    expect((await call('DELETE', `entities/${id}/attrs/speed?deleteAll=true`)).statusCode).toBe(
      204,
    );
    expect((await history()).body.speed).toBeUndefined();
    expect((await current()).speed).toBeUndefined();
    expect((await call('DELETE', `entities/${id}/attrs/speed`)).statusCode).toBe(404);
  });
});

describe('instances: PATCH and DELETE /temporal/entities/{id}/attrs/{attrId}/{instanceId}', () => {
  it('modifies and deletes one instance by its instanceId; 404 when unknown', async () => {
    await create({ speed: [speed(0, 1), speed(1, 2)] });
    const [first] = (await history()).body.speed as { instanceId: string }[];
    const path = `entities/${id}/attrs/speed/${first!.instanceId}`;
    expect((await call('PATCH', path, speed(0, 99))).statusCode).toBe(204);
    const after = (await history('options=sysAttrs')).body.speed;
    expect(after[0]).toMatchObject({ value: 99, instanceId: first!.instanceId });
    expect(after[0].modifiedAt > after[0].createdAt).toBe(true);
    const unknown = `entities/${id}/attrs/speed/urn:ngsi-ld:Instance:1`;
    expect((await call('PATCH', unknown, speed(0, 1))).statusCode).toBe(404);
    expect((await call('PATCH', path, { type: 'Property' })).statusCode).toBe(400);
    expect((await call('DELETE', path)).statusCode).toBe(204);
    expect((await call('DELETE', path)).statusCode).toBe(404);
    expect((await history()).body.speed).toEqual([expect.objectContaining({ value: 2 })]);
  });
});

describe('DELETE /temporal/entities/{id}', () => {
  it('deletes history and current state (204), then 404', async () => {
    await create({ speed: [speed(0, 1)] });
    expect((await call('DELETE', `entities/${id}`)).statusCode).toBe(204);
    expect((await history()).status).toBe(404);
    expect((await broker.app.inject({ url: `/ngsi-ld/v1/entities/${id}` })).statusCode).toBe(404);
    expect((await call('DELETE', `entities/${id}`)).statusCode).toBe(404);
  });
});
