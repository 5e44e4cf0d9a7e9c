import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serviceAvailable, servicesRequired } from '../../tests/helpers/services.js';
import { MemoryBus } from '../bus/memory/index.js';
import type { Store } from '../store/index.js';
import { SqliteStore } from '../store/sqlite/index.js';
import { DeviceRegistry } from './device-registry.js';
import { startExternalMqttIngest, type ExternalMqttIngest } from './external-mqtt.js';
import { IngestGate } from './ingest-gate.js';
import { IngestPipeline } from './ingest-pipeline.js';
import type { IngestMetrics } from './metrics.js';
import { MosquittoDynsec } from './mosquitto-dynsec.js';
import {
  mosquittoInstalled,
  startMosquitto,
  type MosquittoProcess,
} from './testing/mosquitto-process.js';
import { publishAll, range, storedPm25, withIngest } from './testing/ingest-fixtures.js';
import { attrsTopic } from './topics.js';

const runnable = mosquittoInstalled(servicesRequired) && (await serviceAvailable('mosquitto'));

const SECRET = 'sensor-secret-0123456789';
const NODE_PASSWORD = 'node-password-0123456';
const NOT_AUTHORIZED = 0x87;
/** The machine is shared: give the broker and the store time, not a fixed sleep. */
const eventually = { timeout: 10_000 };
const silent = pino({ level: 'silent' });

let broker: MosquittoProcess;
let store: SqliteStore;
const dataDir = mkdtempSync(join(tmpdir(), 'cb-extmqtt-'));
let dynsec: MosquittoDynsec;
let registry: DeviceRegistry;
const clients: MqttClient[] = [];
const nodes: ExternalMqttIngest[] = [];

/** One citybrain node's ingest: its own registry, pipeline and gate over the shared store. */
async function startNode(
  clientId: string,
  options: {
    store?: Store;
    username?: string;
    url?: string;
    takeover?: boolean;
    connections?: number;
  } = {},
) {
  const accepted = { messages: 0, observations: 0 };
  const metrics: IngestMetrics = {
    accepted: (_source, n) => {
      accepted.messages++;
      accepted.observations += n;
    },
    rejected: () => {},
    committed: () => {},
    latency: () => {},
  };
  const nodeStore = options.store ?? store;
  const pipeline = new IngestPipeline({
    store: nodeStore,
    bus: new MemoryBus(() => {}),
    logger: silent,
    metrics,
  });
  const ingest = await startExternalMqttIngest({
    url: options.url ?? broker.url,
    username: options.username ?? 'citybrain',
    password: NODE_PASSWORD,
    clientId,
    connections: options.connections ?? 2,
    reconnect: { minMs: 100, maxMs: 400 },
    // Off only where a test shows what Mosquitto itself does with a dead node's sessions.
    takeover: { enabled: options.takeover ?? true },
    registry: new DeviceRegistry(nodeStore),
    gate: new IngestGate(pipeline, metrics),
    logger: silent,
  });
  nodes.push(ingest);
  return { ingest, accepted, pipeline };
}

async function connectDevice(id: string, extra: IClientOptions = {}): Promise<MqttClient> {
  const client = await connectAsync(broker.url, {
    protocolVersion: 5,
    username: id,
    password: SECRET,
    clientId: id,
    reconnectPeriod: 0,
    ...extra,
  });
  clients.push(client);
  return client;
}

async function registerDevice(id: string) {
  const { device } = await registry.register({
    id,
    entityType: 'AirQualityObserved',
    secret: SECRET,
  });
  return device.entityId;
}

const pm25Values = (entityId: string) => storedPm25(store, entityId);

