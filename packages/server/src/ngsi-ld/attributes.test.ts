import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settle, startTestBroker, type TestBroker } from './test-harness.js';

const id = 'urn:ngsi-ld:Streetlight:sl-1';
const path = `/ngsi-ld/v1/entities/${id}`;
const lamp = {
  id,
  type: 'Streetlight',
  powerState: { type: 'Property', value: 'off' },
  illuminance: { type: 'Property', value: 3, unitCode: 'LUX' },
};

let broker: TestBroker;
beforeEach(async () => {
  broker = await startTestBroker();
  await broker.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', payload: lamp });
});
afterEach(() => broker.close());

const get = async () => (await broker.app.inject({ url: path })).json<Record<string, unknown>>();

describe('PATCH /entities/{id}/attrs', () => {
  it('replaces existing attributes whole (204) and leaves the others', async () => {
    const res = await broker.app.inject({
      method: 'PATCH',
      url: `${path}/attrs`,
      headers: { 'content-type': 'application/ld+json' },
      payload: JSON.stringify({
        '@context': 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld',
        powerState: { type: 'Property', value: 'on' },
      }),
    });
    expect(res.statusCode).toBe(204);
    expect(await get()).toEqual({ ...lamp, powerState: { type: 'Property', value: 'on' } });
    const sys = (await broker.app.inject({ url: `${path}?options=sysAttrs` })).json<{
      createdAt: string;
      modifiedAt: string;
      powerState: { createdAt: string; modifiedAt: string };
    }>();
    expect(sys.modifiedAt > sys.createdAt || sys.modifiedAt === sys.createdAt).toBe(true);
    expect(sys.powerState.modifiedAt).toBe(sys.modifiedAt);
  });

  it('does not add attributes the entity lacks: 207 with an UpdateResult', async () => {
    const res = await broker.app.inject({
      method: 'PATCH',
      url: `${path}/attrs`,
      payload: {
        illuminance: { type: 'Property', value: 9, unitCode: 'LUX' },
        colour: { type: 'Property', value: 'amber' },
      },
    });
    expect(res.statusCode).toBe(207);
    expect(res.json()).toMatchObject({
      updated: ['illuminance'],
      notUpdated: [{ attributeName: 'colour' }],
    });
    const after = await get();
    expect(after.illuminance).toMatchObject({ value: 9 });
    expect(after.colour).toBeUndefined();
  });

  it('refuses invalid attributes and empty bodies with 400 BadRequestData', async () => {
    for (const payload of [{ powerState: { type: 'Thing', value: 1 } }, {}, []]) {
      const res = await broker.app.inject({ method: 'PATCH', url: `${path}/attrs`, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        type: 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData',
      });
    }
  });
});

describe('POST /entities/{id}/attrs', () => {
  it('appends new attributes and overwrites existing ones', async () => {
    const res = await broker.app.inject({
      method: 'POST',
      url: `${path}/attrs`,
      payload: {
        colour: { type: 'Property', value: 'amber' },
        powerState: { type: 'Property', value: 'on' },
      },
    });
    expect(res.statusCode).toBe(204);
    expect(await get()).toMatchObject({ colour: { value: 'amber' }, powerState: { value: 'on' } });
  });

  it('keeps existing attributes with options=noOverwrite (207)', async () => {
    const res = await broker.app.inject({
      method: 'POST',
      url: `${path}/attrs?options=noOverwrite`,
      payload: {
        colour: { type: 'Property', value: 'amber' },
        powerState: { type: 'Property', value: 'on' },
      },
    });
    expect(res.statusCode).toBe(207);
    expect(res.json()).toMatchObject({
      updated: ['colour'],
      notUpdated: [{ attributeName: 'powerState' }],
    });
    expect(await get()).toMatchObject({ colour: { value: 'amber' }, powerState: { value: 'off' } });
  });
});

