import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/index.js';
import { SqliteStore } from '../store/sqlite/index.js';
import { DeviceRegistry } from './device-registry.js';
import { IngestGate } from './ingest-gate.js';
import { IngestPipeline } from './ingest-pipeline.js';
import type { IngestMetrics } from './metrics.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './mqtt-broker.js';
import { attrsTopic, deviceEntityId } from './topics.js';

const SECRET = 'station-secret-0123456789';
const BAD_USERNAME_OR_PASSWORD = 4;
const silent = pino({ level: 'silent' });
const metrics: IngestMetrics = {
  accepted: () => {},
  rejected: () => {},
  committed: () => {},
  latency: () => {},
};

const dir = mkdtempSync(join(tmpdir(), 'cb-login-'));
let store: SqliteStore;
let bus: MemoryBus;
let registry: DeviceRegistry;
let otherNode: DeviceRegistry;
let pipeline: IngestPipeline;
let broker: EmbeddedBroker;
const clients: MqttClient[] = [];

beforeAll(async () => {
  store = new SqliteStore({ file: join(dir, 'db.sqlite') });
  bus = new MemoryBus(() => {});
  registry = new DeviceRegistry(store, {}, { bus });
  otherNode = new DeviceRegistry(store, {}, { bus });
  await registry.start();
  await otherNode.start();
  pipeline = new IngestPipeline({ store, bus, logger: silent, metrics });
  broker = await startEmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    registry,
    gate: new IngestGate(pipeline, metrics),
    logger: silent,
  });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await broker.close();
  await pipeline.close();
  await registry.stop();
  await otherNode.stop();
  await bus.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(id: string, password: string): Promise<MqttClient> {
  const client = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
    username: id,
    password,
    clientId: `${id}-${clients.length}`,
    reconnectPeriod: 0,
  });
  clients.push(client);
  return client;
}

/** The CONNACK return code of a refused connection. */
async function refusal(id: string, password: string): Promise<number | undefined> {
  try {
    await connect(id, password);
    return undefined;
  } catch (err) {
    return (err as { code?: number }).code;
  }
}

describe('device login over MQTT', () => {
  it('lets a device whose secret an older version stored as SHA-256 in, and re-hashes it', async () => {
    await registry.register({ id: 'legacy-1', entityType: 'AirQualityObserved', secret: SECRET });
    const device = (await store.devices.get('legacy-1'))!;
    const legacyHash = createHash('sha256').update(SECRET).digest('hex');
    await store.devices.put({ ...device, secretHash: legacyHash });
    // A node started on that data: nothing of the device in memory yet.
    const upgraded = new DeviceRegistry(store, {}, { bus });
    const node = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      registry: upgraded,
      gate: new IngestGate(pipeline, metrics),
      logger: silent,
    });
    try {
      const url = `mqtt://127.0.0.1:${node.port}`;
      const wrong = await connectAsync(url, {
        username: 'legacy-1',
        password: 'not-the-secret-0000',
        reconnectPeriod: 0,
      }).then(
        () => undefined,
        (err: { code?: number }) => err.code,
      );
      expect(wrong).toBe(BAD_USERNAME_OR_PASSWORD);
      expect((await store.devices.get('legacy-1'))!.secretHash).toBe(legacyHash);

      const client = await connectAsync(url, {
        username: 'legacy-1',
        password: SECRET,
        reconnectPeriod: 0,
      });
      await client.publishAsync(attrsTopic('legacy-1'), '{"pm25": 41}', { qos: 1 });
      await client.endAsync();
      const entity = await store.entities.get(deviceEntityId('AirQualityObserved', 'legacy-1'));
      expect(entity?.pm25).toMatchObject({ value: 41 });
      expect((await store.devices.get('legacy-1'))!.secretHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    } finally {
      await node.close();
    }
    // Any node now checks the secret against the scrypt hash.
    await connect('legacy-1', SECRET);
    expect(await refusal('legacy-1', 'not-the-secret-0000')).toBe(BAD_USERNAME_OR_PASSWORD);
  });

  it('refuses a device removed on another node at its next connection', async () => {
    await registry.register({ id: 'aq-7', entityType: 'AirQualityObserved', secret: SECRET });
    await connect('aq-7', SECRET);
    await connect('aq-7', SECRET);
    expect(await otherNode.remove('aq-7')).toBe(true);
    await new Promise((r) => setTimeout(r, 20)); // the bus delivers asynchronously
    expect(await refusal('aq-7', SECRET)).toBe(BAD_USERNAME_OR_PASSWORD);
  });
});
