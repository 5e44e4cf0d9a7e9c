import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { connectAsync, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/index.js';
import { installErrorHandler } from '../server/http/error-handler.js';
import { SqliteStore } from '../store/sqlite/index.js';
import { DEVICE_CREDENTIALS_CHANGED, DeviceRegistry } from './device-registry.js';
import { ingestRoutes } from './http-routes.js';
import { IngestGate } from './ingest-gate.js';
import { IngestPipeline } from './ingest-pipeline.js';
import type { IngestMetrics } from './metrics.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './mqtt-broker.js';
import { SecretHasher, type SecretCheck } from './secret-hasher.js';
import { attrsTopic } from './topics.js';

// Removing a device (or registering it anew) through the API closes its open MQTT sessions on
// every node sharing the bus: two nodes over one SQLite file and one memory bus, real HTTP and
// real MQTT connections.
const OLD_SECRET = 'pole-old-secret-0123456789';
const NEW_SECRET = 'pole-new-secret-9876543210';
const BAD_USERNAME_OR_PASSWORD = 4;
const silent = pino({ level: 'silent' });
const metrics: IngestMetrics = {
  accepted: () => {},
  rejected: () => {},
  committed: () => {},
  latency: () => {},
};

/** A hasher whose checks wait until `release`: a login caught while it is being checked. */
class HeldHasher extends SecretHasher {
  private open!: () => void;
  private readonly gate = new Promise<void>((r) => (this.open = r));
  private began!: () => void;
  /** Resolves when a check has begun. */
  readonly checking = new Promise<void>((r) => (this.began = r));
  override async verify(secret: string, stored: string): Promise<SecretCheck> {
    this.began();
    await this.gate;
    return super.verify(secret, stored);
  }
  release(): void {
    this.open();
  }
}

interface Node {
  registry: DeviceRegistry;
  broker: EmbeddedBroker;
  url: string;
}

let dir: string;
let store: SqliteStore;
let bus: MemoryBus;
let pipeline: IngestPipeline;
let api: FastifyInstance;
let apiUrl: string;
const nodes: Node[] = [];
const clients: MqttClient[] = [];

async function startNode(hasher?: SecretHasher): Promise<Node> {
  const registry = new DeviceRegistry(store, {}, { bus, ...(hasher && { hasher }) });
  await registry.start();
  const broker = await startEmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    registry,
    gate: new IngestGate(pipeline, metrics),
    logger: silent,
  });
  const node = { registry, broker, url: `mqtt://127.0.0.1:${broker.port}` };
  nodes.push(node);
  return node;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cb-sessions-'));
  store = new SqliteStore({ file: join(dir, 'db.sqlite') });
  bus = new MemoryBus((err) => {
    throw err;
  });
  pipeline = new IngestPipeline({ store, bus, logger: silent, metrics });
  // Node A serves the device API; node B only takes devices.
  const a = await startNode();
  api = Fastify();
  installErrorHandler(api);
  await api.register(ingestRoutes, {
    prefix: '/api/v1',
    store,
    registry: a.registry,
    gate: new IngestGate(pipeline, metrics),
  });
  apiUrl = await api.listen({ host: '127.0.0.1', port: 0 });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await api.close();
  for (const n of nodes.splice(0)) {
    await n.broker.close();
    await n.registry.stop();
  }
  await pipeline.close();
  await bus.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function register(secret: string): Promise<void> {
  const res = await fetch(`${apiUrl}/api/v1/devices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'pole-1', entityType: 'Streetlight', secret }),
  });
  expect(res.status).toBe(201);
}

async function remove(): Promise<void> {
  expect((await fetch(`${apiUrl}/api/v1/devices/pole-1`, { method: 'DELETE' })).status).toBe(204);
}

async function connect(node: Node, secret: string): Promise<MqttClient> {
  const client = await connectAsync(node.url, {
    username: 'pole-1',
    password: secret,
    clientId: `pole-1-${clients.length}`,
    reconnectPeriod: 0,
  });
  clients.push(client);
  return client;
}

/** The CONNACK return code of a refused connection; undefined when it was let in. */
const refusal = (node: Node, secret: string) =>
  connect(node, secret).then(
    () => undefined,
    (err: { code?: number }) => err.code,
  );

/** Resolves when the broker has closed the client's connection; fails after 5 s. */
function closed(client: MqttClient): Promise<void> {
  if (!client.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the session is still open after 5 s')), 5000);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sessions of a device whose credentials change', () => {
  it('are closed on every node when the device is removed, and its old secret is refused', async () => {
    const [a] = nodes;
    const b = await startNode();
    await register(OLD_SECRET);
    const onA = await connect(a!, OLD_SECRET);
    const onB = await connect(b, OLD_SECRET);
    await onB.publishAsync(attrsTopic('pole-1'), '{"powerState": "on"}', { qos: 1 });
    expect(a!.broker.connectedClients() + b.broker.connectedClients()).toBe(2);

    await remove();
    await Promise.all([closed(onA), closed(onB)]);
    expect(a!.broker.connectedClients() + b.broker.connectedClients()).toBe(0);
    expect(await refusal(a!, OLD_SECRET)).toBe(BAD_USERNAME_OR_PASSWORD);
    expect(await refusal(b, OLD_SECRET)).toBe(BAD_USERNAME_OR_PASSWORD);
  });

  it('are closed when the device is registered anew; those with the new secret stay', async () => {
    const b = await startNode();
    await register(OLD_SECRET);
    const old = await connect(b, OLD_SECRET);
    await remove();
    await register(NEW_SECRET);
    await closed(old);
    expect(await refusal(b, OLD_SECRET)).toBe(BAD_USERNAME_OR_PASSWORD);
    const renewed = await connect(b, NEW_SECRET);
    // A notice of the change that reaches a node late (as over a busy bus) closes nothing
    // that logged in with the secret now registered.
    await bus.publish([
      {
        topic: DEVICE_CREDENTIALS_CHANGED,
        key: 'pole-1',
        time: Date.now(),
        payload: { id: 'pole-1', from: 'another-node' },
      },
    ]);
    await sleep(100);
    expect(renewed.connected).toBe(true);
    await renewed.publishAsync(attrsTopic('pole-1'), '{"powerState": "off"}', { qos: 1 });
    expect(b.broker.connectedClients()).toBe(1);
  });

  it('refuses a login that was being checked when the device was removed', async () => {
    const hasher = new HeldHasher();
    const b = await startNode(hasher);
    await register(OLD_SECRET);
    // Node B has not checked this secret yet: its login waits in scrypt.
    const login = refusal(b, OLD_SECRET);
    await hasher.checking;
    await remove();
    // Node B has heard of the removal once it no longer has the device.
    for (let i = 0; (await b.registry.get('pole-1')) !== undefined; i++) {
      if (i > 100) throw new Error('node B did not hear of the removal');
      await sleep(10);
    }
    hasher.release();
    expect(await login).toBe(BAD_USERNAME_OR_PASSWORD);
    expect(b.broker.connectedClients()).toBe(0);
  });
});
