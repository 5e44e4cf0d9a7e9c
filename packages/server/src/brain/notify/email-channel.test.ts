import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import type { NotifyCaller } from './access.js';
import { emailChannel } from './email-channel.js';
import { NotificationService } from './notification-service.js';
import {
  alertEntity,
  capturingLogger,
  eventually,
  openTestStore,
  recordingSleep,
  testBus,
} from './testing/notify-fixtures.js';

const envAdmin: NotifyCaller = { kind: 'user', organisation: 'env', roles: ['admin'] };
const SMTP_PASSWORD = 'smtp-password-never-logged';

interface Received {
  envelopeTo: string[];
  user: string | undefined;
  mail: ParsedMail;
}

/** A local SMTP sink: takes mail from citybrain's account; `rejectWith` codes answer DATA first. */
async function startSink() {
  const received: Received[] = [];
  const rejectWith: number[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth: (auth, _session, done) =>
      auth.username === 'citybrain' && auth.password === SMTP_PASSWORD
        ? done(null, { user: auth.username })
        : done(new Error('bad credentials')),
    onData: (stream, session, done) => {
      simpleParser(stream).then(
        (mail) => {
          const code = rejectWith.shift();
          if (code !== undefined)
            return done(Object.assign(new Error(`refused with ${code}`), { responseCode: code }));
          received.push({
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            user: session.user as string | undefined,
            mail,
          });
          done();
        },
        (err: Error) => done(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    rejectWith,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const sink = await startSink();
  const { store, close } = openTestStore();
  const bus = testBus();
  const { logger, lines } = capturingLogger();
  const { sleep, delays } = recordingSleep();
  const channel = emailChannel({
    host: '127.0.0.1',
    port: sink.port,
    secure: false,
    user: 'citybrain',
    password: SMTP_PASSWORD,
    from: 'citybrain <alerts@city.example>',
  });
  const service = new NotificationService({
    store,
    bus,
    logger,
    channels: { email: channel },
    policy: { maxAttempts: 3 },
    sleep,
  });
  await service.start();
  cleanups.push(
    close,
    () => bus.close(),
    sink.close,
    () => service.stop(),
  );
  const target = await service.create(envAdmin, {
    kind: 'email',
    to: ['duty@env.city.example', 'chief@env.city.example'],
    events: ['alert.raised'],
  });
  const raise = () =>
    bus.publish([
      { topic: 'alert.raised', key: 'a', time: Date.now(), payload: alertEntity('env') },
    ]);
  const finished = () =>
    eventually(async () => {
      const [last] = await service.deliveries(envAdmin, target.id);
      return last?.status === 'delivered' || last?.status === 'dead-lettered';
    });
  return { sink, service, target, raise, finished, delays, lines };
}

describe('e-mail notifications over SMTP', () => {
  it('sends an alert in English and Chinese, text and HTML, to the target’s recipients', async () => {
    const { sink, raise, finished, service, target, lines } = await setup();
    await raise();
    await finished();
    expect(sink.received).toHaveLength(1);
    const { envelopeTo, user, mail } = sink.received[0]!;
    expect(user).toBe('citybrain');
    expect(envelopeTo).toEqual(['duty@env.city.example', 'chief@env.city.example']);
    expect(mail.from?.value[0]?.address).toBe('alerts@city.example');
    expect(mail.subject).toMatch(/^\[citybrain\] HIGH alert raised — PM2\.5 > 75 µg\/m³/);
    expect(mail.subject).toContain(' / 高级告警已触发 — 西湖区监测站');
    expect(mail.text).toContain('PM2.5 > 75 µg/m³ for 3 min at Xihu station (now 160 µg/m³)');
    expect(mail.text).toContain('西湖区监测站 PM2.5 持续 3 分钟 > 75 µg/m³（当前 160 µg/m³）');
    expect(mail.text).toContain('状态：已触发');
    expect(mail.html).toContain('<div lang="zh-CN">');
    expect(mail.html).toContain('PM2.5 &#62; 75');
    const [entry] = await service.deliveries(envAdmin, target.id);
    expect(mail.messageId).toBe(`<${entry!.id}@citybrain>`);
    expect(mail.headers.get('x-citybrain-event')).toBe('alert.raised');
    expect(lines.join('')).not.toContain(SMTP_PASSWORD);
  });

  it('retries a transient 451 and delivers; dead-letters a 550 at once', async () => {
    const { sink, raise, finished, service, target, delays } = await setup();
    sink.rejectWith.push(451);
    await raise();
    await finished();
    expect(sink.received).toHaveLength(1);
    expect((await service.deliveries(envAdmin, target.id))[0]).toMatchObject({
      status: 'delivered',
      attempts: 2,
    });
    expect(delays).toHaveLength(1);

    sink.rejectWith.push(550);
    await raise();
    await eventually(
      async () => (await service.deliveries(envAdmin, target.id))[0]?.status === 'dead-lettered',
    );
    const { deadLetters } = await service.deadLetters(envAdmin, { limit: 10, offset: 0 });
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({ reason: 'rejected', attempts: 1, kind: 'email' });
    expect(deadLetters[0]!.error).toContain('550');
    expect(sink.received).toHaveLength(1);
  });
});
