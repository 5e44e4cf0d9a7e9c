// ETSI GS CIM 009 v1.8 clause 5.8 (context subscription: create 5.8.1, update 5.8.2, retrieve
// 5.8.3, query 5.8.4, delete 5.8.5), 5.2.12 (Subscription), 5.2.14 (NotificationParams),
// 5.11 (notification behaviour), 6.3.x HTTP notifications and the MQTT binding (annex/7.x).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, link, sleep, unique, urn, useBroker, waitFor } from './helpers/broker.js';
import { startMqtt, type MqttHarness } from './helpers/mqtt.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

const USER_CTX = 'https://example.org/conformance/subscription-context.jsonld';
const NS = 'https://example.org/ns/';
const b = useBroker({
  preloadedContexts: { [USER_CTX]: { '@context': { temp: `${NS}temperature`, Lab: `${NS}Lab` } } },
});

let rx: Receiver;
let mqtt: MqttHarness;
beforeAll(async () => {
  rx = await startReceiver();
  mqtt = await startMqtt();
});
afterAll(async () => {
  await rx.close();
  await mqtt.close();
});

const P = (value: unknown) => ({ type: 'Property', value });
/** A fresh endpoint path on the receiver. */
function endpoint() {
  const p = `/${unique('notify')}`;
  return { uri: rx.url + p, path: p };
}
function subscription(uri: string, extra: Record<string, unknown> = {}, notification: Record<string, unknown> = {}) {
  return {
    type: 'Subscription',
    entities: [{ type: 'Room' }],
    ...extra,
    notification: { endpoint: { uri, accept: 'application/json' }, ...notification },
  };
}
async function subscribe(body: unknown, headers?: Record<string, string>) {
  const res = await b.api.post('/subscriptions', body, headers);
  expect(res.status, res.text).toBe(201);
  return (res.headers.location ?? '').replace(/^.*\/subscriptions\//, '');
}
const room = (id = urn('Room'), t = 20) => ({
  id,
  type: 'Room',
  temperature: P(t),
  humidity: P(50),
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [10, 50] } },
});
const setTemp = (id: string, value: number) =>
  b.api.patch(`/entities/${encodeURIComponent(id)}/attrs`, { temperature: P(value) });
const subPath = (id: string) => `/subscriptions/${encodeURIComponent(decodeURIComponent(id))}`;
const status = async (id: string) => (await b.api.get(subPath(id))).body;
/** Notifications at `path` whose data holds entity `id`. */
const about = (path: string, id: string) =>
  rx.at(path).filter((r) => r.body?.data?.some((e: { id: string }) => e.id === id));

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
    expectProblem(await b.api.post('/subscriptions', { id, ...subscription(endpoint().uri) }), 409, 'AlreadyExists');
  });

  const uri = 'http://127.0.0.1:1/n';
  const future = new Date(Date.now() + 3600_000).toISOString();
  it.each([
    ['neither entities nor watchedAttributes are given', { type: 'Subscription', notification: { endpoint: { uri } } }],
    ['notification is missing', { type: 'Subscription', entities: [{ type: 'Room' }] }],
    ['the endpoint uri is not a URI', subscription('not a uri')],
    ['type is not "Subscription"', { ...subscription(uri), type: 'Registration' }],
    ['the id is not a URI', { ...subscription(uri), id: 'sub 1' }],
    ['throttling and timeInterval are both given', subscription(uri, { throttling: 5, timeInterval: 10 })],
    ['timeInterval is given with watchedAttributes', subscription(uri, { timeInterval: 10, watchedAttributes: ['temperature'] })],
    ['throttling is negative', subscription(uri, { throttling: -1 })],
    ['expiresAt is in the past', subscription(uri, { expiresAt: '2000-01-01T00:00:00Z' })],
    ['expiresAt is not a DateTime', subscription(uri, { expiresAt: 'tomorrow' })],
    ['watchedAttributes is empty', subscription(uri, { watchedAttributes: [] })],
    ['q is not valid', subscription(uri, { q: 'temperature>>1', expiresAt: future })],
    ['an entities member has no type', { ...subscription(uri), entities: [{ id: 'urn:ngsi-ld:Room:1' }] }],
    ['notification.format is unknown', subscription(uri, {}, { format: 'fancy' })],
  ])('5.8.1: 400 BadRequestData when %s', async (_why, body) => {
    expectProblem(await b.api.post('/subscriptions', body), 400, 'BadRequestData');
  });
});

