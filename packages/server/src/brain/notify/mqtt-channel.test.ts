import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NotifyCaller } from './access.js';
import { mqttChannel, type MqttPublish } from './mqtt-channel.js';
import { connectMqttPublisher } from './mqtt-publisher.js';
import { NotificationService } from './notification-service.js';
import {
  alertEntity,
  capturingLogger,
  eventually,
  openTestStore,
  recordingSleep,
  testBus,
} from './testing/notify-fixtures.js';

const operator: NotifyCaller = { kind: 'operator', roles: ['admin'] };
const envAdmin: NotifyCaller = { kind: 'user', organisation: 'env', roles: ['admin'] };

interface Message {
  topic: string;
  qos: number;
  payload: { id: string; event: string; organisation: string; title: { en: string; zh: string } };
}

describe('MQTT notifications', () => {
  let aedes: Aedes;
  let server: Server;
  let subscriber: MqttClient;
  let url: string;
  const messages: Message[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    aedes = new Aedes();
    await aedes.listen();
    server = createServer(aedes.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    subscriber = await connectAsync(url);
    messages.length = 0;
    subscriber.on('message', (topic, payload, packet) =>
      messages.push({ topic, qos: packet.qos, payload: JSON.parse(payload.toString('utf8')) }),
    );
    await subscriber.subscribeAsync('citybrain/#', { qos: 1 });
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await subscriber.endAsync();
    await new Promise<void>((resolve) => aedes.close(() => server.close(() => resolve())));
  });

  async function setup(publish: MqttPublish) {
    const { store, close } = openTestStore();
    const bus = testBus();
    const { sleep, delays } = recordingSleep();
    const service = new NotificationService({
      store,
      bus,
      logger: capturingLogger().logger,
      channels: { mqtt: mqttChannel({ publish }) },
      sleep,
    });
    await service.start();
    cleanups.push(
      close,
      () => bus.close(),
      () => service.stop(),
    );
    const raise = () =>
      bus.publish([
        { topic: 'alert.raised', key: 'a', time: Date.now(), payload: alertEntity('env') },
      ]);
    return { service, raise, delays };
  }

  it('publishes at QoS 1 to the default topic of each target, and to a topic of its own', async () => {
    const publisher = connectMqttPublisher({ url, clientId: 'citybrain-notify-test' });
    cleanups.push(() => publisher.close());
    const { service, raise } = await setup(publisher.publish);
    await service.create(envAdmin, { kind: 'mqtt', events: ['alert.*'] });
    await service.create(operator, { kind: 'mqtt', events: ['*'] });
    await service.create(envAdmin, {
      kind: 'mqtt',
      events: ['alert.raised'],
      topic: 'citybrain/env/duty',
    });
    await raise();
    await eventually(() => messages.length === 3);
    expect(messages.map((m) => m.topic).sort()).toEqual([
      'citybrain/env/duty',
      'citybrain/v1/notifications/_all/alert.raised',
      'citybrain/v1/notifications/env/alert.raised',
    ]);
    expect(messages.every((m) => m.qos === 1)).toBe(true);
    const own = messages.find((m) => m.topic.endsWith('/env/alert.raised'))!.payload;
    expect(own).toMatchObject({ event: 'alert.raised', organisation: 'env' });
    expect(own.title.zh).toContain('高级告警已触发');
    expect(new Set(messages.map((m) => m.payload.id)).size).toBe(3);
  });

  it('retries a publish the broker did not take', async () => {
    const publisher = connectMqttPublisher({ url, clientId: 'citybrain-notify-test-2' });
    cleanups.push(() => publisher.close());
    let calls = 0;
    const flaky: MqttPublish = (topic, payload, qos) =>
      ++calls === 1
        ? Promise.reject(new Error('connection lost'))
        : publisher.publish(topic, payload, qos);
    const { service, raise, delays } = await setup(flaky);
    const target = await service.create(envAdmin, { kind: 'mqtt', events: ['alert.*'] });
    await raise();
    await eventually(() => messages.length === 1);
    await eventually(
      async () => (await service.deliveries(envAdmin, target.id))[0]?.status === 'delivered',
    );
    expect((await service.deliveries(envAdmin, target.id))[0]).toMatchObject({ attempts: 2 });
    expect(delays).toHaveLength(1);
  });
});
