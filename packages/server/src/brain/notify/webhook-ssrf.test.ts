import { afterEach, describe, expect, it } from 'vitest';
import type { NotifyCaller } from './access.js';
import { NotificationService } from './notification-service.js';
import {
  alertEntity,
  capturingLogger,
  eventually,
  openTestStore,
  recordingSleep,
  startReceiver,
  testBus,
  type TestReceiver,
} from './testing/notify-fixtures.js';
import {
  PUBLIC_NETWORKS_ONLY,
  WEB_PORTS,
  type WebhookNetworkSettings,
} from './webhook-address-policy.js';
import { webhookChannel } from './webhook-channel.js';
import type { ResolveHost } from './webhook-guard.js';

const envAdmin: NotifyCaller = { kind: 'user', organisation: 'env', roles: ['admin'] };
const HOST = 'hooks.env.example';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A node whose DNS answers `dns.answer` for HOST (changeable between calls), and a local
 * receiver: HOST exists nowhere else, so a delivery that reaches the receiver went to the
 * address the guard resolved and checked. Public addresses only, on the receiver's port,
 * unless `settings` say otherwise.
 */
async function setup(settings: Partial<WebhookNetworkSettings> = {}) {
  const { store, close } = openTestStore();
  const bus = testBus();
  const receiver: TestReceiver = await startReceiver();
  const port = new URL(receiver.url).port;
  const networks = { ...PUBLIC_NETWORKS_ONLY, allowedPorts: [Number(port)], ...settings };
  const dns = { answer: '93.184.215.14', lookups: 0 };
  const resolve: ResolveHost = (host) => {
    dns.lookups++;
    return host === HOST
      ? Promise.resolve([{ address: dns.answer, family: 4 }])
      : Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }));
  };
  const service = new NotificationService({
    store,
    bus,
    logger: capturingLogger().logger,
    channels: { webhook: webhookChannel({ resolve, networks }) },
    policy: { maxAttempts: 3 },
    sleep: recordingSleep().sleep,
  });
  await service.start();
  cleanups.push(
    close,
    () => bus.close(),
    () => receiver.close(),
    () => service.stop(),
  );
  const raise = () =>
    bus.publish([
      { topic: 'alert.raised', key: 'a', time: Date.now(), payload: alertEntity('env') },
    ]);
  const url = `http://${HOST}:${port}/hooks/citybrain?token=abc`;
  return { service, receiver, dns, raise, url };
}

