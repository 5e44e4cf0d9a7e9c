import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { room, startSubscriptionApp, type SubscriptionTestApp } from './test-setup.js';

interface Message {
  topic: string;
  qos: number;
  payload: {
    metadata: Record<string, string>;
    body: Record<string, unknown> & { data: unknown[] };
  };
}

describe('MQTT notifications (MQTT notification binding)', () => {
  let t: SubscriptionTestApp;
  let aedes: Aedes;
  let server: Server;
  let port: number;
  let subscriber: MqttClient;
  const messages: Message[] = [];

  beforeEach(async () => {
    aedes = new Aedes();
    await aedes.listen();
    server = createServer(aedes.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    subscriber = await connectAsync(`mqtt://127.0.0.1:${port}`);
    messages.length = 0;
    subscriber.on('message', (topic, payload, packet) =>
      messages.push({
        topic,
        qos: packet.qos,
        payload: JSON.parse(payload.toString('utf8')) as Message['payload'],
      }),
    );
    await subscriber.subscribeAsync('city/#', { qos: 1 });
    t = await startSubscriptionApp();
  });
  afterEach(async () => {
    await t.close();
    await subscriber.endAsync();
    await new Promise<void>((resolve) => aedes.close(() => server.close(() => resolve())));
  });

  const waitFor = async (n: number): Promise<Message[]> => {
    const until = Date.now() + 3000;
    while (messages.length < n) {
      if (Date.now() > until)
        throw new Error(`expected ${n} MQTT messages, got ${messages.length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return messages;
  };

  it('publishes {metadata, body} to the topic of the endpoint URI with the QoS asked for', async () => {
    const id = await t.subscribe({
      entities: [{ type: 'Room' }],
      notification: {
        format: 'keyValues',
        endpoint: {
          uri: `mqtt://127.0.0.1:${port}/city/rooms`,
          notifierInfo: [{ key: 'MQTT-QoS', value: '1' }],
          receiverInfo: [{ key: 'X-Origin', value: 'citybrain-test' }],
        },
      },
    });
    await t.change({ id: room('a', 21).id, kind: 'created', entity: room('a', 21) });
    await t.change({ id: room('b', 22).id, kind: 'created', entity: room('b', 22) });
    const [first, second] = await waitFor(2);
    expect(first!.topic).toBe('city/rooms');
    expect(first!.qos).toBe(1);
    expect(first!.payload.metadata).toMatchObject({
      'Content-Type': 'application/json',
      'X-Origin': 'citybrain-test',
    });
    expect(first!.payload.metadata.Link).toContain('ngsi-ld-core-context');
    expect(first!.payload.body).toMatchObject({ type: 'Notification', subscriptionId: id });
    expect(first!.payload.body.data).toEqual([
      { id: room('a', 21).id, type: 'Room', temperature: 21 },
    ]);
    expect(second!.payload.body.data).toEqual([
      { id: room('b', 22).id, type: 'Room', temperature: 22 },
    ]);
    await new Promise((r) => setTimeout(r, 100));
    const stored = (await t.app.inject({ url: `/ngsi-ld/v1/subscriptions/${id}` })).json();
    expect(stored.notification).toMatchObject({ status: 'ok', timesSent: 2 });
  });

  it('records a failure when the broker cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const id = await t.subscribe({
      entities: [{ type: 'Room' }],
      notification: { endpoint: { uri: `mqtt://127.0.0.1:${deadPort}/city/rooms` } },
    });
    await t.change({ id: room('a', 1).id, kind: 'created', entity: room('a', 1) });
    const until = Date.now() + 3000;
    for (;;) {
      const { notification } = (
        await t.app.inject({ url: `/ngsi-ld/v1/subscriptions/${id}` })
      ).json();
      // Each failed attempt shows at once; the notification counts as failed after its last.
      if (notification.timesFailed !== undefined) {
        expect(notification.status).toBe('failed');
        expect(notification.timesFailed).toBe(1);
        expect(notification.lastFailure).toBeDefined();
        break;
      }
      if (Date.now() > until) throw new Error('the failure was never recorded');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});