describe('5.8.3 Retrieve / 5.8.4 Query / 5.8.2 Update / 5.8.5 Delete Subscription', () => {
  it('5.8.3: GET /subscriptions/{id} returns the subscription with status "active"', async () => {
    const { uri } = endpoint();
    const id = await subscribe(subscription(uri, { watchedAttributes: ['temperature'], description: 'warm rooms' }));
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
    expectProblem(await b.api.get(subPath('urn:ngsi-ld:Subscription:none')), 404, 'ResourceNotFound');
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
    expectProblem(await b.api.patch(subPath('urn:ngsi-ld:Subscription:none'), { description: 'x' }), 404, 'ResourceNotFound');
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
    expectProblem(await b.api.delete(subPath('urn:ngsi-ld:Subscription:none')), 404, 'ResourceNotFound');
  });

  it('5.8.5: a deleted subscription no longer notifies', async () => {
    const { uri, path } = endpoint();
    const id = await subscribe(subscription(uri));
    await b.api.delete(subPath(id));
    await b.api.post('/entities', room());
    await sleep(300);
    expect(rx.at(path)).toHaveLength(0);
  });

  it('5.8.3: watchedAttributes and entity types are compacted with the request @context', async () => {
    const id = await subscribe(
      { type: 'Subscription', entities: [{ type: 'Lab' }], watchedAttributes: ['temp'], notification: { endpoint: { uri: endpoint().uri } } },
      { link: link(USER_CTX) },
    );
    expect((await b.api.get(subPath(id), { link: link(USER_CTX) })).body).toMatchObject({
      entities: [{ type: 'Lab' }],
      watchedAttributes: ['temp'],
    });
    expect((await status(id)).watchedAttributes).toEqual([`${NS}temperature`]);
  });
});

describe('5.11 Notification content (HTTP endpoint)', () => {
  it('5.11/5.3.1: a matching entity creation is notified with a Notification document', async () => {
    const { uri, path } = endpoint();
    const id = await subscribe(subscription(uri));
    const e = room();
    await b.api.post('/entities', e);
    const [n] = await rx.waitFor(1, (r) => r.path === path);
    expect(n, 'no notification arrived').toBeDefined();
    expect(n!.method).toBe('POST');
    expect(n!.headers['content-type']).toMatch(/^application\/json/);
    expect(n!.body).toMatchObject({ type: 'Notification', subscriptionId: decodeURIComponent(id) });
    expect(n!.body.id).toMatch(/^urn:/);
    expect(Number.isNaN(Date.parse(n!.body.notifiedAt))).toBe(false);
    expect(n!.body.data).toEqual([e]);
  });

  it('6.3.x: an application/json notification carries the JSON-LD Link header of its @context', async () => {
    const { uri, path } = endpoint();
    await subscribe(subscription(uri));
    await b.api.post('/entities', room());
    const [n] = await rx.waitFor(1, (r) => r.path === path);
    expect(String(n?.headers.link)).toMatch(/ngsi-ld-core-context/);
  });

  it('5.2.15: endpoint accept application/ld+json puts the @context into each notified entity', async () => {
    const { uri, path } = endpoint();
    await subscribe({
      ...subscription(uri),
      notification: { endpoint: { uri, accept: 'application/ld+json' } },
    });
    await b.api.post('/entities', room());
    const [n] = await rx.waitFor(1, (r) => r.path === path);
    expect(n?.headers['content-type']).toMatch(/^application\/ld\+json/);
    for (const e of n?.body?.data ?? [undefined]) expect(e?.['@context']).toBeDefined();
  });

  it('5.8.1: notification terms are compacted with the @context the subscription was created with', async () => {
    const { uri, path } = endpoint();
    await subscribe(
      { type: 'Subscription', entities: [{ type: 'Lab' }], notification: { endpoint: { uri } } },
      { link: link(USER_CTX) },
    );
    const id = urn('Lab');
    await b.api.post('/entities', { id, type: 'Lab', temp: P(4) }, { link: link(USER_CTX) });
    const [n] = await rx.waitFor(1, (r) => r.path === path);
    expect(n?.body?.data).toEqual([{ id, type: 'Lab', temp: P(4) }]);
    expect(String(n?.headers.link)).toContain(USER_CTX);
  });

  it('5.2.14: notification.attributes restricts the notified attributes', async () => {
    const { uri, path } = endpoint();
    await subscribe(subscription(uri, {}, { attributes: ['temperature'] }));
    const e = room();
    await b.api.post('/entities', e);
    const [n] = await rx.waitFor(1, (r) => r.path === path);
    expect(n?.body?.data).toEqual([{ id: e.id, type: 'Room', temperature: e.temperature }]);
  });

  it('5.2.14: format keyValues notifies simplified entities', async () => {
    const { uri, path } = endpoint();
    await subscribe(subscription(uri, {}, { format: 'keyValues' }));
    const e = room();
    await b.api.post('/entities', e);
    const [n] = await rx.waitFor(1, (r) => r.path === path);
    expect(n?.body?.data).toEqual([
      { id: e.id, type: 'Room', temperature: 20, humidity: 50, location: e.location.value },
    ]);
  });

  it('5.2.14: format concise notifies concise entities', async () => {
    const { uri, path } = endpoint();
    await subscribe(subscription(uri, {}, { format: 'concise' }));
    const e = room();
    await b.api.post('/entities', e);
    const [n] = await rx.waitFor(1, (r) => r.path === path);
    expect(n?.body?.data?.[0]?.temperature).toBe(20);
  });

  it('5.2.14: sysAttrs=true adds createdAt/modifiedAt to notified entities', async () => {
    const { uri, path } = endpoint();
    await subscribe(subscription(uri, {}, { sysAttrs: true }));
    await b.api.post('/entities', room());
    const [n] = await rx.waitFor(1, (r) => r.path === path);
    expect(typeof n?.body?.data?.[0]?.createdAt).toBe('string');
    expect(typeof n?.body?.data?.[0]?.temperature?.modifiedAt).toBe('string');
  });

  it('5.2.14: showChanges=true adds previousValue to changed attributes', async () => {
    const { uri, path } = endpoint();
    const e = room();
    await b.api.post('/entities', e);
    await subscribe(subscription(uri, { watchedAttributes: ['temperature'] }, { showChanges: true }));
    await setTemp(e.id, 27);
    const ns = await rx.waitFor(1, (r) => r.path === path && r.body?.data?.[0]?.temperature?.value === 27);
    expect(ns.at(-1)?.body?.data?.[0]?.temperature?.previousValue).toBe(20);
  });

  it('5.2.15: endpoint.receiverInfo key/values are sent as HTTP headers', async () => {
    const { uri, path } = endpoint();
    await subscribe({
      ...subscription(uri),
      notification: { endpoint: { uri, receiverInfo: [{ key: 'X-Auth-Token', value: 'secret-42' }] } },
    });
    await b.api.post('/entities', room());
    const [n] = await rx.waitFor(1, (r) => r.path === path);
    expect(n?.headers['x-auth-token']).toBe('secret-42');
  });
});

