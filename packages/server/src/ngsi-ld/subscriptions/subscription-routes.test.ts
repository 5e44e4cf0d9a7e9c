import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSubscriptionApp, type SubscriptionTestApp } from './test-setup.js';

const endpoint = { uri: 'http://127.0.0.1:9/notify' };
const base = { entities: [{ type: 'Room' }], notification: { endpoint } };

describe('subscription CRUD (clauses 5.8, 6.10, 6.11)', () => {
  let t: SubscriptionTestApp;
  beforeEach(async () => (t = await startSubscriptionApp()));
  afterEach(async () => t.close());

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/subscriptions',
      payload: payload as object,
      headers,
    });
  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/subscriptions${url}`, headers });

  it('creates with a generated id, then reads it back with status active', async () => {
    const res = await post({
      type: 'Subscription',
      ...base,
      watchedAttributes: ['temperature'],
      q: 'temperature>20',
    });
    expect(res.statusCode).toBe(201);
    const location = res.headers.location as string;
    expect(location).toMatch(
      /^\/ngsi-ld\/v1\/subscriptions\/urn:ngsi-ld:Subscription:[0-9a-f-]{36}$/,
    );
    const read = await t.app.inject({ method: 'GET', url: location });
    expect(read.statusCode).toBe(200);
    expect(read.headers.link).toContain('ngsi-ld-core-context');
    const sub = read.json();
    expect(sub).toMatchObject({
      type: 'Subscription',
      entities: [{ type: 'Room' }],
      watchedAttributes: ['temperature'],
      q: 'temperature>20',
      isActive: true,
      status: 'active',
      notification: { format: 'normalized', endpoint },
    });
    expect(sub.id).toBe(decodeURIComponent(location.split('/').pop()!));
    expect(sub).not.toHaveProperty('filters');
    expect(sub).not.toHaveProperty('createdAt');
    const withSys = await t.app.inject({ method: 'GET', url: `${location}?options=sysAttrs` });
    expect(withSys.json().createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('keeps a client-given id and refuses it twice with 409 AlreadyExists', async () => {
    const body = { id: 'urn:ngsi-ld:Subscription:mine', type: 'Subscription', ...base };
    expect((await post(body)).statusCode).toBe(201);
    const again = await post(body);
    expect(again.statusCode).toBe(409);
    expect(again.json().type).toBe('https://uri.etsi.org/ngsi-ld/errors/AlreadyExists');
    expect((await get('/urn:ngsi-ld:Subscription:mine')).json().id).toBe(
      'urn:ngsi-ld:Subscription:mine',
    );
  });

  it.each([
    ['a wrong type', { type: 'Subscriptions', ...base }],
    [
      'neither entities nor watchedAttributes',
      { type: 'Subscription', notification: { endpoint } },
    ],
    ['no notification', { type: 'Subscription', entities: [{ type: 'Room' }] }],
    [
      'a relative endpoint',
      { type: 'Subscription', ...base, notification: { endpoint: { uri: '/notify' } } },
    ],
    [
      'an ftp endpoint',
      { type: 'Subscription', ...base, notification: { endpoint: { uri: 'ftp://x.org/a' } } },
    ],
    [
      'an entity selector without type',
      { type: 'Subscription', entities: [{ id: 'urn:a:b' }], notification: { endpoint } },
    ],
    [
      'a bad idPattern',
      {
        type: 'Subscription',
        entities: [{ type: 'Room', idPattern: '(' }],
        notification: { endpoint },
      },
    ],
    ['a bad q', { type: 'Subscription', ...base, q: '(temperature>1' }],
    [
      'a bad geoQ',
      {
        type: 'Subscription',
        ...base,
        geoQ: { geometry: 'Point', coordinates: [1, 2], georel: 'nearby' },
      },
    ],
    ['a bad scopeQ', { type: 'Subscription', ...base, scopeQ: 'Madrid' }],
    [
      'an unknown format',
      { type: 'Subscription', ...base, notification: { endpoint, format: 'xml' } },
    ],
    [
      'an unknown trigger',
      { type: 'Subscription', ...base, notificationTrigger: ['entityTouched'] },
    ],
    [
      'timeInterval with watchedAttributes',
      { type: 'Subscription', ...base, timeInterval: 5, watchedAttributes: ['a'] },
    ],
    [
      'timeInterval with throttling',
      { type: 'Subscription', ...base, timeInterval: 5, throttling: 2 },
    ],
    ['a negative throttling', { type: 'Subscription', ...base, throttling: -1 }],
    ['expiresAt in the past', { type: 'Subscription', ...base, expiresAt: '2001-01-01T00:00:00Z' }],
    [
      'a bad MQTT-QoS',
      {
        type: 'Subscription',
        ...base,
        notification: {
          endpoint: { uri: 'mqtt://h:1883/t', notifierInfo: [{ key: 'MQTT-QoS', value: '3' }] },
        },
      },
    ],
    ['an unknown member', { type: 'Subscription', ...base, colour: 'blue' }],
    [
      'an id too long to address',
      { id: `urn:x:${'a'.repeat(200)}`, type: 'Subscription', ...base },
    ],
  ])('refuses %s with 400 BadRequestData', async (_why, body) => {
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().type).toBe('https://uri.etsi.org/ngsi-ld/errors/BadRequestData');
    expect((await get('')).json()).toEqual([]);
  });

  it('refuses members it does not implement with 501 instead of ignoring them', async () => {
    const res = await post({ type: 'Subscription', ...base, csf: 'x' });
    expect(res.statusCode).toBe(501);
  });

  it('lists with limit, offset and count', async () => {
    for (let i = 0; i < 5; i++)
      expect(
        (await post({ id: `urn:ngsi-ld:Subscription:s${i}`, type: 'Subscription', ...base }))
          .statusCode,
      ).toBe(201);
    const page = await get('?limit=2&offset=1&count=true');
    expect(page.statusCode).toBe(200);
    expect(page.headers['ngsild-results-count']).toBe('5');
    expect(page.json().map((s: { id: string }) => s.id)).toEqual([
      'urn:ngsi-ld:Subscription:s1',
      'urn:ngsi-ld:Subscription:s2',
    ]);
    expect((await get('?limit=5000')).statusCode).toBe(403);
    const ld = await get('?limit=1', { accept: 'application/ld+json' });
    expect(ld.headers['content-type']).toContain('application/ld+json');
    expect(ld.json()[0]['@context']).toBeDefined();
  });

  it('patches by merging a fragment (notification member by member) and deletes', async () => {
    const id = await t.subscribe({ ...base, notification: { endpoint, format: 'keyValues' } });
    const url = `/ngsi-ld/v1/subscriptions/${id}`;
    const patch = await t.app.inject({
      method: 'PATCH',
      url,
      payload: {
        q: 'temperature>30',
        isActive: false,
        notification: { attributes: ['temperature'] },
      },
    });
    expect(patch.statusCode).toBe(204);
    const after = (await t.app.inject({ method: 'GET', url })).json();
    expect(after).toMatchObject({
      q: 'temperature>30',
      isActive: false,
      status: 'paused',
      notification: { format: 'keyValues', attributes: ['temperature'], endpoint },
    });
    const invalid = await t.app.inject({ method: 'PATCH', url, payload: { q: '((' } });
    expect(invalid.statusCode).toBe(400);
    const removeQ = await t.app.inject({
      method: 'PATCH',
      url,
      payload: { q: 'urn:ngsi-ld:null' },
    });
    expect(removeQ.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url })).json()).not.toHaveProperty('q');
    expect((await t.app.inject({ method: 'DELETE', url })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'PATCH', url, payload: { q: 'a' } })).statusCode).toBe(
      404,
    );
  });

  it('keeps tenants apart: a tenant sees only its own subscriptions', async () => {
    await t.subscribe(base, { 'ngsild-tenant': 'north' });
    await t.subscribe(base);
    expect((await get('', { 'ngsild-tenant': 'north' })).json()).toHaveLength(1);
    expect((await get('')).json()).toHaveLength(1);
    const unknown = await get('', { 'ngsild-tenant': 'south' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().type).toBe('https://uri.etsi.org/ngsi-ld/errors/NonexistentTenant');
  });
});
