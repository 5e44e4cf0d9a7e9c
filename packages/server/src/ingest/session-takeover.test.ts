import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serviceAvailable, servicesRequired } from '../../tests/helpers/services.js';
import { startCuttableProxy, type CuttableProxy } from '../bus/nats/cuttable-proxy.js';
import { MemoryBus } from '../bus/memory/index.js';
import type { Store } from '../store/index.js';
import { SqliteStore } from '../store/sqlite/index.js';
import { DeviceRegistry } from './device-registry.js';
import { startExternalMqttIngest, type ExternalMqttIngest } from './external-mqtt.js';
import { IngestGate } from './ingest-gate.js';
import { IngestPipeline } from './ingest-pipeline.js';
import type { IngestMetrics } from './metrics.js';
import { MosquittoDynsec } from './mosquitto-dynsec.js';
import { downTopic, drainedTopic } from './session-takeover.js';
import {
  mosquittoInstalled,
  startMosquitto,
  type MosquittoProcess,
} from './testing/mosquitto-process.js';
import { publishAll, range, storedPm25, withIngest } from './testing/ingest-fixtures.js';

const runnable = mosquittoInstalled(servicesRequired) && (await serviceAvailable('mosquitto'));

const SECRET = 'sensor-secret-0123456789';
const NODE_PASSWORD = 'node-password-0123456';
/** The machine is shared: give the broker and the store time, not a fixed sleep. */
const eventually = { timeout: 15_000 };
const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let broker: MosquittoProcess;
let store: SqliteStore;
const dataDir = mkdtempSync(join(tmpdir(), 'cb-takeover-'));
let dynsec: MosquittoDynsec;
let registry: DeviceRegistry;
const clients: MqttClient[] = [];
const nodes: ExternalMqttIngest[] = [];
const proxies: CuttableProxy[] = [];

/** A deployment of its own: a group and a service account, so tests never share a group. */
async function deployment() {
  const name = `cb-${randomUUID().slice(0, 8)}`;
  await dynsec.ensureIngestAccount({ username: name, password: NODE_PASSWORD, group: name });
  return { group: name, username: name };
}

type LogLine = {
  level: number;
  msg: string;
  mqttSession?: string;
  sessionPresent?: boolean;
  session?: string;
};

/** One citybrain node's ingest: its own registry, pipeline and gate over the shared store. */
async function startNode(
  clientId: string,
  deployed: { group: string; username: string },
  options: { store?: Store; url?: string } = {},
) {
  const accepted = { messages: 0 };
  const metrics: IngestMetrics = {
    accepted: () => void accepted.messages++,
    rejected: () => {},
    committed: () => {},
    latency: () => {},
  };
  const logs: LogLine[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
  );
  const nodeStore = options.store ?? store;
  const pipeline = new IngestPipeline({
    store: nodeStore,
    bus: new MemoryBus(() => {}),
    logger: silent,
    metrics,
  });
  const ingest = await startExternalMqttIngest({
    url: options.url ?? broker.url,
    ...deployed,
    password: NODE_PASSWORD,
    clientId,
    connections: 2,
    reconnect: { minMs: 100, maxMs: 400 },
    takeover: { willDelaySeconds: 1 },
    registry: new DeviceRegistry(nodeStore),
    gate: new IngestGate(pipeline, metrics),
    logger,
  });
  nodes.push(ingest);
  const logged = (msg: string | RegExp) =>
    logs.filter((l) => (typeof msg === 'string' ? l.msg === msg : msg.test(l.msg)));
  return { ingest, accepted, logged };
}

async function mqttClient(options: IClientOptions): Promise<MqttClient> {
  const client = await connectAsync(broker.url, {
    protocolVersion: 5,
    reconnectPeriod: 0,
    ...options,
  });
  client.on('error', () => {});
  clients.push(client);
  return client;
}

const connectDevice = (id: string, extra: IClientOptions = {}) =>
  mqttClient({ username: id, password: SECRET, clientId: id, ...extra });

async function registerDevice(id: string) {
  const { device } = await registry.register({
    id,
    entityType: 'AirQualityObserved',
    secret: SECRET,
  });
  return device.entityId;
}

const pm25Values = (entityId: string) => storedPm25(store, entityId);

/** A node reached through a relay that a test cuts: to the broker, the node crashed. */
async function relay() {
  const proxy = await startCuttableProxy(broker.url);
  proxies.push(proxy);
  return proxy;
}

