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
      payload: JSON.stringify({ powerState: { type: 'Property', value: 'on' } }),
    });
    expect(res.statusCode).toBe(204);
    expect(await get()).toEqual({ ...lamp, powerState: { type: 'Property', value: 'on' } });
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
    expect(created).toEqual({ id, type: 'Streetlight', kind: 'created', entity: lamp });
    expect(updated).toMatchObject({ kind: 'updated', entity: { powerState: { value: 'on' } } });
    expect(removed).toEqual({ id, type: 'Streetlight', kind: 'deleted' });
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
