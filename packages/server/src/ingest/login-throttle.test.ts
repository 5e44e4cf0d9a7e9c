import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { connectAsync, type MqttClient } from 'mqtt';
import { pino, type Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/index.js';
import { installErrorHandler } from '../server/http/error-handler.js';
import { SqliteStore } from '../store/sqlite/index.js';
import { DeviceRegistry } from './device-registry.js';
import { ingestRoutes } from './http-routes.js';
import { IngestGate } from './ingest-gate.js';
import { IngestPipeline } from './ingest-pipeline.js';
import { LoginBlocked, LoginThrottle, type LoginLimits } from './login-throttle.js';
import type { IngestMetrics } from './metrics.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './mqtt-broker.js';
import { SecretHasher, type SecretCheck } from './secret-hasher.js';

// Failed device logins over real MQTT and HTTP connections, against a registry over a real
// SQLite file: after too many, even the right secret is refused, unchecked, until the block ends.
const SECRET = 'station-secret-0123456789';
const WRONG = 'not-the-secret-00000';
const BAD_USERNAME_OR_PASSWORD = 4;
const SERVER_UNAVAILABLE = 3;
const DEVICE_BLOCKED = 'too many failed logins: this device blocked';
const ADDRESS_BLOCKED = 'too many failed logins: this address blocked';
const metrics: IngestMetrics = {
  accepted: () => {},
  rejected: () => {},
  committed: () => {},
  latency: () => {},
};

/** A hasher that counts the secrets it checks (each a scrypt). */
class CountingHasher extends SecretHasher {
  verifies = 0;
  override verify(secret: string, stored: string): Promise<SecretCheck> {
    this.verifies++;
    return super.verify(secret, stored);
  }
}

let dir: string;
let store: SqliteStore;
let bus: MemoryBus;
let hasher: CountingHasher;
let registry: DeviceRegistry;
let pipeline: IngestPipeline;
let broker: EmbeddedBroker | undefined;
let api: FastifyInstance | undefined;
/** What the node logged at warn level and above, one object per line. */
let logged: { msg: string; deviceId?: string; address?: string }[];
let logger: Logger;
const clients: MqttClient[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cb-throttle-'));
  store = new SqliteStore({ file: join(dir, 'db.sqlite') });
  bus = new MemoryBus((err) => {
    throw err;
  });
  hasher = new CountingHasher();
  registry = new DeviceRegistry(store, {}, { bus, hasher });
  pipeline = new IngestPipeline({ store, bus, logger: pino({ level: 'silent' }), metrics });
  for (const id of ['aq-1', 'aq-2', 'aq-3'])
    await registry.register({ id, entityType: 'AirQualityObserved', secret: SECRET });
  logged = [];
  logger = pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line)) });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await broker?.close();
  await api?.close();
  [broker, api] = [undefined, undefined];
  await pipeline.close();
  await bus.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One throttle, as a node shares it between its broker and its HTTP ingest. */
const throttle = (limits: LoginLimits) => new LoginThrottle({ limits, logger });

async function startBroker(limits: LoginLimits): Promise<void> {
  broker = await startEmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    registry,
    gate: new IngestGate(pipeline, metrics),
    logger,
    throttle: throttle(limits),
  });
}

