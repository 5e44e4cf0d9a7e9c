// ETSI GS CIM 009 v1.8 clause 5.11 / 5.3.1 (Notification content), 5.2.14 (NotificationParams:
// attributes, format, showChanges, sysAttrs, timesSent, lastNotification, lastSuccess,
// lastFailure, status), 5.2.15 (endpoint accept, receiverInfo), HTTP and MQTT notification
// bindings. citybrain also retries failed deliveries (beyond the spec).
import { describe, expect, it } from 'vitest';
import { link, unique, urn, waitFor } from './helpers/broker.js';
import { startReceiver } from './helpers/receiver.js';
import {
  P,
  USER_CTX,
  endpoint,
  room,
  setTemp,
  status,
  subscribe,
  subscription,
  useSubscriptionKit,
} from './helpers/subscription-kit.js';

const k = useSubscriptionKit();
const b = k.b;

describe('5.11 Notification content (HTTP endpoint)', () => {
  it('5.11/5.3.1: a matching entity creation is notified with a Notification document', async () => {
    const { uri, path } = endpoint();
    const id = await subscribe(subscription(uri));
    const e = room();
    await b.api.post('/entities', e);
    const [n] = await k.rx.waitFor(1, (r) => r.path === path);
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
    const [n] = await k.rx.waitFor(1, (r) => r.path === path);
    expect(String(n?.headers.link)).toMatch(/ngsi-ld-core-context/);
  });

  it('5.2.15: endpoint accept application/ld+json puts the @context into each notified entity', async () => {
    const { uri, path } = endpoint();
    await subscribe({
      ...subscription(uri),
      notification: { endpoint: { uri, accept: 'application/ld+json' } },
    });
    await b.api.post('/entities', room());
    const [n] = await k.rx.waitFor(1, (r) => r.path === path);
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
    const [n] = await k.rx.waitFor(1, (r) => r.path === path);
    expect(n?.body?.data).toEqual([{ id, type: 'Lab', temp: P(4) }]);
    expect(String(n?.headers.link)).toContain(USER_CTX);
  });

  it('5.2.14: notification.attributes restricts the notified attributes', async () => {
    const { uri, path } = endpoint();
    await subscribe(subscription(uri, {}, { attributes: ['temperature'] }));
    const e = room();
    await b.api.post('/entities', e);
    const [n] = await k.rx.waitFor(1, (r) => r.path === path);
    expect(n?.body?.data).toEqual([{ id: e.id, type: 'Room', temperature: e.temperature }]);
  });

  it('5.2.14: format keyValues notifies simplified entities', async () => {
    const { uri, path } = endpoint();
    await subscribe(subscription(uri, {}, { format: 'keyValues' }));
    const e = room();
    await b.api.post('/entities', e);
    const [n] = await k.rx.waitFor(1, (r) => r.path === path);
    expect(n?.body?.data).toEqual([
      { id: e.id, type: 'Room', temperature: 20, humidity: 50, location: e.location.value },
    ]);
  });

  it('5.2.14: format concise notifies concise entities', async () => {
    const { uri, path } = endpoint();
    await subscribe(subscription(uri, {}, { format: 'concise' }));
    const e = room();
    await b.api.post('/entities', e);
    const [n] = await k.rx.waitFor(1, (r) => r.path === path);
    expect(n?.body?.data?.[0]?.temperature).toBe(20);
  });

  it('5.2.14: sysAttrs=true adds createdAt/modifiedAt to notified entities', async () => {
    const { uri, path } = endpoint();
    await subscribe(subscription(uri, {}, { sysAttrs: true }));
    await b.api.post('/entities', room());
    const [n] = await k.rx.waitFor(1, (r) => r.path === path);
    expect(typeof n?.body?.data?.[0]?.createdAt).toBe('string');
    expect(typeof n?.body?.data?.[0]?.temperature?.modifiedAt).toBe('string');
  });

  it('5.2.14: showChanges=true adds previousValue to changed attributes', async () => {
    const { uri, path } = endpoint();
    const e = room();
    await b.api.post('/entities', e);
    await subscribe(
      subscription(uri, { watchedAttributes: ['temperature'] }, { showChanges: true }),
    );
    await setTemp(e.id, 27);
    const ns = await k.rx.waitFor(
      1,
      (r) => r.path === path && r.body?.data?.[0]?.temperature?.value === 27,
    );
    expect(ns.at(-1)?.body?.data?.[0]?.temperature?.previousValue).toBe(20);
  });

  it('5.2.15: endpoint.receiverInfo key/values are sent as HTTP headers', async () => {
    const { uri, path } = endpoint();
    await subscribe({
      ...subscription(uri),
      notification: {
        endpoint: { uri, receiverInfo: [{ key: 'X-Auth-Token', value: 'secret-42' }] },
      },
    });
    await b.api.post('/entities', room());
    const [n] = await k.rx.waitFor(1, (r) => r.path === path);
    expect(n?.headers['x-auth-token']).toBe('secret-42');
  });
});

describe('5.2.14 Notification status: timesSent, lastNotification, lastSuccess, lastFailure', () => {
  it('5.2.14: after a delivered notification: timesSent 1, status "ok", lastNotification and lastSuccess set', async () => {
    const { uri, path } = endpoint();
    const id = await subscribe(subscription(uri));
    await b.api.post('/entities', room());
    await k.rx.waitFor(1, (r) => r.path === path);
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
      }, 3000);
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
    const id = await subscribe(subscription(`${k.mqtt.url}/${topic}`));
    const e = room();
    await b.api.post('/entities', e);
    const [m] = await k.mqtt.waitFor(1, (x) => x.topic === topic);
    expect(m, 'no MQTT message arrived').toBeDefined();
    expect(m!.payload.metadata).toBeDefined();
    expect(m!.payload.body).toMatchObject({
      type: 'Notification',
      subscriptionId: decodeURIComponent(id),
    });
    expect(m!.payload.body.data).toEqual([e]);
  });

  it('MQTT binding: format keyValues applies to MQTT notifications', async () => {
    const topic = unique('city/kv/');
    await subscribe(subscription(`${k.mqtt.url}/${topic}`, {}, { format: 'keyValues' }));
    const e = room();
    await b.api.post('/entities', e);
    const [m] = await k.mqtt.waitFor(1, (x) => x.topic === topic);
    expect(m?.payload?.body?.data?.[0]?.temperature).toBe(20);
  });

  it('MQTT binding: the metadata carries the content type of the body', async () => {
    const topic = unique('city/meta/');
    await subscribe(subscription(`${k.mqtt.url}/${topic}`));
    await b.api.post('/entities', room());
    const [m] = await k.mqtt.waitFor(1, (x) => x.topic === topic);
    const meta = m?.payload?.metadata ?? {};
    const ct = Object.entries(meta).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
    expect(String(ct)).toMatch(/^application\/(ld\+)?json/);
  });

  it('MQTT binding: a successful publish counts in timesSent / lastSuccess', async () => {
    const topic = unique('city/stat/');
    const id = await subscribe(subscription(`${k.mqtt.url}/${topic}`));
    await b.api.post('/entities', room());
    await k.mqtt.waitFor(1, (x) => x.topic === topic);
    const n = await waitFor(async () => {
      const s = await status(id);
      return s.notification?.lastSuccess ? s.notification : undefined;
    });
    expect(n).toMatchObject({ timesSent: 1, status: 'ok' });
  });
});
