import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { settle, startTestBroker, type TestBroker } from './test-harness.js';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';
const bin = (n: number, fill = 10) => ({
  id: `urn:ngsi-ld:WasteContainer:w${n}`,
  type: 'WasteContainer',
  fillingLevel: { type: 'Property', value: fill },
});

let broker: TestBroker;
beforeEach(async () => {
  broker = await startTestBroker();
});
afterEach(() => broker.close());

const op = (name: string, payload: unknown, qs = '') =>
  broker.app.inject({
    method: 'POST',
    url: `/ngsi-ld/v1/entityOperations/${name}${qs}`,
    payload: JSON.stringify(payload),
    headers: { 'content-type': 'application/json' },
  });
const get = async (n: number) =>
  broker.app.inject({ url: `/ngsi-ld/v1/entities/urn:ngsi-ld:WasteContainer:w${n}` });

describe('POST /entityOperations/create', () => {
  it('creates all (201 with the ids) in one durable store write', async () => {
    const write = vi.spyOn(broker.store.entities, 'write');
    const res = await op('create', [bin(1), bin(2), bin(3)]);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual([bin(1).id, bin(2).id, bin(3).id]);
    expect(write).toHaveBeenCalledTimes(1);
    expect((await get(2)).json()).toEqual(bin(2));
    await settle();
    expect(broker.events.map((e) => (e.payload as { kind: string }).kind)).toEqual([
      'created',
      'created',
      'created',
    ]);
  });

  it('answers 207 naming each failure, writing the good entities', async () => {
    await op('create', [bin(1)]);
    const res = await op('create', [
      bin(1),
      bin(2),
      { id: 'not a uri', type: 'WasteContainer' },
      { ...bin(4), fillingLevel: { type: 'Nope' } },
      bin(2),
    ]);
    expect(res.statusCode).toBe(207);
    const body = res.json<{
      success: string[];
      errors: { entityId: string; error: { type: string } }[];
    }>();
    expect(body.success).toEqual([bin(2).id]);
    expect(body.errors.map((e) => [e.entityId, e.error.type])).toEqual(
      expect.arrayContaining([
        [bin(1).id, `${ETSI}AlreadyExists`],
        ['not a uri', `${ETSI}BadRequestData`],
        [bin(4).id, `${ETSI}BadRequestData`],
        [bin(2).id, `${ETSI}AlreadyExists`],
      ]),
    );
    expect(body.errors).toHaveLength(4);
    expect((await get(2)).statusCode).toBe(200);
    expect((await get(4)).statusCode).toBe(404);
  });

  it.each([[[]], [{}], ['x']])(
    'refuses a body that is not a non-empty array (%j)',
    async (body) => {
      const res = await op('create', body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ type: `${ETSI}BadRequestData` });
    },
  );
});

describe('POST /entityOperations/upsert', () => {
  it('creates (201 with created ids) and replaces by default', async () => {
    await op('create', [{ ...bin(1), colour: { type: 'Property', value: 'green' } }]);
    const res = await op('upsert', [bin(1, 50), bin(2)]);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual([bin(2).id]);
    expect((await get(1)).json()).toEqual(bin(1, 50));
    const again = await op('upsert', [bin(1, 60), bin(2, 70)]);
    expect(again.statusCode).toBe(204);
  });

  it('appends with options=update, keeping other attributes', async () => {
    await op('create', [{ ...bin(1), colour: { type: 'Property', value: 'green' } }]);
    const res = await op('upsert', [bin(1, 80)], '?options=update');
    expect(res.statusCode).toBe(204);
    expect((await get(1)).json()).toEqual({
      ...bin(1, 80),
      colour: { type: 'Property', value: 'green' },
    });
    expect((await op('upsert', [bin(1)], '?options=replace,update')).statusCode).toBe(400);
  });
});

describe('POST /entityOperations/update, /delete, /merge', () => {
  beforeEach(async () => {
    expect((await op('create', [bin(1), bin(2)])).statusCode).toBe(201);
  });

  it('updates existing entities; 207 for a missing one; noOverwrite keeps values', async () => {
    const res = await op('update', [bin(1, 90), bin(9, 90)]);
    expect(res.statusCode).toBe(207);
    expect(res.json()).toMatchObject({
      success: [bin(1).id],
      errors: [{ entityId: bin(9).id, error: { type: `${ETSI}ResourceNotFound` } }],
    });
    expect((await get(1)).json()).toEqual(bin(1, 90));
    const kept = await op(
      'update',
      [{ ...bin(2, 0), colour: { type: 'Property', value: 'red' } }],
      '?options=noOverwrite',
    );
    expect(kept.statusCode).toBe(204);
    expect((await get(2)).json()).toEqual({
      ...bin(2),
      colour: { type: 'Property', value: 'red' },
    });
  });

  it('deletes by id (204), 207 naming missing or malformed ids', async () => {
    expect((await op('delete', [bin(1).id])).statusCode).toBe(204);
    expect((await get(1)).statusCode).toBe(404);
    const res = await op('delete', [bin(2).id, bin(1).id, 'nope']);
    expect(res.statusCode).toBe(207);
    const body = res.json<{ success: string[]; errors: { entityId: string }[] }>();
    expect(body.success).toEqual([bin(2).id]);
    expect(body.errors.map((e) => e.entityId).sort()).toEqual(['nope', bin(1).id]);
  });

  it('merges fragments, deleting with the NGSI-LD Null', async () => {
    const res = await op('merge', [
      {
        id: bin(1).id,
        fillingLevel: { type: 'Property', value: 'urn:ngsi-ld:null' },
        colour: { type: 'Property', value: 'blue' },
      },
      { id: bin(2).id, type: 'Bin' },
      { id: bin(9).id, colour: { type: 'Property', value: 'blue' } },
    ]);
    expect(res.statusCode).toBe(207);
    expect(res.json()).toMatchObject({ success: [bin(1).id, bin(2).id] });
    expect((await get(1)).json()).toEqual({
      id: bin(1).id,
      type: 'WasteContainer',
      colour: { type: 'Property', value: 'blue' },
    });
    expect((await get(2)).json()).toMatchObject({ type: ['WasteContainer', 'Bin'] });
  });
});

describe('batch bodies in JSON-LD', () => {
  it('reads each item with its own @context', async () => {
    const vocab = 'https://uri.etsi.org/ngsi-ld/default-context/fillingLevel';
    const res = await broker.app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entityOperations/create',
      headers: { 'content-type': 'application/ld+json' },
      payload: JSON.stringify([
        {
          '@context': { level: vocab },
          id: bin(1).id,
          type: 'WasteContainer',
          level: { type: 'Property', value: 1 },
        },
        {
          '@context': [{ fl: vocab }],
          id: bin(2).id,
          type: 'WasteContainer',
          fl: { type: 'Property', value: 2 },
        },
      ]),
    });
    expect(res.statusCode, res.body).toBe(201);
    expect((await get(1)).json()).toEqual(bin(1, 1));
    expect((await get(2)).json()).toEqual(bin(2, 2));
  });
});