describe('bus events', () => {
  it('publishes created, updated and deleted entity.changed events in order', async () => {
    await broker.app.inject({
      method: 'PATCH',
      url: `${path}/attrs`,
      payload: { powerState: { type: 'Property', value: 'on' } },
    });
    const deleted = await broker.app.inject({ method: 'DELETE', url: path });
    expect(deleted.statusCode).toBe(204);
    expect((await broker.app.inject({ url: path })).statusCode).toBe(404);
    await settle();
    expect(
      broker.events.map((e) => [e.topic, e.key, (e.payload as { kind: string }).kind]),
    ).toEqual([
      ['entity.changed', id, 'created'],
      ['entity.changed', id, 'updated'],
      ['entity.changed', id, 'deleted'],
    ]);
    const [created, updated, removed] = broker.events.map(
      (e) => e.payload as Record<string, unknown>,
    );
    expect(created).toMatchObject({ id, type: 'Streetlight', kind: 'created', entity: lamp });
    expect(created).not.toHaveProperty('previous');
    expect(updated).toMatchObject({
      kind: 'updated',
      entity: { powerState: { value: 'on' } },
      previous: { powerState: { value: 'off' } },
    });
    expect(removed).toMatchObject({ id, type: 'Streetlight', kind: 'deleted' });
    expect(removed).not.toHaveProperty('entity');
    expect(removed).toHaveProperty('previous.powerState.value', 'on');
    expect(typeof broker.events[0]!.time).toBe('number');
  });

  it('publishes nothing for a refused write', async () => {
    await broker.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', payload: lamp });
    await broker.app.inject({
      method: 'PATCH',
      url: `${path}/attrs`,
      payload: { colour: { type: 'Property', value: 'amber' } },
    });
    await settle();
    expect(broker.events).toHaveLength(1);
  });
});

