import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonMergePatch } from './entity-merge.js';
import { settle, startTestBroker, type TestBroker } from './test-harness.js';

const id = 'urn:ngsi-ld:Vehicle:v1';
const path = `/ngsi-ld/v1/entities/${id}`;
const car = {
  id,
  type: 'Vehicle',
  speed: { type: 'Property', value: 40, unitCode: 'KMH', accuracy: { type: 'Property', value: 1 } },
  brand: { type: 'Property', value: 'Mercedes' },
  settings: { type: 'Property', value: { mode: 'eco', seats: { heated: true } } },
  owner: { type: 'Relationship', object: 'urn:ngsi-ld:Person:p1' },
};

let broker: TestBroker;
beforeEach(async () => {
  broker = await startTestBroker();
  const res = await broker.app.inject({
    method: 'POST',
    url: '/ngsi-ld/v1/entities',
    payload: car,
  });
  expect(res.statusCode).toBe(201);
});
afterEach(() => broker.close());

const get = async (qs = '') =>
  (await broker.app.inject({ url: `${path}${qs}` })).json<Record<string, unknown>>();
const send = (method: 'PATCH' | 'PUT', payload: unknown, contentType = 'application/json') =>
  broker.app.inject({
    method,
    url: path,
    headers: { 'content-type': contentType },
    payload: JSON.stringify(payload),
  });

describe('PATCH /entities/{id} (merge entity, clause 5.6.17)', () => {
  it('adds, merges and deletes with the NGSI-LD Null, keeping createdAt', async () => {
    const before = await get('?options=sysAttrs');
    await new Promise((r) => setTimeout(r, 5));
    const res = await send('PATCH', {
      speed: { type: 'Property', value: 55, accuracy: 'urn:ngsi-ld:null' },
      brand: { type: 'Property', value: 'urn:ngsi-ld:null' },
      settings: { type: 'Property', value: { seats: { heated: false }, mode: 'urn:ngsi-ld:null' } },
      colour: { type: 'Property', value: 'red' },
    });
    expect(res.statusCode, res.body).toBe(204);
    const after = await get('?options=sysAttrs');
    expect(after.createdAt).toBe(before.createdAt);
    expect(after.modifiedAt).not.toBe(before.modifiedAt);
    expect(after.brand).toBeUndefined();
    expect(after.speed).toMatchObject({ value: 55, unitCode: 'KMH' });
    expect(after.speed).not.toHaveProperty('accuracy');
    expect(after.settings).toMatchObject({ value: { seats: { heated: false } } });
    expect((after.settings as { value: object }).value).not.toHaveProperty('mode');
    expect(after.colour).toMatchObject({ value: 'red' });
    expect(after.owner).toMatchObject({ object: 'urn:ngsi-ld:Person:p1' });
  });

  it('takes application/merge-patch+json, where JSON null deletes', async () => {
    const res = await send('PATCH', { brand: null, speed: 60 }, 'application/merge-patch+json');
    expect(res.statusCode, res.body).toBe(204);
    const after = await get();
    expect(after.brand).toBeUndefined();
    expect(after.speed).toMatchObject({ value: 60, unitCode: 'KMH' });
  });

  it('refuses merge-patch+json on other routes (415), a missing entity (404), a wrong id (400)', async () => {
    const elsewhere = await broker.app.inject({
      method: 'POST',
      url: `${path}/attrs`,
      headers: { 'content-type': 'application/merge-patch+json' },
      payload: JSON.stringify({ a: 1 }),
    });
    expect(elsewhere.statusCode).toBe(415);
    const missing = await broker.app.inject({
      method: 'PATCH',
      url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:none',
      payload: { speed: { type: 'Property', value: 1 } },
    });
    expect(missing.statusCode).toBe(404);
    expect((await send('PATCH', { id: 'urn:x:other', speed: 1 })).statusCode).toBe(400);
  });

  it('publishes an update with the previous state', async () => {
    await send('PATCH', { speed: { type: 'Property', value: 70 } });
    await settle();
    const last = broker.events.at(-1)?.payload as Record<string, { speed: { value: number } }>;
    expect(last).toMatchObject({ kind: 'updated', id, type: 'Vehicle' });
    expect(last.entity?.speed.value).toBe(70);
    expect(last.previous?.speed.value).toBe(40);
  });
});

describe('PUT /entities/{id} (replace entity, clause 5.6.18)', () => {
  it('replaces every attribute and keeps createdAt', async () => {
    const before = await get('?options=sysAttrs');
    const res = await send('PUT', { type: 'Vehicle', speed: { type: 'Property', value: 1 } });
    expect(res.statusCode, res.body).toBe(204);
    expect(await get()).toEqual({ id, type: 'Vehicle', speed: { type: 'Property', value: 1 } });
    expect((await get('?options=sysAttrs')).createdAt).toBe(before.createdAt);
  });

  it('answers 404 for a missing entity and 400 for an invalid one', async () => {
    const missing = await broker.app.inject({
      method: 'PUT',
      url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:none',
      payload: { type: 'Vehicle' },
    });
    expect(missing.statusCode).toBe(404);
    expect((await send('PUT', { type: 'Vehicle', speed: { type: 'Nope' } })).statusCode).toBe(400);
  });
});

describe('jsonMergePatch (RFC 7396)', () => {
  const json = fc.jsonValue();
  it('gives the patch when the patch is not an object', () => {
    fc.assert(
      fc.property(json, fc.oneof(fc.integer(), fc.string(), fc.array(fc.integer())), (t, p) => {
        expect(jsonMergePatch(t, p)).toEqual(p);
      }),
    );
  });
  it('is idempotent and keeps members the patch does not name', () => {
    const obj = fc.dictionary(fc.string({ minLength: 1 }), json);
    fc.assert(
      fc.property(obj, obj, (target, patch) => {
        const once = jsonMergePatch(target, patch);
        expect(jsonMergePatch(once, patch)).toEqual(once);
        for (const k of Object.keys(target))
          if (!(k in patch)) expect((once as Record<string, unknown>)[k]).toEqual(target[k]);
      }),
    );
  });
});
