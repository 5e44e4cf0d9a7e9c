import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { waitFor } from './broker.js';

/** One MQTT message a test client received. */
export interface MqttMessage {
  topic: string;
  /** Parsed JSON payload (undefined when not JSON). */
  payload: any;
  raw: string;
}

/** An embedded MQTT broker and a client subscribed to `#` on it. */
export interface MqttHarness {
  /** mqtt://127.0.0.1:port */
  url: string;
  messages: MqttMessage[];
  /** Waits until `count` messages matched `filter`; returns them (possibly fewer). */
  waitFor(
    count: number,
    filter?: (m: MqttMessage) => boolean,
    timeoutMs?: number,
  ): Promise<MqttMessage[]>;
  close(): Promise<void>;
}

/** Starts Aedes on a free port of 127.0.0.1 with a recording client subscribed to `#`. */
export async function startMqtt(): Promise<MqttHarness> {
  const aedes = new Aedes();
  await aedes.listen();
  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client: MqttClient = await connectAsync(url, { reconnectPeriod: 0 });
  const messages: MqttMessage[] = [];
  client.on('message', (topic, buf) => {
    const raw = buf.toString('utf8');
    let payload: unknown;
    try {
      payload = JSON.parse(raw);
    } catch {
      payload = undefined;
    }
    messages.push({ topic, payload, raw });
  });
  await client.subscribeAsync('#', { qos: 1 });
  return {
    url,
    messages,
    async waitFor(count, filter = () => true, timeoutMs = 2000) {
      await waitFor(() => messages.filter(filter).length >= count, timeoutMs);
      return messages.filter(filter);
    },
    async close() {
      await client.endAsync(true);
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
