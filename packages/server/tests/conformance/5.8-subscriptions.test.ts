// ETSI GS CIM 009 v1.8 clause 5.8 (context subscription: create 5.8.1, update 5.8.2, retrieve
// 5.8.3, query 5.8.4, delete 5.8.5), 5.2.12 (Subscription): what triggers a notification,
// isActive, expiresAt, throttling and timeInterval.
import { describe, expect, it } from 'vitest';
import { expectProblem, link, sleep, unique, urn } from './helpers/broker.js';
import {
  NS,
  P,
  USER_CTX,
  about,
  endpoint,
  room,
  setTemp,
  status,
  subPath,
  subscribe,
  subscription,
  useSubscriptionKit,
} from './helpers/subscription-kit.js';

const k = useSubscriptionKit();
const b = k.b;

describe('5.8.1 Create Subscription (POST /subscriptions)', () => {
  it('6.10.3.1: 201 Created with a Location /ngsi-ld/v1/subscriptions/{id}', async () => {
    const res = await b.api.post('/subscriptions', subscription(endpoint().uri));
    expect(res.status, res.text).toBe(201);
    expect(res.headers.location).toMatch(/^\/ngsi-ld\/v1\/subscriptions\/.+/);
  });

  it('5.8.1: a client-chosen id is kept', async () => {
    const id = urn('Subscription');
    const res = await b.api.post('/subscriptions', { id, ...subscription(endpoint().uri) });
    expect(res.headers.location).toBe(`/ngsi-ld/v1/subscriptions/${id}`);
  });

  it('5.8.1: 409 AlreadyExists when the id is taken', async () => {
    const id = urn('Subscription');
    await b.api.post('/subscriptions', { id, ...subscription(endpoint().uri) });
    expectProblem(
      await b.api.post('/subscriptions', { id, ...subscription(endpoint().uri) }),
      409,
      'AlreadyExists',
    );
  });

  const uri = 'http://127.0.0.1:1/n';
  const future = new Date(Date.now() + 3600_000).toISOString();
  it.each([
    [
      'neither entities nor watchedAttributes are given',
      { type: 'Subscription', notification: { endpoint: { uri } } },
    ],
    ['notification is missing', { type: 'Subscription', entities: [{ type: 'Room' }] }],
    ['the endpoint uri is not a URI', subscription('not a uri')],
    ['type is not "Subscription"', { ...subscription(uri), type: 'Registration' }],
    ['the id is not a URI', { ...subscription(uri), id: 'sub 1' }],
    [
      'throttling and timeInterval are both given',
      subscription(uri, { throttling: 5, timeInterval: 10 }),
    ],
    [
      'timeInterval is given with watchedAttributes',
      subscription(uri, { timeInterval: 10, watchedAttributes: ['temperature'] }),
    ],
    ['throttling is negative', subscription(uri, { throttling: -1 })],
    ['expiresAt is in the past', subscription(uri, { expiresAt: '2000-01-01T00:00:00Z' })],
    ['expiresAt is not a DateTime', subscription(uri, { expiresAt: 'tomorrow' })],
    ['watchedAttributes is empty', subscription(uri, { watchedAttributes: [] })],
    ['q is not valid', subscription(uri, { q: 'temperature>>1', expiresAt: future })],
    [
      'an entities member has no type',
      { ...subscription(uri), entities: [{ id: 'urn:ngsi-ld:Room:1' }] },
    ],
    ['notification.format is unknown', subscription(uri, {}, { format: 'fancy' })],
  ])('5.8.1: 400 BadRequestData when %s', async (_why, body) => {
    expectProblem(await b.api.post('/subscriptions', body), 400, 'BadRequestData');
  });
});

