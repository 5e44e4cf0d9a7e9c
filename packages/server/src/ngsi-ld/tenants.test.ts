import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settle, startTestBroker, type TestBroker } from './test-harness.js';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';
const lamp = {
  id: 'urn:ngsi-ld:Streetlight:sl-1',
  type: 'Streetlight',
  powerState: { type: 'Property', value: 'on' },
};

let broker: TestBroker;
beforeEach(async () => {
  broker = await startTestBroker();
});
afterEach(() => broker.close());

const as = (tenant: string | undefined) => (tenant ? { 'ngsild-tenant': tenant } : {});
const create = (tenant: string | undefined, payload: object = lamp) =>
  broker.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: as(tenant), payload });
const read = (tenant: string | undefined, url = `/ngsi-ld/v1/entities/${lamp.id}`) =>
  broker.app.inject({ url, headers: as(tenant) });

describe('NGSILD-Tenant (clause 4.14)', () => {
  it('keeps tenants apart: same id in two tenants, each sees only its own', async () => {
    const created = await create('north');
    expect(created.statusCode).toBe(201);
    expect(created.headers['ngsild-tenant']).toBe('north');
    expect(
      (await create('south', { ...lamp, powerState: { type: 'Property', value: 'off' } }))
        .statusCode,
    ).toBe(201);
    expect((await read('north')).json()).toMatchObject({ powerState: { value: 'on' } });
    expect((await read('south')).json()).toMatchObject({ powerState: { value: 'off' } });
    expect((await read(undefined)).statusCode).toBe(404);
    expect(await broker.tenants.list()).toEqual(['north', 'south']);
    const types = await read('north', '/ngsi-ld/v1/types');
    expect(types.json()).toMatchObject({ typeList: ['Streetlight'] });
    expect((await read(undefined, '/ngsi-ld/v1/types')).json()).toMatchObject({ typeList: [] });
  });

  it('answers 404 NonexistentTenant to reads and updates of an unknown tenant', async () => {
    for (const res of [
      await read('ghost'),
      await read('ghost', '/ngsi-ld/v1/entities?type=Streetlight'),
      await read('ghost', '/ngsi-ld/v1/types'),
      await broker.app.inject({
        method: 'DELETE',
        url: `/ngsi-ld/v1/entities/${lamp.id}`,
        headers: as('ghost'),
      }),
    ]) {
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ type: `${ETSI}NonexistentTenant` });
    }
    expect(await broker.tenants.list()).toEqual([]);
  });

  it('names the tenant in entity.changed events and refuses malformed tenant names', async () => {
    await create('north');
    await settle();
    expect(broker.events[0]?.payload).toMatchObject({ kind: 'created', tenant: 'north' });
    expect((await create('bad tenant!')).statusCode).toBe(400);
  });

  it('does not create a tenant for a write that fails validation', async () => {
    expect((await create('fresh', { id: 'not a uri', type: 'T' })).statusCode).toBe(400);
    const batch = await broker.app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entityOperations/create',
      headers: as('fresh'),
      payload: [{ id: 'not a uri', type: 'T' }],
    });
    expect(batch.statusCode).toBe(207);
    expect(await broker.tenants.list()).toEqual([]);
    expect((await create('fresh')).statusCode).toBe(201);
    expect(await broker.tenants.list()).toEqual(['fresh']);
  });
});
