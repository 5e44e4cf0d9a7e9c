import { afterAll, beforeAll, expect } from 'vitest';
import { unique, urn, useBroker, type BrokerHandle } from './broker.js';
import { startMqtt, type MqttHarness } from './mqtt.js';
import { startReceiver, type Receiver, type Received } from './receiver.js';

/** A user @context preloaded into the subscription brokers. */
export const USER_CTX = 'https://example.org/conformance/subscription-context.jsonld';
/** The namespace of USER_CTX terms. */
export const NS = 'https://example.org/ns/';

let handle: BrokerHandle | undefined;
let receiver: Receiver | undefined;
let mqttHarness: MqttHarness | undefined;

/** What a subscription test file uses: a fresh broker per test, one receiver and MQTT broker per file. */
export interface SubscriptionKit {
  readonly b: BrokerHandle;
  readonly rx: Receiver;
  readonly mqtt: MqttHarness;
}

/** Registers the hooks of a subscription test file; call once at module level. */
export function useSubscriptionKit(): SubscriptionKit {
  handle = useBroker({
    preloadedContexts: {
      [USER_CTX]: { '@context': { temp: `${NS}temperature`, Lab: `${NS}Lab` } },
    },
  });
  beforeAll(async () => {
    receiver = await startReceiver();
    mqttHarness = await startMqtt();
  });
  afterAll(async () => {
    await receiver?.close();
    await mqttHarness?.close();
  });
  return {
    b: handle,
    get rx() {
      if (!receiver) throw new Error('receiver not started');
      return receiver;
    },
    get mqtt() {
      if (!mqttHarness) throw new Error('MQTT broker not started');
      return mqttHarness;
    },
  };
}

const api = () => {
  if (!handle) throw new Error('useSubscriptionKit() was not called');
  return handle.api;
};
const rx = () => {
  if (!receiver) throw new Error('receiver not started');
  return receiver;
};

/** A normalized Property. */
export const P = (value: unknown) => ({ type: 'Property', value });

/** A fresh endpoint path on the receiver. */
export function endpoint(): { uri: string; path: string } {
  const p = `/${unique('notify')}`;
  return { uri: rx().url + p, path: p };
}

/** A Subscription on Room entities notifying `uri`. */
export function subscription(
  uri: string,
  extra: Record<string, unknown> = {},
  notification: Record<string, unknown> = {},
) {
  return {
    type: 'Subscription',
    entities: [{ type: 'Room' }],
    ...extra,
    notification: { endpoint: { uri, accept: 'application/json' }, ...notification },
  };
}

/** Creates a subscription (asserting 201) and returns its id from the Location header. */
export async function subscribe(body: unknown, headers?: Record<string, string>): Promise<string> {
  const res = await api().post('/subscriptions', body, headers);
  expect(res.status, res.text).toBe(201);
  return (res.headers.location ?? '').replace(/^.*\/subscriptions\//, '');
}

/** A Room entity with temperature, humidity and location. */
export const room = (id = urn('Room'), t = 20) => ({
  id,
  type: 'Room',
  temperature: P(t),
  humidity: P(50),
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [10, 50] } },
});

/** Updates the temperature of a room. */
export const setTemp = (id: string, value: number) =>
  api().patch(`/entities/${encodeURIComponent(id)}/attrs`, { temperature: P(value) });

/** The API path of a subscription. */
export const subPath = (id: string) =>
  `/subscriptions/${encodeURIComponent(decodeURIComponent(id))}`;

/** The current subscription document. */
export const status = async (id: string) => (await api().get(subPath(id))).body;

/** Notifications at `path` whose data holds entity `id`. */
export const about = (path: string, id: string): Received[] =>
  rx()
    .at(path)
    .filter((r) => r.body?.data?.some((e: { id: string }) => e.id === id));