describe('5.8.3 Retrieve / 5.8.4 Query / 5.8.2 Update / 5.8.5 Delete Subscription', () => {
  it('5.8.3: GET /subscriptions/{id} returns the subscription with status "active"', async () => {
    const { uri } = endpoint();
    const id = await subscribe(
      subscription(uri, { watchedAttributes: ['temperature'], description: 'warm rooms' }),
    );
    const res = await b.api.get(subPath(id));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      type: 'Subscription',
      entities: [{ type: 'Room' }],
      watchedAttributes: ['temperature'],
      description: 'warm rooms',
      isActive: true,
      status: 'active',
      notification: { endpoint: { uri } },
    });
    expect(decodeURIComponent(id)).toBe(res.body.id);
  });

  it('5.8.3: 404 ResourceNotFound for an unknown subscription', async () => {
    expectProblem(
      await b.api.get(subPath('urn:ngsi-ld:Subscription:none')),
      404,
      'ResourceNotFound',
    );
  });

  it('5.8.4: GET /subscriptions lists the subscriptions', async () => {
    const a = await subscribe(subscription(endpoint().uri));
    const c = await subscribe(subscription(endpoint().uri));
    const res = await b.api.get('/subscriptions');
    expect(res.status, res.text).toBe(200);
    const listed = res.body.map((s: { id: string }) => s.id);
    expect(listed).toEqual(expect.arrayContaining([decodeURIComponent(a), decodeURIComponent(c)]));
  });

  it('5.8.4: limit and count=true page the subscription list', async () => {
    for (let i = 0; i < 3; i++) await subscribe(subscription(endpoint().uri));
    const res = await b.api.get('/subscriptions?limit=2&count=true');
    expect(res.body).toHaveLength(2);
    expect(res.headers['ngsild-results-count']).toBe('3');
  });

  it('5.8.2: PATCH /subscriptions/{id} answers 204 and changes only the given members', async () => {
    const { uri } = endpoint();
    const id = await subscribe(subscription(uri, { watchedAttributes: ['temperature'] }));
    const res = await b.api.patch(subPath(id), { q: 'temperature>25', description: 'hot' });
    expect(res.status, res.text).toBe(204);
    const got = await status(id);
    expect(got.q).toBe('temperature>25');
    expect(got.description).toBe('hot');
    expect(got.watchedAttributes).toEqual(['temperature']);
    expect(got.notification.endpoint.uri).toBe(uri);
  });

  it('5.8.2: 404 ResourceNotFound when updating an unknown subscription', async () => {
    expectProblem(
      await b.api.patch(subPath('urn:ngsi-ld:Subscription:none'), { description: 'x' }),
      404,
      'ResourceNotFound',
    );
  });

  it('5.8.2: 400 BadRequestData when the update makes the subscription invalid', async () => {
    const id = await subscribe(subscription(endpoint().uri, { throttling: 5 }));
    expectProblem(await b.api.patch(subPath(id), { timeInterval: 10 }), 400, 'BadRequestData');
  });

  it('5.8.5: DELETE answers 204, after which the subscription is 404', async () => {
    const id = await subscribe(subscription(endpoint().uri));
    expect((await b.api.delete(subPath(id))).status).toBe(204);
    expectProblem(await b.api.get(subPath(id)), 404, 'ResourceNotFound');
  });

  it('5.8.5: 404 ResourceNotFound when deleting an unknown subscription', async () => {
    expectProblem(
      await b.api.delete(subPath('urn:ngsi-ld:Subscription:none')),
      404,
      'ResourceNotFound',
    );
  });

  it('5.8.5: a deleted subscription no longer notifies', async () => {
    const { uri, path } = endpoint();
    const id = await subscribe(subscription(uri));
    await b.api.delete(subPath(id));
    await b.api.post('/entities', room());
    await sleep(300);
    expect(k.rx.at(path)).toHaveLength(0);
  });

  it('5.8.3: watchedAttributes and entity types are compacted with the request @context', async () => {
    const id = await subscribe(
      {
        type: 'Subscription',
        entities: [{ type: 'Lab' }],
        watchedAttributes: ['temp'],
        notification: { endpoint: { uri: endpoint().uri } },
      },
      { link: link(USER_CTX) },
    );
    expect((await b.api.get(subPath(id), { link: link(USER_CTX) })).body).toMatchObject({
      entities: [{ type: 'Lab' }],
      watchedAttributes: ['temp'],
    });
    expect((await status(id)).watchedAttributes).toEqual([`${NS}temperature`]);
  });
});