describe.skipIf(!runnable)('other nodes take over the MQTT sessions of a dead node', () => {
  beforeAll(async () => {
    broker = await startMosquitto();
    store = new SqliteStore({ file: join(dataDir, 'db.sqlite') });
    dynsec = await MosquittoDynsec.connect({ url: broker.url, ...broker.admin, logger: silent });
    registry = new DeviceRegistry(store, dynsec.registryHooks());
  });

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await Promise.all(proxies.splice(0).map((p) => p.cut()));
  });

  afterAll(async () => {
    await dynsec?.close();
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
    await broker?.stop();
  });

  it('stores everything a killed node held or was sent, gives its share to the survivor, and lets it rejoin', async () => {
    const deployed = await deployment();
    const entityId = await registerDevice('aq-kill');
    let dead = false;
    let die!: () => void;
    const death = new Promise<void>((resolve) => (die = resolve));
    let hanging = 0;
    // Once doomed, node A's writes never complete: it dies with messages in hand.
    const doomed = withIngest(store, async (batch) => {
      if (!dead) return store.ingest(batch);
      hanging++;
      await death;
      throw new Error('the process died during the write');
    });
    const proxy = await relay();
    const a = await startNode('node-a', deployed, { url: proxy.url, store: doomed });
    const b = await startNode('node-b', deployed);
    const device = await connectDevice('aq-kill');
    await publishAll(device, 'aq-kill', range(0, 10));
    await expect.poll(() => pm25Values(entityId), eventually).toEqual(range(0, 10));
    expect(a.accepted.messages).toBeGreaterThan(0);
    expect(b.accepted.messages).toBeGreaterThan(0);

    dead = true;
    await publishAll(device, 'aq-kill', range(10, 20));
    await expect.poll(() => hanging, eventually).toBeGreaterThan(0);
    await sleep(300);
    // SIGKILL as the broker sees it: A's connections drop without a DISCONNECT.
    await proxy.cut();
    die();
    // Every one of these has its PUBACK from the broker: the device considers it delivered.
    await publishAll(device, 'aq-kill', range(20, 60));
    await expect.poll(() => pm25Values(entityId), eventually).toEqual(range(0, 60));
    // Nothing A acknowledged came again, and nothing was handled twice.
    expect(a.accepted.messages + b.accepted.messages).toBe(60);
    await expect
      .poll(() => b.logged('drained and deleted the session of a dead node').length, eventually)
      .toBe(2);

    // A's sessions left the round robin: B gets every new message at once.
    const before = b.accepted.messages;
    await publishAll(device, 'aq-kill', range(60, 80));
    await expect.poll(() => pm25Values(entityId), eventually).toEqual(range(0, 80));
    expect(b.accepted.messages - before).toBe(20);

    // The node comes back under its client id: fresh sessions, and a share again.
    await a.ingest.close();
    const back = await startNode('node-a', deployed);
    const resumed = b.accepted.messages;
    await publishAll(device, 'aq-kill', range(80, 120));
    await expect.poll(() => pm25Values(entityId), eventually).toEqual(range(0, 120));
    expect(back.accepted.messages).toBeGreaterThan(0);
    expect(b.accepted.messages - resumed).toBeGreaterThan(0);
    expect(back.accepted.messages + b.accepted.messages - resumed).toBe(40);
    // B deleted A's drained sessions: the broker no longer keeps them (for a day).
    const resumedSessions = back
      .logged('connected to the MQTT broker')
      .filter((l) => /^node-a-\d$/.test(l.mqttSession ?? ''));
    expect(resumedSessions.map((l) => l.sessionPresent)).toEqual([false, false]);
  });

  it('loses nothing when the dead node restarts while its sessions are being drained', async () => {
    const deployed = await deployment();
    const entityId = await registerDevice('aq-back');
    let holding = false;
    let resume!: () => void;
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    // B's writes wait while A restarts, so that its drains are under way when A is back.
    const held = withIngest(store, async (batch) => {
      if (holding) await resumed;
      return store.ingest(batch);
    });
    const proxy = await relay();
    const a = await startNode('node-c', deployed, { url: proxy.url });
    const b = await startNode('node-d', deployed, { store: held });
    const device = await connectDevice('aq-back');
    await publishAll(device, 'aq-back', range(0, 10));
    await expect.poll(() => pm25Values(entityId), eventually).toEqual(range(0, 10));

    holding = true;
    await proxy.cut();
    await publishAll(device, 'aq-back', range(10, 50));
    await expect
      .poll(() => b.logged(/resumed the session of a dead node/).length, eventually)
      .toBe(2);
    await a.ingest.close();
    const back = await startNode('node-c', deployed);
    resume();
    await expect.poll(() => pm25Values(entityId), eventually).toEqual(range(0, 50));
    // Both drains were cut short (their first message was still being written).
    await expect.poll(() => b.logged(/closed while draining/).length, eventually).toBe(2);
    expect(b.logged('drained and deleted the session of a dead node')).toEqual([]);
    expect(back.accepted.messages).toBeGreaterThan(0);

    // Both nodes share the group again.
    const [fromBack, fromB] = [back.accepted.messages, b.accepted.messages];
    await publishAll(device, 'aq-back', range(50, 90));
    await expect.poll(() => pm25Values(entityId), eventually).toEqual(range(0, 90));
    expect(back.accepted.messages).toBeGreaterThan(fromBack);
    expect(b.accepted.messages).toBeGreaterThan(fromB);
  });

  it('hands a session on when the node taking it over dies in turn', async () => {
    const deployed = await deployment();
    const entityId = await registerDevice('aq-twice');
    let dead = false;
    let die!: () => void;
    const death = new Promise<void>((resolve) => (die = resolve));
    // Once A is dead, B's writes never complete: B dies in the middle of its drain.
    const doomed = withIngest(store, async (batch) => {
      if (!dead) return store.ingest(batch);
      await death;
      throw new Error('the process died during the write');
    });
    const [proxyA, proxyB] = [await relay(), await relay()];
    const a = await startNode('node-f', deployed, { url: proxyA.url });
    const b = await startNode('node-g', deployed, { url: proxyB.url, store: doomed });
    const c = await startNode('node-h', deployed);
    const device = await connectDevice('aq-twice');
    await publishAll(device, 'aq-twice', range(0, 12));
    await expect.poll(() => pm25Values(entityId), eventually).toEqual(range(0, 12));

    dead = true;
    await proxyA.cut();
    await publishAll(device, 'aq-twice', range(12, 40));
    await expect
      .poll(() => b.logged(/resumed the session of a dead node/).length, eventually)
      .toBeGreaterThan(0);
    await proxyB.cut();
    die();
    await a.ingest.close();
    await b.ingest.close();
    await publishAll(device, 'aq-twice', range(40, 50));
    await expect.poll(() => pm25Values(entityId), eventually).toEqual(range(0, 50));
    // C took over B's sessions, and A's through the wills of B's takeover connections.
    const taken = () =>
      c
        .logged('drained and deleted the session of a dead node')
        .map((l) => l.session)
        .sort();
    await expect.poll(taken, eventually).toEqual(['node-f-0', 'node-f-1', 'node-g-0', 'node-g-1']);
  });

  it("ignores a will naming one of the node's own sessions, and acts on another node's", async () => {
    const deployed = await deployment();
    const entityId = await registerDevice('aq-own');
    const a = await startNode('node-e', deployed);
    const peer = await mqttClient({
      username: deployed.username,
      password: NODE_PASSWORD,
      clientId: `peer-${randomUUID()}`,
    });
    const will = (session: string) =>
      peer.publishAsync(
        downTopic(session),
        JSON.stringify({ clientId: session, group: deployed.group, node: 'x', at: 'now' }),
        { qos: 1 },
      );
    // As after a network blip the node already recovered from.
    await will('node-e-0');
    await expect
      .poll(() => a.logged("ignoring the will of one of this node's sessions").length, eventually)
      .toBe(1);
    // The same will for a session the node does not hold is acted upon.
    await will('node-gone-0');
    await expect
      .poll(() => a.logged('the session of the dead node was already gone').length, eventually)
      .toBe(1);
    expect(a.logged('taking over the session of a dead node')).toHaveLength(1);
    // Never kicked off its own session: a takeover would have made it reconnect.
    expect(a.logged('reconnecting to the MQTT broker')).toEqual([]);
    expect(a.ingest.connected()).toBe(true);
    const device = await connectDevice('aq-own');
    await publishAll(device, 'aq-own', range(0, 10));
    await expect.poll(() => pm25Values(entityId), eventually).toEqual(range(0, 10));
    expect(a.accepted.messages).toBe(10);
  });

  it('lets no device publish a will or a marker on the node topics', async () => {
    const deployed = await deployment();
    await registerDevice('aq-forger');
    await dynsec.run([
      {
        command: 'createRole',
        rolename: 'test-observer',
        acls: [
          { acltype: 'subscribePattern', topic: 'citybrain/v1/nodes/#', allow: true },
          { acltype: 'publishClientReceive', topic: 'citybrain/v1/nodes/#', allow: true },
        ],
      },
      {
        command: 'createClient',
        username: 'observer',
        password: NODE_PASSWORD,
        roles: [{ rolename: 'test-observer' }],
      },
    ]);
    const observer = await mqttClient({
      username: 'observer',
      password: NODE_PASSWORD,
      clientId: 'observer',
    });
    const seen: string[] = [];
    observer.on('message', (topic) => seen.push(topic));
    await observer.subscribeAsync('citybrain/v1/nodes/#', { qos: 1 });

    const device = await connectDevice('aq-forger', {
      will: { topic: downTopic('node-x-0'), payload: Buffer.from('{}'), qos: 1 },
    });
    await expect(device.publishAsync(downTopic('node-x-1'), '{}', { qos: 1 })).rejects.toThrow(
      /Not authorized/,
    );
    await expect(device.publishAsync(drainedTopic('node-x-1'), 'x', { qos: 1 })).rejects.toThrow(
      /Not authorized/,
    );
    device.stream.destroy();
    // A node's will, by contrast, is published when its connection drops.
    const node = await mqttClient({
      ...deployed,
      password: NODE_PASSWORD,
      clientId: 'node-x-2',
      will: { topic: downTopic('node-x-2'), payload: Buffer.from('{}'), qos: 1 },
    });
    node.stream.destroy();
    await expect.poll(() => seen, eventually).toEqual([downTopic('node-x-2')]);
    await sleep(300);
    expect(seen).toEqual([downTopic('node-x-2')]);
  });
});
