import { afterEach, describe, expect, it } from 'vitest';
import type { MemoryBus } from '../../bus/memory/index.js';
import type { NotifyCaller } from './access.js';
import { NotificationService } from './notification-service.js';
import type { RetryPolicy } from './retry-policy.js';
import {
  alertEntity,
  capturingLogger,
  eventually,
  openTestStore,
  recordingSleep,
  startReceiver,
  testBus,
} from './testing/notify-fixtures.js';
import { webhookChannel } from './webhook-channel.js';
import { verifySignature } from './webhook-signature.js';

const envAdmin: NotifyCaller = { kind: 'user', organisation: 'env', roles: ['admin'] };
// Test receivers listen on ephemeral ports.
const LOCAL_RECEIVERS = {
  allowPrivateNetworks: true,
  allowedHosts: [],
  allowedPorts: ['1024-65535'],
};
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(policy: Partial<RetryPolicy> = {}) {
  const { store, close } = openTestStore();
  const bus = testBus();
  const receiver = await startReceiver();
  const { sleep, delays } = recordingSleep();
  const { logger, lines } = capturingLogger();
  const service = new NotificationService({
    store,
    bus,
    logger,
    // The receiver listens on 127.0.0.1: internal addresses must be allowed explicitly.
    channels: { webhook: webhookChannel({ networks: LOCAL_RECEIVERS }) },
    policy: { maxAttempts: 4, ...policy },
    sleep,
    random: () => 0.5,
  });
  await service.start();
  cleanups.push(
    close,
    () => bus.close(),
    () => receiver.close(),
    () => service.stop(),
  );
  const target = await service.create(envAdmin, {
    kind: 'webhook',
    url: receiver.url,
    events: ['alert.*'],
  });
  if (target.kind !== 'webhook') throw new Error('not a webhook');
  return { service, bus, receiver, delays, lines, target, secret: target.secret };
}

let alerts = 0;
async function raise(bus: MemoryBus): Promise<string> {
  const id = `urn:ngsi-ld:Alert:pm25-high:xihu-1:${++alerts}`;
  await bus.publish([
    { topic: 'alert.raised', key: id, time: Date.now(), payload: alertEntity('env', 'high', id) },
  ]);
  return id;
}

const settled = async (service: NotificationService, targetId: string, n = 1) =>
  eventually(async () => {
    const log = await service.deliveries(envAdmin, targetId);
    return log.filter((d) => d.status === 'delivered' || d.status === 'dead-lettered').length >= n;
  });
const deadLetters = (service: NotificationService) =>
  service.deadLetters(envAdmin, { limit: 100, offset: 0 });