describe('5.8.1 / 5.11 What triggers a notification', () => {
  it('5.11: an entity of another type does not trigger', async () => {
    const { uri, path } = endpoint();
    await subscribe(subscription(uri));
    await b.api.post('/entities', { id: urn('Car'), type: 'Car', speed: P(1) });
    await sleep(300);
    expect(rx.at(path)).toHaveLength(0);
  });

  it('5.2.12: entities[].id restricts to that entity', async () => {
    const { uri, path } = endpoint();
    const target = room();
    await subscribe({ ...subscription(uri), entities: [{ type: 'Room', id: target.id }] });
    await b.api.post('/entities', room());
    await b.api.post('/entities', target);
    await rx.waitFor(1, (r) => r.path === path);
    await sleep(200);
    expect(rx.at(path).flatMap((r) => r.body.data.map((e: { id: string }) => e.id))).toEqual([target.id]);
  });

  it('5.2.12: entities[].idPattern restricts by regular expression', async () => {
    const { uri, path } = endpoint();
    const tag = unique('pat');
    await subscribe({ ...subscription(uri), entities: [{ type: 'Room', idPattern: `.*${tag}.*` }] });
    const hit = room(`urn:ngsi-ld:Room:${tag}`);
    await b.api.post('/entities', room());
    await b.api.post('/entities', hit);
    await rx.waitFor(1, (r) => r.path === path);
    await sleep(200);
    expect(rx.at(path).flatMap((r) => r.body.data.map((e: { id: string }) => e.id))).toEqual([hit.id]);
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
    expect(await rx.waitFor(1, (r) => r.path === path)).toHaveLength(1);
  });

  it('5.8.1: watchedAttributes without entities matches any entity type', async () => {
    const { uri, path } = endpoint();
    await subscribe({ type: 'Subscription', watchedAttributes: ['speed'], notification: { endpoint: { uri } } });
    await b.api.post('/entities', { id: urn('Car'), type: 'Car', speed: P(3) });
    expect(await rx.waitFor(1, (r) => r.path === path)).toHaveLength(1);
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
    const [n] = await rx.waitFor(1, (r) => r.path === path);
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
    const far = { ...room(), location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [20, 20] } } };
    await b.api.post('/entities', far);
    await b.api.post('/entities', near);
    await rx.waitFor(1, (r) => r.path === path);
    await sleep(200);
    expect(rx.at(path).flatMap((r) => r.body.data.map((x: { id: string }) => x.id))).toEqual([near.id]);
  });

  it('5.8.1: scopeQ restricts notifications to entities in scope', async () => {
    const { uri, path } = endpoint();
    await subscribe(subscription(uri, { scopeQ: '/Madrid/#' }));
    const inScope = { ...room(), scope: '/Madrid/Centro' };
    await b.api.post('/entities', { ...room(), scope: '/Paris' });
    await b.api.post('/entities', inScope);
    await rx.waitFor(1, (r) => r.path === path);
    await sleep(200);
    expect(rx.at(path).flatMap((r) => r.body.data.map((x: { id: string }) => x.id))).toEqual([inScope.id]);
  });

  it('5.5.10: a subscription of one tenant is not triggered by another tenant', async () => {
    const { uri, path } = endpoint();
    const tenant = unique('subtenant');
    await subscribe(subscription(uri), { 'ngsild-tenant': tenant });
    await b.api.post('/entities', room());
    await sleep(300);
    expect(rx.at(path)).toHaveLength(0);
    await b.api.post('/entities', room(), { 'ngsild-tenant': tenant });
    expect(await rx.waitFor(1, (r) => r.path === path)).toHaveLength(1);
    const listed = (await b.api.get('/subscriptions')).body.map((s: { notification: { endpoint: { uri: string } } }) => s.notification.endpoint.uri);
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
    expect(rx.at(path)).toHaveLength(0);
  });

  it('5.8.2: setting isActive=true resumes notifications (status "active")', async () => {
    const { uri, path } = endpoint();
    const id = await subscribe(subscription(uri, { isActive: false }));
    await b.api.patch(subPath(id), { isActive: true });
    expect((await status(id)).status).toBe('active');
    await b.api.post('/entities', room());
    expect(await rx.waitFor(1, (r) => r.path === path)).toHaveLength(1);
  });

  it('5.2.12: after expiresAt the status is "expired" and nothing is sent', async () => {
    const { uri, path } = endpoint();
    const id = await subscribe(subscription(uri, { expiresAt: new Date(Date.now() + 800).toISOString() }));
    await sleep(1000);
    expect((await status(id)).status).toBe('expired');
    await b.api.post('/entities', room());
    await sleep(250);
    expect(rx.at(path)).toHaveLength(0);
  });

  it('5.2.12: throttling=1 sends at most one notification per second', async () => {
    const { uri, path } = endpoint();
    const e = room();
    await b.api.post('/entities', e);
    await subscribe(subscription(uri, { watchedAttributes: ['temperature'], throttling: 1 }));
    for (const t of [30, 31, 32]) await setTemp(e.id, t);
    await rx.waitFor(1, (r) => r.path === path);
    await sleep(500);
    expect(rx.at(path)).toHaveLength(1);
  });

  it('5.2.12: timeInterval=1 notifies the matching entities every second without changes', async () => {
    const { uri, path } = endpoint();
    const e = room();
    await b.api.post('/entities', e);
    await subscribe(subscription(uri, { timeInterval: 1 }));
    const ns = await rx.waitFor(2, (r) => r.path === path, 3500);
    expect(ns.length).toBeGreaterThanOrEqual(2);
    expect(ns[0]!.body.data.map((x: { id: string }) => x.id)).toContain(e.id);
    expect(ns[1]!.at - ns[0]!.at).toBeGreaterThanOrEqual(700);
  });
});

