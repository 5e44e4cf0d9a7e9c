import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemoryBus } from '../../bus/memory/index.js';
import { NotificationService, verifySignature, webhookChannel } from '../../brain/notify/index.js';
import {
  alertEntity,
  capturingLogger,
  eventually,
  openTestStore,
  recordingSleep,
  startReceiver,
  testBus,
  type TestReceiver,
} from '../../brain/notify/testing/notify-fixtures.js';
import type { Principal } from '../../sharing/index.js';
import { installErrorHandler } from './error-handler.js';
import { notifyRoutes } from './notify-routes.js';

const PRINCIPALS: Record<string, Principal> = {
  operator: { kind: 'operator', subject: 'operator', roles: ['admin'], via: 'admin-token' },
  envAdmin: { kind: 'user', subject: 'li', organisation: 'env', roles: ['admin'], via: 'oidc' },
  envAnalyst: {
    kind: 'user',
    subject: 'wang',
    organisation: 'env',
    roles: ['analyst'],
    via: 'oidc',
  },
  trafficAdmin: {
    kind: 'system',
    subject: 'k1',
    organisation: 'traffic',
    roles: ['admin'],
    via: 'api-key',
  },
};
type Who = keyof typeof PRINCIPALS;

describe('/api/v1/notification-channels and dead letters', () => {
  let app: FastifyInstance;
  let bus: MemoryBus;
  let receiver: TestReceiver;
  let logLines: string[];
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    const { store, close } = openTestStore();
    bus = testBus();
    receiver = await startReceiver();
    const { logger, lines } = capturingLogger();
    logLines = lines;
    const notifications = new NotificationService({
      store,
      bus,
      logger,
      channels: {
        // The receiver listens on 127.0.0.1, on a port of its own: both allowed explicitly.
        webhook: webhookChannel({
          networks: {
            allowPrivateNetworks: true,
            allowedHosts: [],
            allowedPorts: [Number(new URL(receiver.url).port)],
          },
        }),
        mqtt: { send: () => Promise.resolve() },
      },
      policy: { maxAttempts: 2 },
      sleep: recordingSleep().sleep,
    });
    await notifications.start();
    app = Fastify();
    installErrorHandler(app);
    // Stands in for installAuth: the principal the test names.
    app.addHook('onRequest', (request, _reply, done) => {
      request.principal = PRINCIPALS[request.headers['x-test-as'] as Who];
      done();
    });
    notifyRoutes(app, { notifications });
    await app.ready();
    cleanups.push(
      close,
      () => bus.close(),
      () => receiver.close(),
      () => notifications.stop(),
      () => app.close(),
    );
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const call = (
    who: Who,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
  ) => app.inject({ method, url, headers: { 'x-test-as': who }, ...(payload && { payload }) });
  const webhook = (extra: object = {}) => ({
    kind: 'webhook',
    url: receiver.url,
    events: ['alert.*'],
    ...extra,
  });
  const CHANNELS = '/api/v1/notification-channels';

  it('shows a webhook secret once, at creation; afterwards only its fingerprint', async () => {
    const created = await call('envAdmin', 'POST', CHANNELS, webhook({ name: 'duty' }));
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(created.headers.location).toBe(`${CHANNELS}/${body.id}`);
    expect(body).toMatchObject({
      organisation: 'env',
      kind: 'webhook',
      enabled: true,
      name: 'duty',
    });
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(body.secretFingerprint).toMatch(/^sha256:[0-9a-f]{16}$/);

    for (const url of [CHANNELS, `${CHANNELS}/${body.id}`]) {
      const read = await call('envAdmin', 'GET', url);
      expect(read.statusCode).toBe(200);
      expect(read.body).not.toContain(body.secret);
      expect(read.body).not.toContain('"secret"');
      expect(read.body).toContain(body.secretFingerprint);
    }
    const rotated = await call('envAdmin', 'PATCH', `${CHANNELS}/${body.id}`, {
      secret: 'a-new-secret-of-enough-length',
    });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.body).not.toContain('a-new-secret-of-enough-length');
    expect(rotated.json().secretFingerprint).not.toBe(body.secretFingerprint);
    expect(logLines.join('')).not.toContain(body.secret);
  });

  it('lets members read, admins change, and nobody else see an organisation’s channels', async () => {
    const { id } = (await call('envAdmin', 'POST', CHANNELS, webhook())).json();
    expect((await call('envAnalyst', 'GET', CHANNELS)).json()).toHaveLength(1);
    expect((await call('envAnalyst', 'POST', CHANNELS, webhook())).statusCode).toBe(403);
    expect(
      (await call('envAnalyst', 'PATCH', `${CHANNELS}/${id}`, { enabled: false })).statusCode,
    ).toBe(403);
    expect((await call('trafficAdmin', 'GET', CHANNELS)).json()).toEqual([]);
    expect((await call('trafficAdmin', 'GET', `${CHANNELS}/${id}`)).statusCode).toBe(404);
    expect((await call('trafficAdmin', 'DELETE', `${CHANNELS}/${id}`)).statusCode).toBe(404);
    expect(
      (await call('envAdmin', 'POST', CHANNELS, webhook({ organisation: 'traffic' }))).statusCode,
    ).toBe(403);
    expect(
      (await call('envAdmin', 'POST', CHANNELS, webhook({ organisation: '*' }))).statusCode,
    ).toBe(403);

    const all = await call('operator', 'POST', CHANNELS, webhook({ events: ['*'] }));
    expect(all.json().organisation).toBe('*');
    expect((await call('operator', 'GET', CHANNELS)).json()).toHaveLength(2);
    expect((await call('operator', 'GET', `${CHANNELS}?organisation=env`)).json()).toHaveLength(1);
    expect((await call('envAdmin', 'GET', CHANNELS)).json()).toHaveLength(1);

    expect((await call('envAdmin', 'DELETE', `${CHANNELS}/${id}`)).statusCode).toBe(204);
    expect((await call('envAdmin', 'GET', `${CHANNELS}/${id}`)).statusCode).toBe(404);
  });

  it('validates targets and changes, and refuses kinds this node cannot deliver', async () => {
    const bad = await call('envAdmin', 'POST', CHANNELS, webhook({ events: ['weather.*'] }));
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await call('envAdmin', 'POST', CHANNELS, webhook({ url: 'ftp://x' }))).statusCode).toBe(
      400,
    );
    const email = await call('envAdmin', 'POST', CHANNELS, {
      kind: 'email',
      to: ['a@b.c'],
      events: ['*'],
    });
    expect(email.statusCode).toBe(501);
    expect(email.json().detail).toContain('notify.smtp');

    const mqtt = await call('envAdmin', 'POST', CHANNELS, {
      kind: 'mqtt',
      topic: 'env/duty',
      events: ['task.*'],
    });
    expect(mqtt.json()).toMatchObject({ kind: 'mqtt', topic: 'env/duty', events: ['task.*'] });
    expect(mqtt.json()).not.toHaveProperty('secretFingerprint');
    const wildcard = await call('envAdmin', 'POST', CHANNELS, {
      kind: 'mqtt',
      topic: 'env/#',
      events: ['*'],
    });
    expect(wildcard.statusCode).toBe(400);

    const { id } = (
      await call('envAdmin', 'POST', CHANNELS, webhook({ minSeverity: 'high' }))
    ).json();
    expect(
      (await call('envAdmin', 'PATCH', `${CHANNELS}/${id}`, { to: ['a@b.c'] })).statusCode,
    ).toBe(400);
    const cleared = await call('envAdmin', 'PATCH', `${CHANNELS}/${id}`, {
      minSeverity: null,
      enabled: false,
    });
    expect(cleared.json()).not.toHaveProperty('minSeverity');
    expect(cleared.json().enabled).toBe(false);
  });

  it('tests a channel now and shows the outcome in its delivery log', async () => {
    const created = (await call('envAdmin', 'POST', CHANNELS, webhook())).json();
    const ok = await call('envAdmin', 'POST', `${CHANNELS}/${created.id}/test`);
    expect(ok.json()).toMatchObject({ delivered: true });
    const [request] = receiver.requests;
    expect(request!.headers['citybrain-event']).toBe('notification.test');
    expect(
      verifySignature({
        header: request!.headers['citybrain-signature'] as string,
        body: request!.body,
        secret: created.secret,
      }),
    ).toBe(true);

    receiver.answers = [{ status: 500 }];
    const failed = (await call('envAdmin', 'POST', `${CHANNELS}/${created.id}/test`)).json();
    expect(failed).toMatchObject({ delivered: false, error: expect.stringContaining('HTTP 500') });
    expect(failed.error).not.toContain('token=abc');
    const log = (await call('envAnalyst', 'GET', `${CHANNELS}/${created.id}/deliveries`)).json();
    expect(log.map((d: { status: string }) => d.status)).toEqual(['failed', 'delivered']);
    expect((await call('envAnalyst', 'POST', `${CHANNELS}/${created.id}/test`)).statusCode).toBe(
      403,
    );
  });

  it('refuses a webhook port the node does not allow, naming it and the setting; delivers on one it does', async () => {
    const port = new URL(receiver.url).port;
    const refused = await call(
      'envAdmin',
      'POST',
      CHANNELS,
      webhook({ url: 'http://127.0.0.1:6379/' }),
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.json().detail).toBe(
      `webhook URL refused: port 6379 is not in notify.webhooks.allowedPorts (${port})`,
    );
    const created = await call('envAdmin', 'POST', CHANNELS, webhook());
    expect(created.statusCode).toBe(201);
    const moved = await call('envAdmin', 'PATCH', `${CHANNELS}/${created.json().id}`, {
      url: 'http://127.0.0.1:25/',
    });
    expect(moved.statusCode).toBe(400);
    expect(moved.json().detail).toContain('port 25 is not in notify.webhooks.allowedPorts');
    const test = await call('envAdmin', 'POST', `${CHANNELS}/${created.json().id}/test`);
    expect(test.json()).toMatchObject({ delivered: true });
    expect(receiver.requests).toHaveLength(1);
  });

  it('lists dead letters to the operator and the owner, and retries one', async () => {
    const { id } = (await call('envAdmin', 'POST', CHANNELS, webhook())).json();
    receiver.answers = [{ status: 410 }];
    await bus.publish([
      { topic: 'alert.raised', key: 'a', time: Date.now(), payload: alertEntity('env') },
    ]);
    const DL = '/api/v1/notifications/dead-letters';
    await eventually(async () => (await call('envAdmin', 'GET', DL)).json().total === 1);
    const page = (await call('envAdmin', 'GET', `${DL}?target=${id}&limit=10`)).json();
    expect(page.deadLetters[0]).toMatchObject({
      targetId: id,
      reason: 'rejected',
      event: 'alert.raised',
    });
    expect(page.deadLetters[0].message.text.zh).toContain('西湖区监测站');
    expect((await call('operator', 'GET', DL)).json().total).toBe(1);
    expect((await call('trafficAdmin', 'GET', DL)).json().total).toBe(0);

    const letterId = page.deadLetters[0].id;
    expect((await call('envAnalyst', 'POST', `${DL}/${letterId}/retry`)).statusCode).toBe(403);
    expect((await call('trafficAdmin', 'POST', `${DL}/${letterId}/retry`)).statusCode).toBe(404);
    receiver.answers = [{ status: 204 }];
    const retried = await call('envAdmin', 'POST', `${DL}/${letterId}/retry`);
    expect(retried.statusCode).toBe(202);
    await eventually(() => receiver.requests.length === 2);
    expect(receiver.requests[1]!.headers['citybrain-delivery']).toBe(letterId);
    expect((await call('envAdmin', 'GET', DL)).json().total).toBe(0);
    expect((await call('envAdmin', 'DELETE', `${DL}/${letterId}`)).statusCode).toBe(404);
  });
});

