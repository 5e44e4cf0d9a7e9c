import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../test-harness.js';
import { pause, startReceiver, type Receiver } from './test-setup.js';

// Everything through the NGSI-LD plugin as the server mounts it: subscriptions and entity writes.
describe('notifications for writes made through the NGSI-LD entity API', () => {
  let broker: TestBroker;
  let rx: Receiver;

  beforeEach(async () => {
    rx = await startReceiver();
    broker = await startTestBroker();
  });
  afterEach(async () => {
    await broker.close();
    await rx.close();
  });

  const api = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    broker.app.inject({ method, url: `/ngsi-ld/v1${url}`, ...(payload ? { payload } : {}) });

  it('notifies creation, attribute update with previous values, and deletion', async () => {
    const res = await api('POST', '/subscriptions', {
      type: 'Subscription',
      entities: [{ type: 'Room' }],
      notificationTrigger: ['entityCreated', 'attributeUpdated', 'entityDeleted'],
      notification: { endpoint: { uri: rx.url }, showChanges: true },
    });
    expect(res.statusCode).toBe(201);
    const id = 'urn:ngsi-ld:Room:e2e';
    expect(
      (
        await api('POST', '/entities', {
          id,
          type: 'Room',
          temperature: { type: 'Property', value: 20 },
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (
        await api('PATCH', `/entities/${id}/attrs`, {
          temperature: { type: 'Property', value: 23 },
        })
      ).statusCode,
    ).toBe(204);
    expect((await api('DELETE', `/entities/${id}`)).statusCode).toBe(204);
    const got = await rx.waitFor(3);
    await pause(50);
    expect(got).toHaveLength(3);
    expect(got[0]!.body.data[0]).toEqual({
      id,
      type: 'Room',
      temperature: { type: 'Property', value: 20 },
    });
    expect(got[1]!.body.data[0]!.temperature).toEqual({
      type: 'Property',
      value: 23,
      previousValue: 20,
    });
    expect(got[2]!.body.data[0]).toEqual({ id, type: 'Room', deletedAt: expect.any(String) });
  });
});
