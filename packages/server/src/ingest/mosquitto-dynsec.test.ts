import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceAvailable, servicesRequired } from '../../tests/helpers/services.js';
import { CityError } from '../core/index.js';
import { SqliteStore } from '../store/sqlite/index.js';
import { DeviceRegistry } from './device-registry.js';
import { MosquittoDynsec } from './mosquitto-dynsec.js';
import {
  mosquittoInstalled,
  startMosquitto,
  type MosquittoProcess,
} from './testing/mosquitto-process.js';
import { attrsTopic, commandTopic } from './topics.js';

const runnable = mosquittoInstalled(servicesRequired) && (await serviceAvailable('mosquitto'));

const SECRET = 'sensor-secret-0123456789';
/** MQTT 5 reason code 0x87; Mosquitto answers it for bad credentials as well. */
const NOT_AUTHORIZED = 0x87;
/** The machine is shared: give the broker and the store time, not a fixed sleep. */
const eventually = { timeout: 10_000 };
let broker: MosquittoProcess;
let store: SqliteStore;
const dataDir = mkdtempSync(join(tmpdir(), 'cb-dynsec-'));
let dynsec: MosquittoDynsec;
let registry: DeviceRegistry;
const logs: { level: number; msg: string; devices?: string[] }[] = [];
const clients: MqttClient[] = [];

async function mqtt(options: IClientOptions): Promise<MqttClient> {
  const client = await connectAsync(broker.url, {
    protocolVersion: 5,
    reconnectPeriod: 0,
    ...options,
  });
  clients.push(client);
  return client;
}

/** The CONNACK reason code the broker answers, 0 when it lets the client in. */
async function connackCode(options: IClientOptions): Promise<number> {
  try {
    await mqtt(options);
    return 0;
  } catch (err) {
    return (err as { code: number }).code;
  }
}

const register = (id: string) =>
  registry.register({ id, entityType: 'AirQualityObserved', secret: SECRET });

describe.skipIf(!runnable)('Mosquitto dynamic security kept in step with the registry', () => {
  beforeAll(async () => {
    broker = await startMosquitto();
    store = new SqliteStore({ file: join(dataDir, 'db.sqlite') });
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void logs.push(JSON.parse(line) as (typeof logs)[number]) },
    );
    dynsec = await MosquittoDynsec.connect({ url: broker.url, ...broker.admin, logger });
    registry = new DeviceRegistry(store, dynsec.registryHooks());
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await dynsec?.close();
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
    await broker?.stop();
  });

  it('lets a registered device in with its secret only, publishing only to its own attrs topic', async () => {
    await register('aq-1');
    await register('aq-2');
    await dynsec.ensureIngestAccount({
      username: 'node',
      password: 'node-password-123',
      group: 'g',
    });
    const listener = await mqtt({ username: 'node', password: 'node-password-123', clientId: 'n' });
    const seen: string[] = [];
    listener.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
    await listener.subscribeAsync('$share/g/citybrain/v1/devices/+/attrs', { qos: 1 });

    expect(
      await connackCode({ username: 'aq-1', password: 'wrong-secret-0123456', clientId: 'aq-1' }),
    ).toBe(NOT_AUTHORIZED);
    expect(await connackCode({ username: 'nobody', password: SECRET, clientId: 'nobody' })).toBe(
      NOT_AUTHORIZED,
    );
    // Bound to its client id: a device cannot take over another device's session.
    expect(await connackCode({ username: 'aq-1', password: SECRET, clientId: 'aq-2' })).toBe(
      NOT_AUTHORIZED,
    );

    const device = await mqtt({ username: 'aq-1', password: SECRET, clientId: 'aq-1' });
    const acks: number[] = [];
    device.on('packetreceive', (p) => p.cmd === 'puback' && acks.push(p.reasonCode ?? 0));
    await device.publishAsync(attrsTopic('aq-1'), '{"pm25":7}', { qos: 1 });
    await expect(
      device.publishAsync(attrsTopic('aq-2'), '{"pm25":999}', { qos: 1 }),
    ).rejects.toThrow(/Not authorized/);
    expect(acks).toEqual([0, NOT_AUTHORIZED]);
    await expect.poll(() => seen, eventually).toEqual([`${attrsTopic('aq-1')} {"pm25":7}`]);

    // Its own command topic only; never the other devices' telemetry through the group.
    await device.subscribeAsync(commandTopic('aq-1'), { qos: 1 });
    await expect(device.subscribeAsync(commandTopic('aq-2'), { qos: 1 })).rejects.toThrow(
      /Not authorized/,
    );
    await expect(
      device.subscribeAsync('$share/g/citybrain/v1/devices/+/attrs', { qos: 1 }),
    ).rejects.toThrow(/Not authorized/);
    const commands: string[] = [];
    device.on('message', (topic) => commands.push(topic));
    await listener.publishAsync(commandTopic('aq-1'), '{"reset":true}', { qos: 1 });
    await expect.poll(() => commands, eventually).toEqual([commandTopic('aq-1')]);
  });

  it('disconnects a removed device and refuses it from then on', async () => {
    await register('aq-gone');
    const device = await mqtt({ username: 'aq-gone', password: SECRET, clientId: 'aq-gone' });
    expect(device.connected).toBe(true);
    expect(await registry.remove('aq-gone')).toBe(true);
    await expect.poll(() => device.connected, eventually).toBe(false);
    expect(await connackCode({ username: 'aq-gone', password: SECRET, clientId: 'aq-gone' })).toBe(
      NOT_AUTHORIZED,
    );
    expect(await registry.get('aq-gone')).toBeUndefined();
  });

  it('turns a refused command into a CityError with the plugin message, and undoes the registration', async () => {
    await expect(
      dynsec.run([{ command: 'createClient', username: broker.admin.username }]),
    ).rejects.toMatchObject({
      code: 'AlreadyExists',
      message: expect.stringMatching(/Client already exists/),
    });
    await expect(dynsec.run([{ command: 'noSuchCommand' }])).rejects.toThrow(/Unknown command/);
    // A device id that names a broker account citybrain did not create: refused, untouched.
    const err = await register(broker.admin.username).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CityError);
    expect((err as CityError).code).toBe('AlreadyExists');
    expect(await registry.get(broker.admin.username)).toBeUndefined();
    expect(await connackCode({ ...broker.admin, clientId: 'admin-again' })).toBe(0);
  });

  it('reports devices registered before the broker was in step, and deletes accounts of removed ones', async () => {
    // Registered while the external mode was off: the broker never saw the secret.
    await new DeviceRegistry(store).register({
      id: 'aq-old',
      entityType: 'AirQualityObserved',
      secret: SECRET,
    });
    // Known to the broker only (removed from citybrain while the broker was unreachable).
    await dynsec.addDevice('aq-stale', SECRET);
    const report = await dynsec.syncAll(store.devices);
    expect(report).toEqual({ missing: ['aq-old'], removed: ['aq-stale'] });
    expect(
      await connackCode({ username: 'aq-stale', password: SECRET, clientId: 'aq-stale' }),
    ).toBe(NOT_AUTHORIZED);
    expect(await connackCode({ username: 'aq-old', password: SECRET, clientId: 'aq-old' })).toBe(
      NOT_AUTHORIZED,
    );
    const logged = logs.find((l) => l.level === 50 && /re-issue their secrets/.test(l.msg));
    expect(logged?.devices).toEqual(['aq-old']);
  });
});