describe('webhook targets and internal addresses (SSRF)', () => {
  it('refuses, when saved, a URL to an internal address, in any notation', async () => {
    const { service, receiver } = await setup();
    for (const url of [
      receiver.url,
      'http://169.254.169.254/latest/meta-data/',
      'http://[::ffff:7f00:1]:8088/',
      'https://user:password@hooks.env.example/',
    ])
      await expect(
        service.create(envAdmin, { kind: 'webhook', url, events: ['*'] }),
        url,
      ).rejects.toMatchObject({ code: 'BadRequestData' });
    expect(await service.targets.list(envAdmin)).toEqual([]);
  });

  it('refuses, when its URL changes, a host that resolves inward; other changes pass', async () => {
    const { service, dns, url } = await setup();
    const target = await service.create(envAdmin, { kind: 'webhook', url, events: ['*'] });
    await expect(
      service.targets.update(envAdmin, target.id, { url: 'http://10.0.0.8/hook' }),
    ).rejects.toMatchObject({ code: 'BadRequestData' });
    dns.answer = '192.168.1.20';
    await expect(
      service.targets.update(envAdmin, target.id, { url: `${url}&v=2` }),
    ).rejects.toThrow(/resolves to a private \(RFC 1918\) address/);
    // Turning it off must not depend on where its host points now.
    expect((await service.targets.update(envAdmin, target.id, { enabled: false })).enabled).toBe(
      false,
    );
  });

  it('checks the address again at delivery, and dead-letters it when DNS now points inward', async () => {
    const { service, receiver, dns, raise, url } = await setup();
    const target = await service.create(envAdmin, { kind: 'webhook', url, events: ['*'] });
    dns.answer = '127.0.0.1'; // DNS rebinding: public when checked, loopback when sent
    await raise();
    await eventually(
      async () => (await service.deadLetters(envAdmin, { limit: 10, offset: 0 })).total === 1,
    );
    const { deadLetters } = await service.deadLetters(envAdmin, { limit: 10, offset: 0 });
    expect(deadLetters[0]).toMatchObject({
      targetId: target.id,
      reason: 'address-not-allowed',
      attempts: 1,
    });
    expect(deadLetters[0]!.error).toContain('hooks.env.example resolves to a loopback address');
    expect(deadLetters[0]!.error).not.toContain('token=abc');
    expect(receiver.requests).toHaveLength(0);
    const test = await service.test(envAdmin, target.id);
    expect(test).toMatchObject({ delivered: false, error: expect.stringContaining('refused') });
    expect(receiver.requests).toHaveLength(0);
  });

  it('delivers to an internal receiver the operator allowed, at the address it checked', async () => {
    const { service, receiver, dns, raise, url } = await setup({ allowedHosts: ['127.0.0.0/8'] });
    dns.answer = '127.0.0.1';
    const target = await service.create(envAdmin, { kind: 'webhook', url, events: ['*'] });
    await raise();
    await eventually(() => receiver.requests.length === 1);
    expect(receiver.requests[0]!.headers.host).toBe(`${HOST}:${new URL(url).port}`);
    await eventually(
      async () => (await service.deliveries(envAdmin, target.id))[0]?.status === 'delivered',
    );
    // Another internal range stays closed.
    await expect(
      service.create(envAdmin, { kind: 'webhook', url: 'http://10.1.1.1/', events: ['*'] }),
    ).rejects.toMatchObject({ code: 'BadRequestData' });
  });

  it('holds an internal host the operator allowed to the ports too', async () => {
    const { service, receiver, dns, url } = await setup({
      allowedHosts: ['127.0.0.0/8'],
      allowedPorts: [443],
    });
    dns.answer = '127.0.0.1';
    const port = new URL(url).port;
    await expect(service.create(envAdmin, { kind: 'webhook', url, events: ['*'] })).rejects.toThrow(
      `port ${port} is not in notify.webhooks.allowedPorts (443)`,
    );
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('webhook ports at delivery', () => {
  it('dead-letters a target saved while its port was allowed, once the node no longer allows it', async () => {
    const { store, close } = openTestStore();
    const bus = testBus();
    const receiver = await startReceiver();
    const port = Number(new URL(receiver.url).port);
    cleanups.push(
      close,
      () => bus.close(),
      () => receiver.close(),
    );
    /** A node delivering to loopback receivers on the ports given. */
    const node = async (allowedPorts: number[]) => {
      const service = new NotificationService({
        store,
        bus,
        logger: capturingLogger().logger,
        channels: {
          webhook: webhookChannel({
            networks: { ...PUBLIC_NETWORKS_ONLY, allowPrivateNetworks: true, allowedPorts },
          }),
        },
        policy: { maxAttempts: 3 },
        sleep: recordingSleep().sleep,
      });
      await service.start();
      return service;
    };
    const before = await node([port]);
    const target = await before.create(envAdmin, {
      kind: 'webhook',
      url: receiver.url,
      events: ['*'],
    });
    await before.stop();
    // Restarted with the default ports: the stored target is checked again at each attempt.
    const after = await node([...WEB_PORTS]);
    cleanups.push(() => after.stop());
    await bus.publish([
      { topic: 'alert.raised', key: 'a', time: Date.now(), payload: alertEntity('env') },
    ]);
    await eventually(
      async () => (await after.deadLetters(envAdmin, { limit: 10, offset: 0 })).total === 1,
    );
    const { deadLetters } = await after.deadLetters(envAdmin, { limit: 10, offset: 0 });
    expect(deadLetters[0]).toMatchObject({
      targetId: target.id,
      reason: 'address-not-allowed',
      attempts: 1,
    });
    expect(deadLetters[0]!.error).toContain(
      `port ${port} is not in notify.webhooks.allowedPorts (80, 443, 8080, 8443)`,
    );
    expect(receiver.requests).toHaveLength(0);
  });
});