describe('5.8.1 / 5.11 What triggers a notification', () => {
  it('5.11: an entity of another type does not trigger', async () => {
    const { uri, path } = endpoint();
    await subscribe(subscription(uri));
    await b.api.post('/entities', { id: urn('Car'), type: 'Car', speed: P(1) });
    await sleep(300);
    expect(k.rx.at(path)).toHaveLength(0);
  });

  it('5.2.12: entities[].id restricts to that entity', async () => {
    const { uri, path } = endpoint();
    const target = room();
    await subscribe({ ...subscription(uri), entities: [{ type: 'Room', id: target.id }] });
    await b.api.post('/entities', room());
    await b.api.post('/entities', target);
    await k.rx.waitFor(1, (r) => r.path === path);
    await sleep(200);
    expect(k.rx.at(path).flatMap((r) => r.body.data.map((e: { id: string }) => e.id))).toEqual([
      target.id,
    ]);
  });

  it('5.2.12: entities[].idPattern restricts by regular expression', async () => {
    const { uri, path } = endpoint();
    const tag = unique('pat');
    await subscribe({
      ...subscription(uri),
      entities: [{ type: 'Room', idPattern: `.*${tag}.*` }],
    });
    const hit = room(`urn:ngsi-ld:Room:${tag}`);
    await b.api.post('/entities', room());
    await b.api.post('/entities', hit);
    await k.rx.waitFor(1, (r) => r.path === path);
    await sleep(200);
    expect(k.rx.at(path).flatMap((r) => r.body.data.map((e: { id: string }) => e.id))).toEqual([
      hit.id,
    ]);
  });

  it('5.8.1: watchedAttributes: a change of another attribute does not trigger', async () => {
    const { uri, path } = endpoint();
    const e = room();
    await b.api.post('/entities', e);
    await subscribe(subscription(uri, { watchedAttributes: ['temperature'] }));
    await b.api.patch(`/entities/${e.id}/attrs`, { humidity: P(60) });
    await sleep(300);
    expect(about(path, e.id)).toHaveLength(0);
    await setTemp(e.id, 22);
    expect(await k.rx.waitFor(1, (r) => r.path === path)).toHaveLength(1);
  });

  it('5.8.1: watchedAttributes without entities matches any entity type', async () => {
    const { uri, path } = endpoint();
    await subscribe({
      type: 'Subscription',
      watchedAttributes: ['speed'],
      notification: { endpoint: { uri } },
    });
    await b.api.post('/entities', { id: urn('Car'), type: 'Car', speed: P(3) });
    expect(await k.rx.waitFor(1, (r) => r.path === path)).toHaveLength(1);
  });

  it('5.8.1: q restricts notifications to entities matching after the change', async () => {
    const { uri, path } = endpoint();
    const e = room();
    await b.api.post('/entities', e);
    await subscribe(subscription(uri, { watchedAttributes: ['temperature'], q: 'temperature>25' }));
    await setTemp(e.id, 24);
    await sleep(250);
    expect(about(path, e.id)).toHaveLength(0);
    await setTemp(e.id, 26);
    const [n] = await k.rx.waitFor(1, (r) => r.path === path);
    expect(n?.body?.data?.[0]?.temperature?.value).toBe(26);
  });

  it('5.8.1: geoQ restricts notifications to entities matching the geo-query', async () => {
    const { uri, path } = endpoint();
    await subscribe(
      subscription(uri, {
        geoQ: { geometry: 'Point', coordinates: [10, 50], georel: 'near;maxDistance==1000' },
      }),
    );
    const near = room();
    const far = {
      ...room(),
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [20, 20] } },
    };
    await b.api.post('/entities', far);
    await b.api.post('/entities', near);
    await k.rx.waitFor(1, (r) => r.path === path);
    await sleep(200);
    expect(k.rx.at(path).flatMap((r) => r.body.data.map((x: { id: string }) => x.id))).toEqual([
      near.id,
    ]);
  });

  it('5.8.1: scopeQ restricts notifications to entities in scope', async () => {
    const { uri, path } = endpoint();
    await subscribe(subscription(uri, { scopeQ: '/Madrid/#' }));
    const inScope = { ...room(), scope: '/Madrid/Centro' };
    await b.api.post('/entities', { ...room(), scope: '/Paris' });
    await b.api.post('/entities', inScope);
    await k.rx.waitFor(1, (r) => r.path === path);
    await sleep(200);
    expect(k.rx.at(path).flatMap((r) => r.body.data.map((x: { id: string }) => x.id))).toEqual([
      inScope.id,
    ]);
  });

  it('5.5.10: a subscription of one tenant is not triggered by another tenant', async () => {
    const { uri, path } = endpoint();
    const tenant = unique('subtenant');
    await subscribe(subscription(uri), { 'ngsild-tenant': tenant });
    await b.api.post('/entities', room());
    await sleep(300);
    expect(k.rx.at(path)).toHaveLength(0);
    await b.api.post('/entities', room(), { 'ngsild-tenant': tenant });
    expect(await k.rx.waitFor(1, (r) => r.path === path)).toHaveLength(1);
    const listed = (await b.api.get('/subscriptions')).body.map(
      (s: { notification: { endpoint: { uri: string } } }) => s.notification.endpoint.uri,
    );
    expect(listed).not.toContain(uri);
  });
});