describe('5.2.14 Notification status: timesSent, lastNotification, lastSuccess, lastFailure', () => {
  it('5.2.14: after a delivered notification: timesSent 1, status "ok", lastNotification and lastSuccess set', async () => {
    const { uri, path } = endpoint();
    const id = await subscribe(subscription(uri));
    await b.api.post('/entities', room());
    await rx.waitFor(1, (r) => r.path === path);
    const n = (await waitFor(async () => {
      const s = await status(id);
      return s.notification?.lastSuccess ? s.notification : undefined;
    })) as Record<string, unknown> | undefined;
    expect(n).toMatchObject({ timesSent: 1, status: 'ok' });
    expect(Number.isNaN(Date.parse(String(n?.lastNotification)))).toBe(false);
    expect(Number.isNaN(Date.parse(String(n?.lastSuccess)))).toBe(false);
  });

  it('5.2.14: a refused notification (HTTP 500) sets status "failed" and lastFailure', async () => {
    const { path } = endpoint();
    const failing = await startReceiver();
    failing.respond = () => 500;
    try {
      const id = await subscribe(subscription(failing.url + path));
      await b.api.post('/entities', room());
      await failing.waitFor(1);
      const n = await waitFor(async () => {
        const s = await status(id);
        return s.notification?.lastFailure ? s.notification : undefined;
      });
      expect(n).toMatchObject({ status: 'failed' });
    } finally {
      await failing.close();
    }
  });

  it('5.2.14: an unreachable endpoint sets status "failed" and lastFailure', async () => {
    const id = await subscribe(subscription('http://127.0.0.1:9/unreachable'));
    await b.api.post('/entities', room());
    const n = await waitFor(async () => {
      const s = await status(id);
      return s.notification?.lastFailure ? s.notification : undefined;
    }, 3000);
    expect(n).toMatchObject({ status: 'failed' });
  });

  it('citybrain (beyond the spec): a failed delivery is retried until the endpoint accepts it', async () => {
    const flaky = await startReceiver();
    flaky.respond = (n) => (n === 0 ? 503 : 200);
    try {
      const id = await subscribe(subscription(`${flaky.url}/flaky`));
      const e = room();
      await b.api.post('/entities', e);
      const got = await flaky.waitFor(2, () => true, 5000);
      expect(got.length).toBeGreaterThanOrEqual(2);
      expect(got[1]!.body.data[0].id).toBe(e.id);
      const n = await waitFor(async () => {
        const s = await status(id);
        return s.notification?.status === 'ok' ? s.notification : undefined;
      });
      expect(n?.lastSuccess).toBeDefined();
    } finally {
      await flaky.close();
    }
  });
});