describe('webhook delivery', () => {
  it('POSTs JSON signed with the target secret, with the event and a delivery id', async () => {
    const { service, bus, receiver, target, secret } = await setup();
    const alertId = await raise(bus);
    await settled(service, target.id);
    const [request] = receiver.requests;
    expect(request).toBeDefined();
    const { headers, body } = request!;
    expect(headers['content-type']).toMatch(/^application\/json/);
    expect(headers['citybrain-event']).toBe('alert.raised');
    expect(headers['citybrain-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    const header = headers['citybrain-signature'] as string;
    expect(verifySignature({ header, body, secret })).toBe(true);
    expect(verifySignature({ header, body: body.replace('high', 'low'), secret })).toBe(false);
    expect(verifySignature({ header, body, secret: 'another-secret-of-16+' })).toBe(false);
    const payload = JSON.parse(body);
    expect(payload).toMatchObject({
      id: headers['citybrain-delivery'],
      event: 'alert.raised',
      organisation: 'env',
      subject: { type: 'Alert', id: alertId },
      severity: 'high',
      organisations: ['env'],
    });
    expect(payload.title.en).toContain('HIGH alert raised — PM2.5 > 75');
    expect(payload.text.zh).toContain('西湖区监测站');
    expect(payload.data.id).toBe(alertId);
  });

  it('retries on 503 with growing, jittered waits, with the same delivery id, until it succeeds', async () => {
    const { service, bus, receiver, delays, target } = await setup();
    receiver.answers = [{ status: 503 }, { status: 503 }, { status: 200 }];
    await raise(bus);
    await settled(service, target.id);
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.headers['citybrain-delivery'])).size).toBe(1);
    // random() = 0.5: halfway between half and all of 1 s, then of 2 s.
    expect(delays).toEqual([750, 1500]);
    const [entry] = await service.deliveries(envAdmin, target.id);
    expect(entry).toMatchObject({ status: 'delivered', attempts: 3 });
    expect((await deadLetters(service)).total).toBe(0);
  });

  it('does not retry a 400: the delivery is dead-lettered at once', async () => {
    const { service, bus, receiver, delays, target } = await setup();
    receiver.answers = [{ status: 400 }];
    await raise(bus);
    await settled(service, target.id);
    expect(receiver.requests).toHaveLength(1);
    expect(delays).toEqual([]);
    const { deadLetters: letters } = await deadLetters(service);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ reason: 'rejected', attempts: 1, targetId: target.id });
    expect(letters[0]!.error).toContain('HTTP 400');
  });

  it('waits what Retry-After asks (seconds or an HTTP date) on 429 and 503', async () => {
    const { service, bus, receiver, delays, target } = await setup();
    const inThirty = new Date(Date.now() + 30_000).toUTCString();
    receiver.answers = [
      { status: 429, headers: { 'Retry-After': '7' } },
      { status: 503, headers: { 'Retry-After': inThirty } },
      { status: 204 },
    ];
    await raise(bus);
    await settled(service, target.id);
    expect(delays[0]).toBe(7_000);
    expect(delays[1]).toBeGreaterThan(27_000);
    expect(delays[1]).toBeLessThanOrEqual(30_000);
  });

  it('caps every wait, Retry-After included, at maxDelayMs', async () => {
    const { service, bus, receiver, delays, target } = await setup({ maxDelayMs: 5_000 });
    receiver.answers = [{ status: 429, headers: { 'Retry-After': '3600' } }, { status: 204 }];
    await raise(bus);
    await settled(service, target.id);
    expect(delays).toEqual([5_000]);
  });

  it('dead-letters after maxAttempts failures, and a retry from the dead letter delivers it', async () => {
    const { service, bus, receiver, target, lines, secret } = await setup({ maxAttempts: 3 });
    receiver.answers = [{ status: 500 }];
    await raise(bus);
    await settled(service, target.id);
    expect(receiver.requests).toHaveLength(3);
    const { deadLetters: letters } = await deadLetters(service);
    expect(letters[0]).toMatchObject({
      reason: 'attempts-exhausted',
      attempts: 3,
      event: 'alert.raised',
    });
    const deliveryId = letters[0]!.id;

    receiver.answers = [{ status: 204 }];
    await service.retry(envAdmin, deliveryId);
    await eventually(() => receiver.requests.length === 4);
    expect(receiver.requests[3]!.headers['citybrain-delivery']).toBe(deliveryId);
    await eventually(
      async () => (await service.deliveries(envAdmin, target.id))[0]?.status === 'delivered',
    );
    expect((await deadLetters(service)).total).toBe(0);
    await expect(service.retry(envAdmin, deliveryId)).rejects.toThrow(
      /no notification dead letter/,
    );
    // The failures were logged, without the secret or the URL's token.
    const log = lines.join('');
    expect(log).toContain('notification dead-lettered');
    expect(log).not.toContain(secret);
    expect(log).not.toContain('token=abc');
  });

  it('gives up an attempt after timeoutMs and retries it', async () => {
    const { service, bus, receiver, target } = await setup({ timeoutMs: 150, maxAttempts: 2 });
    receiver.answers = [{ status: 0 }];
    await raise(bus);
    await settled(service, target.id);
    const { deadLetters: letters } = await deadLetters(service);
    expect(letters[0]).toMatchObject({ reason: 'attempts-exhausted', attempts: 2 });
    expect(letters[0]!.error).toBe('no answer within 150 ms');
  });

  it('keeps the order of deliveries to one target, a retried one included', async () => {
    const { service, bus, receiver, target } = await setup();
    receiver.answers = [{ status: 503 }, { status: 204 }];
    const ids = [await raise(bus), await raise(bus), await raise(bus)];
    await settled(service, target.id, 3);
    const seen = receiver.requests.map((r) => JSON.parse(r.body).subject.id as string);
    expect(seen).toEqual([ids[0], ids[0], ids[1], ids[2]]);
  });
});