describe('5.8.1 isActive, expiresAt, throttling, timeInterval', () => {
  it('5.2.12: isActive=false gives status "paused" and sends nothing', async () => {
    const { uri, path } = endpoint();
    const id = await subscribe(subscription(uri, { isActive: false }));
    expect((await status(id)).status).toBe('paused');
    await b.api.post('/entities', room());
    await sleep(300);
    expect(k.rx.at(path)).toHaveLength(0);
  });

  it('5.8.2: setting isActive=true resumes notifications (status "active")', async () => {
    const { uri, path } = endpoint();
    const id = await subscribe(subscription(uri, { isActive: false }));
    await b.api.patch(subPath(id), { isActive: true });
    expect((await status(id)).status).toBe('active');
    await b.api.post('/entities', room());
    expect(await k.rx.waitFor(1, (r) => r.path === path)).toHaveLength(1);
  });

  it('5.2.12: after expiresAt the status is "expired" and nothing is sent', async () => {
    const { uri, path } = endpoint();
    const id = await subscribe(
      subscription(uri, { expiresAt: new Date(Date.now() + 800).toISOString() }),
    );
    await sleep(1000);
    expect((await status(id)).status).toBe('expired');
    await b.api.post('/entities', room());
    await sleep(250);
    expect(k.rx.at(path)).toHaveLength(0);
  });

  it('5.2.12: throttling=1 sends at most one notification per second', async () => {
    const { uri, path } = endpoint();
    const e = room();
    await b.api.post('/entities', e);
    await subscribe(subscription(uri, { watchedAttributes: ['temperature'], throttling: 1 }));
    for (const t of [30, 31, 32]) await setTemp(e.id, t);
    await k.rx.waitFor(1, (r) => r.path === path);
    await sleep(500);
    expect(k.rx.at(path)).toHaveLength(1);
  });

  it('5.2.12: timeInterval=1 notifies the matching entities every second without changes', async () => {
    const { uri, path } = endpoint();
    const e = room();
    await b.api.post('/entities', e);
    await subscribe(subscription(uri, { timeInterval: 1 }));
    const ns = await k.rx.waitFor(2, (r) => r.path === path, 3500);
    expect(ns.length).toBeGreaterThanOrEqual(2);
    expect(ns[0]!.body.data.map((x: { id: string }) => x.id)).toContain(e.id);
    expect(ns[1]!.at - ns[0]!.at).toBeGreaterThanOrEqual(700);
  });
});