describe('MQTT notification binding (endpoint uri mqtt://)', () => {
  it('MQTT binding: the notification is published on the topic of the endpoint uri as {metadata, body}', async () => {
    const topic = unique('city/notify/');
    const id = await subscribe(subscription(`${mqtt.url}/${topic}`));
    const e = room();
    await b.api.post('/entities', e);
    const [m] = await mqtt.waitFor(1, (x) => x.topic === topic);
    expect(m, 'no MQTT message arrived').toBeDefined();
    expect(m!.payload.metadata).toBeDefined();
    expect(m!.payload.body).toMatchObject({ type: 'Notification', subscriptionId: decodeURIComponent(id) });
    expect(m!.payload.body.data).toEqual([e]);
  });

  it('MQTT binding: format keyValues applies to MQTT notifications', async () => {
    const topic = unique('city/kv/');
    await subscribe(subscription(`${mqtt.url}/${topic}`, {}, { format: 'keyValues' }));
    const e = room();
    await b.api.post('/entities', e);
    const [m] = await mqtt.waitFor(1, (x) => x.topic === topic);
    expect(m?.payload?.body?.data?.[0]?.temperature).toBe(20);
  });

  it('MQTT binding: the metadata carries the content type of the body', async () => {
    const topic = unique('city/meta/');
    await subscribe(subscription(`${mqtt.url}/${topic}`));
    await b.api.post('/entities', room());
    const [m] = await mqtt.waitFor(1, (x) => x.topic === topic);
    const meta = m?.payload?.metadata ?? {};
    const ct = Object.entries(meta).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
    expect(String(ct)).toMatch(/^application\/(ld\+)?json/);
  });

  it('MQTT binding: a successful publish counts in timesSent / lastSuccess', async () => {
    const topic = unique('city/stat/');
    const id = await subscribe(subscription(`${mqtt.url}/${topic}`));
    await b.api.post('/entities', room());
    await mqtt.waitFor(1, (x) => x.topic === topic);
    const n = await waitFor(async () => {
      const s = await status(id);
      return s.notification?.lastSuccess ? s.notification : undefined;
    });
    expect(n).toMatchObject({ timesSent: 1, status: 'ok' });
  });
});