/** The CONNACK return code of a refused connection; undefined when it was let in. */
async function refusal(id: string, secret: string): Promise<number | undefined> {
  try {
    const client = await connectAsync(`mqtt://127.0.0.1:${broker!.port}`, {
      username: id,
      password: secret,
      clientId: `${id}-${clients.length}`,
      reconnectPeriod: 0,
    });
    clients.push(client);
    return undefined;
  } catch (err) {
    return (err as { code?: number }).code;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const times = async <T>(n: number, f: () => Promise<T>): Promise<T[]> => {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await f());
  return out;
};
const messages = (msg: string) => logged.filter((l) => l.msg === msg);

describe('failed device logins over MQTT', () => {
  it('refuse even the right secret after too many, unchecked, until the block ends', async () => {
    await startBroker({ perDevice: 3, perAddress: 100, windowSeconds: 60, blockSeconds: 1 });
    expect(await times(3, () => refusal('aq-1', WRONG))).toEqual(
      Array(3).fill(BAD_USERNAME_OR_PASSWORD),
    );
    const checked = hasher.verifies;
    expect(await times(5, () => refusal('aq-1', SECRET))).toEqual(
      Array(5).fill(SERVER_UNAVAILABLE),
    );
    expect(await refusal('aq-1', WRONG)).toBe(SERVER_UNAVAILABLE);
    expect(hasher.verifies).toBe(checked);
    // Another device, from the same address, is not affected.
    expect(await refusal('aq-2', SECRET)).toBeUndefined();
    // One line for the block, none for the attempts it refused.
    expect(messages(DEVICE_BLOCKED)).toMatchObject([{ deviceId: 'aq-1', address: '127.0.0.1' }]);
    expect(messages('MQTT connect refused')).toHaveLength(3);

    await sleep(1100);
    expect(await refusal('aq-1', SECRET)).toBeUndefined();
    // The success cleared the device's failures: it has three tries again.
    expect(await times(3, () => refusal('aq-1', WRONG))).toEqual(
      Array(3).fill(BAD_USERNAME_OR_PASSWORD),
    );
    expect(await refusal('aq-1', SECRET)).toBe(SERVER_UNAVAILABLE);
  });

  it('never limit successful logins, and a success clears its device failures', async () => {
    await startBroker({ perDevice: 3, perAddress: 100, windowSeconds: 60, blockSeconds: 60 });
    for (let round = 0; round < 4; round++) {
      expect(await times(2, () => refusal('aq-1', WRONG))).toEqual([
        BAD_USERNAME_OR_PASSWORD,
        BAD_USERNAME_OR_PASSWORD,
      ]);
      expect(await times(5, () => refusal('aq-1', SECRET))).toEqual(Array(5).fill(undefined));
    }
    expect(messages(DEVICE_BLOCKED)).toEqual([]);
  });

  it('refuse every device from an address that failed too often', async () => {
    await startBroker({ perDevice: 10, perAddress: 4, windowSeconds: 60, blockSeconds: 60 });
    expect(await refusal('aq-2', SECRET)).toBeUndefined();
    await times(2, () => refusal('aq-1', WRONG));
    await times(2, () => refusal('no-such-device', WRONG));
    const checked = hasher.verifies;
    expect(await refusal('aq-2', SECRET)).toBe(SERVER_UNAVAILABLE);
    expect(await refusal('aq-3', SECRET)).toBe(SERVER_UNAVAILABLE);
    expect(hasher.verifies).toBe(checked);
    expect(messages(ADDRESS_BLOCKED)).toMatchObject([{ address: '127.0.0.1' }]);
  });
});

describe('failed device logins over HTTP', () => {
  it('answer 429 ProblemDetails with Retry-After, and do not take the message', async () => {
    api = Fastify();
    installErrorHandler(api);
    await api.register(ingestRoutes, {
      prefix: '/api/v1',
      store,
      registry,
      gate: new IngestGate(pipeline, metrics),
      throttle: throttle({ perDevice: 2, perAddress: 100, windowSeconds: 60, blockSeconds: 30 }),
    });
    const url = await api.listen({ host: '127.0.0.1', port: 0 });
    const send = (id: string, secret: string) =>
      fetch(`${url}/api/v1/ingest/${id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: '{"pm25": 12}',
      });

    expect((await send('aq-1', WRONG)).status).toBe(401);
    expect((await send('aq-1', WRONG)).status).toBe(401);
    const refused = await send('aq-1', SECRET);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({
      type: 'https://citybrain.dev/errors/TooManyRequests',
      status: 429,
    });
    expect((await send('aq-2', SECRET)).status).toBe(200);
    const entity = await store.entities.get('urn:ngsi-ld:AirQualityObserved:aq-1');
    expect(entity?.pm25).toBeUndefined();
  });
});

describe('a node-wide throttle', () => {
  const attempt = (address: string, deviceId = 'aq-1') =>
    ({ source: 'http', deviceId, address }) as const;

  it('counts an IPv6 address by its /64, IPv4-mapped ones as IPv4, and no other address', async () => {
    const logins = throttle({ perDevice: 10, perAddress: 2, windowSeconds: 60, blockSeconds: 60 });
    const login = (address: string, deviceId: string, secret: string) =>
      logins.login(attempt(address, deviceId), () => registry.authenticate(deviceId, secret));

    expect(await login('2001:db8:1:2::a', 'aq-1', WRONG)).toBe('bad-credentials');
    expect(await login('2001:db8:1:2::b', 'aq-2', WRONG)).toBe('bad-credentials');
    expect(await login('2001:db8:1:2:ffff::1', 'aq-3', SECRET)).toBeInstanceOf(LoginBlocked);
    expect(await login('2001:db8:1:3::a', 'aq-3', SECRET)).toMatchObject({ id: 'aq-3' });

    expect(await login('::ffff:198.51.100.7', 'aq-1', WRONG)).toBe('bad-credentials');
    expect(await login('198.51.100.7', 'aq-1', WRONG)).toBe('bad-credentials');
    expect(await login('198.51.100.7', 'aq-2', SECRET)).toMatchObject({ by: 'address' });
    expect(await login('198.51.100.8', 'aq-2', SECRET)).toMatchObject({ id: 'aq-2' });
  });

  it('lets no more checks run at once than a device has tries left', async () => {
    const logins = throttle({ perDevice: 3, perAddress: 0, windowSeconds: 60, blockSeconds: 60 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        logins.login(attempt(`192.0.2.${i}`), () => registry.authenticate('aq-1', WRONG)),
      ),
    );
    expect(results.filter((r) => r === 'bad-credentials')).toHaveLength(3);
    expect(results.filter((r) => r instanceof LoginBlocked)).toHaveLength(17);
    expect(hasher.verifies).toBe(3);
    expect(messages(DEVICE_BLOCKED)).toHaveLength(1);
  });
});