describe('/api/v1/notification-channels on a node that keeps webhooks public (the default)', () => {
  let app: FastifyInstance;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    const { store, close } = openTestStore();
    const bus = testBus();
    const notifications = new NotificationService({
      store,
      bus,
      logger: capturingLogger().logger,
      channels: {
        webhook: webhookChannel({
          resolve: (host) =>
            Promise.resolve([
              { address: host === 'hooks.env.example' ? '93.184.215.14' : '10.0.0.9', family: 4 },
            ]),
        }),
      },
    });
    await notifications.start();
    app = Fastify();
    installErrorHandler(app);
    app.addHook('onRequest', (request, _reply, done) => {
      request.principal = PRINCIPALS.envAdmin;
      done();
    });
    notifyRoutes(app, { notifications });
    await app.ready();
    cleanups.push(
      close,
      () => bus.close(),
      () => notifications.stop(),
      () => app.close(),
    );
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const CHANNELS = '/api/v1/notification-channels';
  const send = (method: 'POST' | 'PATCH', url: string, payload: object) =>
    app.inject({ method, url, payload });

  it('answers 400 ProblemDetails to a webhook URL that reaches inside, on create and on change', async () => {
    for (const url of [
      'http://127.0.0.1:8088/hook',
      'http://169.254.169.254/latest/meta-data/',
      'https://intranet.env.example/hook',
      'https://ops:pw@hooks.env.example/hook',
    ]) {
      const refused = await send('POST', CHANNELS, { kind: 'webhook', url, events: ['*'] });
      expect(refused.statusCode, url).toBe(400);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.json().detail).toMatch(/^webhook URL refused: /);
    }
    const problem = (
      await send('POST', CHANNELS, {
        kind: 'webhook',
        url: 'https://intranet.env.example/hook',
        events: ['*'],
      })
    ).json();
    expect(problem.detail).toContain(
      'intranet.env.example resolves to a private (RFC 1918) address',
    );
    expect(problem.detail).not.toContain('10.0.0.9');

    const created = await send('POST', CHANNELS, {
      kind: 'webhook',
      url: 'https://hooks.env.example/hook',
      events: ['*'],
    });
    expect(created.statusCode).toBe(201);
    // A public host, but a port of another service.
    for (const port of [25, 6379]) {
      const url = `http://hooks.env.example:${port}/hook`;
      const refused = await send('POST', CHANNELS, { kind: 'webhook', url, events: ['*'] });
      expect(refused.statusCode, url).toBe(400);
      expect(refused.json().detail).toBe(
        `webhook URL refused: port ${port} is not in notify.webhooks.allowedPorts (80, 443, 8080, 8443)`,
      );
    }
    const onWebPort = await send('POST', CHANNELS, {
      kind: 'webhook',
      url: 'https://hooks.env.example:8443/hook',
      events: ['*'],
    });
    expect(onWebPort.statusCode).toBe(201);
    const changed = await send('PATCH', `${CHANNELS}/${created.json().id}`, {
      url: 'http://[::1]/hook',
    });
    expect(changed.statusCode).toBe(400);
    expect(changed.json().detail).toContain('is a loopback address');
  });
});