describe('multi-attributes (datasetId)', () => {
  const ds = (n: number) => `urn:ngsi-ld:Dataset:${n}`;
  const instances = async () => (await get()).illuminance as Record<string, unknown>[];

  beforeEach(async () => {
    const res = await broker.app.inject({
      method: 'POST',
      url: `${path}/attrs`,
      payload: {
        illuminance: [
          { type: 'Property', value: 10, datasetId: ds(1) },
          { type: 'Property', value: 20, datasetId: ds(2) },
        ],
      },
    });
    expect(res.statusCode).toBe(204);
  });

  it('appends instances beside the default one, each addressed by its datasetId', async () => {
    expect(await instances()).toEqual([
      { type: 'Property', value: 3, unitCode: 'LUX' },
      { type: 'Property', value: 10, datasetId: ds(1) },
      { type: 'Property', value: 20, datasetId: ds(2) },
    ]);
  });

  it('updates only the instance of the datasetId (PATCH …/attrs)', async () => {
    const res = await broker.app.inject({
      method: 'PATCH',
      url: `${path}/attrs`,
      payload: {
        illuminance: [
          { type: 'Property', value: 11, datasetId: ds(1) },
          { type: 'Property', value: 99, datasetId: ds(9) },
        ],
      },
    });
    expect(res.statusCode).toBe(207);
    expect(res.json()).toMatchObject({
      updated: ['illuminance'],
      notUpdated: [{ attributeName: 'illuminance', reason: expect.stringContaining(ds(9)) }],
    });
    expect((await instances()).map((i) => i.value)).toEqual([3, 11, 20]);
  });

  it('partially updates one instance (PATCH …/attrs/{attrId}), keeping its other members', async () => {
    const res = await broker.app.inject({
      method: 'PATCH',
      url: `${path}/attrs/illuminance`,
      payload: { value: 21, datasetId: ds(2), observedAt: '2024-05-01T12:00:00Z' },
    });
    expect(res.statusCode, res.body).toBe(204);
    expect((await instances())[2]).toEqual({
      type: 'Property',
      value: 21,
      datasetId: ds(2),
      observedAt: '2024-05-01T12:00:00Z',
    });
    const dflt = await broker.app.inject({
      method: 'PATCH',
      url: `${path}/attrs/illuminance`,
      payload: { value: 4 },
    });
    expect(dflt.statusCode).toBe(204);
    expect((await instances())[0]).toEqual({ type: 'Property', value: 4, unitCode: 'LUX' });
    for (const [url, payload] of [
      [`${path}/attrs/illuminance`, { value: 1, datasetId: ds(7) }],
      [`${path}/attrs/colour`, { value: 1 }],
      ['/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:none/attrs/illuminance', { value: 1 }],
    ] as const) {
      const missing = await broker.app.inject({ method: 'PATCH', url, payload });
      expect(missing.statusCode, url).toBe(404);
    }
  });

  it('replaces one instance (PUT …/attrs/{attrId}); 404 without it', async () => {
    const res = await broker.app.inject({
      method: 'PUT',
      url: `${path}/attrs/illuminance`,
      payload: { type: 'Property', value: 12, datasetId: ds(1), unitCode: 'LUX' },
    });
    expect(res.statusCode, res.body).toBe(204);
    expect((await instances())[1]).toEqual({
      type: 'Property',
      value: 12,
      datasetId: ds(1),
      unitCode: 'LUX',
    });
    const missing = await broker.app.inject({
      method: 'PUT',
      url: `${path}/attrs/colour`,
      payload: { type: 'Property', value: 'red' },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('deletes the default instance, one datasetId, or all (DELETE …/attrs/{attrId})', async () => {
    const del = (qs: string) =>
      broker.app.inject({ method: 'DELETE', url: `${path}/attrs/illuminance${qs}` });
    expect((await del(`?datasetId=${ds(2)}`)).statusCode).toBe(204);
    expect((await instances()).map((i) => i.value)).toEqual([3, 10]);
    expect((await del(`?datasetId=${ds(2)}`)).statusCode).toBe(404);
    expect((await del('')).statusCode).toBe(204);
    expect((await get()).illuminance).toEqual({ type: 'Property', value: 10, datasetId: ds(1) });
    expect((await del('')).statusCode).toBe(404);
    expect((await del('?deleteAll=true')).statusCode).toBe(204);
    expect((await get()).illuminance).toBeUndefined();
    expect((await del('?deleteAll=true')).statusCode).toBe(404);
  });

  it('deletes an instance with the NGSI-LD Null in PATCH …/attrs', async () => {
    const res = await broker.app.inject({
      method: 'PATCH',
      url: `${path}/attrs`,
      payload: { illuminance: { type: 'Property', value: 'urn:ngsi-ld:null', datasetId: ds(1) } },
    });
    expect(res.statusCode).toBe(204);
    expect((await instances()).map((i) => i.datasetId)).toEqual([undefined, ds(2)]);
  });

  it('keeps existing instances with noOverwrite and appends new datasetIds', async () => {
    const res = await broker.app.inject({
      method: 'POST',
      url: `${path}/attrs?options=noOverwrite`,
      payload: {
        illuminance: [
          { type: 'Property', value: 0, datasetId: ds(1) },
          { type: 'Property', value: 30, datasetId: ds(3) },
        ],
      },
    });
    expect(res.statusCode).toBe(207);
    expect((await instances()).map((i) => i.value)).toEqual([3, 10, 20, 30]);
  });
});

describe('refusals of attribute routes', () => {
  it('refuses unknown options, datasetId with deleteAll, and an unknown tenant', async () => {
    const opt = await broker.app.inject({
      method: 'POST',
      url: `${path}/attrs?options=replace`,
      payload: { colour: { type: 'Property', value: 'red' } },
    });
    expect(opt.statusCode).toBe(400);
    const both = await broker.app.inject({
      method: 'DELETE',
      url: `${path}/attrs/illuminance?datasetId=urn:x:1&deleteAll=true`,
    });
    expect(both.statusCode).toBe(400);
    const tenant = await broker.app.inject({
      method: 'PATCH',
      url: `${path}/attrs`,
      headers: { 'ngsild-tenant': 'nobody' },
      payload: { powerState: { type: 'Property', value: 'on' } },
    });
    expect(tenant.statusCode).toBe(404);
    expect(tenant.json()).toMatchObject({
      type: 'https://uri.etsi.org/ngsi-ld/errors/NonexistentTenant',
    });
  });
});