describe.skipIf(!runnable)('external MQTT ingest through Mosquitto', () => {
  beforeAll(async () => {
    broker = await startMosquitto();
    store = new SqliteStore({
      file: join(dataDir, 'db.sqlite'),
    });
    dynsec = await MosquittoDynsec.connect({ url: broker.url, ...broker.admin, logger: silent });
    await dynsec.ensureIngestAccount({
      username: 'citybrain',
      password: NODE_PASSWORD,
      group: 'citybrain',
    });
    registry = new DeviceRegistry(store, dynsec.registryHooks());
  });

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  });

  afterAll(async () => {
    await dynsec?.close();
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
    await broker?.stop();
  });

  it('stores what a registered device publishes with QoS 1', async () => {
    const entityId = await registerDevice('aq-1');
    const { ingest } = await startNode('node-a');
    expect(ingest.connected()).toBe(true);
    const device = await connectDevice('aq-1');
    await device.publishAsync(attrsTopic('aq-1'), '{"pm25":12.5,"temperature":21}', { qos: 1 });
    await expect
      .poll(() => store.entities.get(entityId))
      .toMatchObject({
        pm25: { value: 12.5 },
        temperature: { value: 21 },
      });
    expect(await store.series.countFor(entityId)).toBe(2);
  });

  it('keeps device authentication and topic ACLs enforced by the broker', async () => {
    const own = await registerDevice('aq-own');
    const other = await registerDevice('aq-other');
    await startNode('node-a');
    await expect(
      connectDevice('aq-own', { password: 'not-the-secret-0123' }),
    ).rejects.toMatchObject({
      code: NOT_AUTHORIZED,
    });
    const device = await connectDevice('aq-own');
    const acks: number[] = [];
    device.on('packetreceive', (p) => p.cmd === 'puback' && acks.push(p.reasonCode ?? 0));
    await device.publishAsync(attrsTopic('aq-other'), '{"pm25":666}', { qos: 1 }).catch(() => {});
    await device.publishAsync(attrsTopic('aq-own'), '{"pm25":5}', { qos: 1 });
    await expect.poll(() => pm25Values(own), eventually).toEqual([5]);
    expect(acks).toEqual([NOT_AUTHORIZED, 0]);
    expect(await store.series.countFor(other)).toBe(0);

    await registry.remove('aq-own');
    await expect.poll(() => device.connected, eventually).toBe(false);
    await expect(connectDevice('aq-own')).rejects.toMatchObject({ code: NOT_AUTHORIZED });
  });

  it('dead-letters an unknown device and a refused payload, and acknowledges both', async () => {
    const entityId = await registerDevice('aq-bad');
    // An account on the broker that citybrain has no device for.
    await dynsec.addDevice('aq-ghost', SECRET);
    const node = await startNode('node-a');
    const ghost = await connectDevice('aq-ghost');
    const bad = await connectDevice('aq-bad');
    await ghost.publishAsync(attrsTopic('aq-ghost'), '{"pm25":1}', { qos: 1 });
    await bad.publishAsync(attrsTopic('aq-bad'), 'not json', { qos: 1 });
    await expect.poll(() => store.deadLetters.count('unknown-device'), eventually).toBe(1);
    await expect.poll(() => store.deadLetters.count('malformed-payload'), eventually).toBe(1);
    const [letter] = await store.deadLetters.list({
      reason: 'unknown-device',
      limit: 1,
      offset: 0,
    });
    expect(letter).toMatchObject({ deviceId: 'aq-ghost', source: 'mqtt', payload: '{"pm25":1}' });
    // Acknowledged: the node's sessions come back to nothing left to redeliver.
    await node.ingest.close();
    await startNode('node-a');
    await bad.publishAsync(attrsTopic('aq-bad'), '{"pm25":3}', { qos: 1 });
    await expect.poll(() => pm25Values(entityId), eventually).toEqual([3]);
    expect(await store.deadLetters.count('unknown-device')).toBe(1);
    expect(await store.deadLetters.count('malformed-payload')).toBe(1);
  });

  it('shares the messages between the nodes of one group: each gets some, every one is stored once', async () => {
    const entityId = await registerDevice('aq-shared');
    const a = await startNode('node-a');
    const b = await startNode('node-b');
    const device = await connectDevice('aq-shared');
    await publishAll(device, 'aq-shared', range(0, 40));
    await expect.poll(() => pm25Values(entityId), eventually).toEqual(range(0, 40));
    expect(a.accepted.messages).toBeGreaterThan(0);
    expect(b.accepted.messages).toBeGreaterThan(0);
    // No message was handled twice (a duplicate would count twice, even if the store merged it).
    expect(a.accepted.messages + b.accepted.messages).toBe(40);

    // A node that stops leaves the group: the others get everything from then on.
    await a.ingest.close();
    await publishAll(device, 'aq-shared', range(40, 50));
    await expect.poll(() => pm25Values(entityId), eventually).toEqual(range(0, 50));
    expect(b.accepted.messages + a.accepted.messages).toBe(50);
  });

  it('acknowledges nothing before it is durable: a failed write is redelivered, then stored once', async () => {
    const entityId = await registerDevice('aq-flaky');
    let failures = 1;
    const flaky = withIngest(store, async (batch) => {
      if (failures-- > 0) throw new Error('disk full');
      return store.ingest(batch);
    });
    const node = await startNode('node-flaky', { store: flaky });
    const device = await connectDevice('aq-flaky');
    // No observedAt: a second delivery after a lost write would be a second point.
    await device.publishAsync(attrsTopic('aq-flaky'), '{"pm25":42}', { qos: 1 });
    await expect.poll(() => pm25Values(entityId), eventually).toEqual([42]);
    expect(failures).toBeLessThan(0);
    expect(node.accepted.messages).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await store.series.countFor(entityId)).toBe(1);
  });

  it('has many messages of one session in hand at once, and acknowledges none before its commit', async () => {
    const entityId = await registerDevice('aq-inflight');
    await dynsec.ensureIngestAccount({
      username: 'citybrain-held',
      password: NODE_PASSWORD,
      group: 'citybrain',
    });
    let writes = 0;
    let writing = 0;
    let kill!: () => void;
    const killed = new Promise<void>((resolve) => (kill = resolve));
    const hanging = withIngest(store, async (batch) => {
      writes++;
      writing += batch.length;
      await killed;
      throw new Error('the process died during the write');
    });
    const a = await startNode('node-held', {
      store: hanging,
      username: 'citybrain-held',
      takeover: false,
      connections: 1,
    });
    const device = await connectDevice('aq-inflight');
    await publishAll(device, 'aq-inflight', range(0, 10));
    // One session, one write hanging: the session has still taken every message.
    await expect.poll(() => writing + a.pipeline.backlog, eventually).toBe(10);
    expect(writes).toBe(1);
    expect(a.accepted.messages).toBe(0);
    await dynsec.run([{ command: 'disableClient', username: 'citybrain-held' }]);
    await expect.poll(() => a.ingest.connected(), eventually).toBe(false);
    kill();
    await a.ingest.close();

    // None had its PUBACK: the broker sends all ten again when the session returns.
    await dynsec.run([{ command: 'enableClient', username: 'citybrain-held' }]);
    const back = await startNode('node-held', { username: 'citybrain-held', takeover: false });
    await expect.poll(() => pm25Values(entityId), eventually).toEqual(range(0, 10));
    expect(back.accepted.messages).toBe(10);
  });

  it("Mosquitto 2.0 keeps a dead node's share, unacknowledged messages included, until that node returns", async () => {
    const entityId = await registerDevice('aq-dying');
    await dynsec.ensureIngestAccount({
      username: 'citybrain-a',
      password: NODE_PASSWORD,
      group: 'citybrain',
    });
    let writing = false;
    let kill!: () => void;
    const killed = new Promise<void>((resolve) => (kill = resolve));
    const hanging = withIngest(store, async () => {
      writing = true;
      await killed;
      throw new Error('the process died during the write');
    });
    const a = await startNode('node-dying', {
      store: hanging,
      username: 'citybrain-a',
      takeover: false,
    });
    const device = await connectDevice('aq-dying');
    await publishAll(device, 'aq-dying', [0]);
    await expect.poll(() => writing, eventually).toBe(true);
    // The node vanishes without leaving the group: its account is kicked, then it is gone.
    await dynsec.run([{ command: 'disableClient', username: 'citybrain-a' }]);
    await expect.poll(() => a.ingest.connected(), eventually).toBe(false);
    kill();
    await a.ingest.close();

    const b = await startNode('node-b', { takeover: false });
    await publishAll(device, 'aq-dying', range(1, 21));
    // Round robin still counts the dead node's two sessions: B's two get half, the rest waits.
    await expect.poll(() => b.accepted.messages, eventually).toBe(10);
    await new Promise((r) => setTimeout(r, 300));
    expect(b.accepted.messages).toBe(10);
    expect(await pm25Values(entityId)).toHaveLength(10);

    // The same node id comes back: the broker redelivers the unacknowledged message and the queue.
    await dynsec.run([{ command: 'enableClient', username: 'citybrain-a' }]);
    const back = await startNode('node-dying', { username: 'citybrain-a', takeover: false });
    await expect.poll(() => pm25Values(entityId), eventually).toEqual(range(0, 21));
    expect(back.accepted.messages + b.accepted.messages).toBe(21);
    expect(a.accepted.messages).toBe(0);
  });

  it("loses what a dead node's sessions cannot queue beyond max_queued_messages", async () => {
    const small = await startMosquitto(['max_queued_messages 2']);
    const smallDynsec = await MosquittoDynsec.connect({
      url: small.url,
      ...small.admin,
      logger: silent,
    });
    try {
      await smallDynsec.ensureIngestAccount({
        username: 'citybrain',
        password: NODE_PASSWORD,
        group: 'citybrain',
      });
      await smallDynsec.addDevice('aq-q', SECRET);
      const entityId = await registerDevice('aq-q');
      const on = (clientId: string) => startNode(clientId, { url: small.url, takeover: false });
      const dead = await on('node-q');
      await smallDynsec.run([{ command: 'disableClient', username: 'citybrain' }]);
      await expect.poll(() => dead.ingest.connected(), eventually).toBe(false);
      await dead.ingest.close();
      await smallDynsec.run([{ command: 'enableClient', username: 'citybrain' }]);
      const alive = await on('node-other');
      const device = await connectAsync(small.url, {
        protocolVersion: 5,
        username: 'aq-q',
        password: SECRET,
        clientId: 'aq-q',
      });
      clients.push(device);
      // Every PUBACK the device gets comes from the broker, whatever happens next.
      await publishAll(device, 'aq-q', range(0, 20));
      await expect.poll(() => alive.accepted.messages, eventually).toBe(10);
      const back = await on('node-q');
      // Each of the two dead sessions kept two of its five messages; six were dropped.
      await expect.poll(() => back.accepted.messages, eventually).toBe(4);
      await new Promise((r) => setTimeout(r, 300));
      expect(await pm25Values(entityId)).toHaveLength(14);
    } finally {
      await Promise.all(nodes.splice(0).map((n) => n.close()));
      await smallDynsec.close();
      await small.stop();
    }
  });
});
