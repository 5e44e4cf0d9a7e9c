import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory/index.js';
import { SqliteStore } from '../store/sqlite/index.js';
import { DeviceRegistry } from './device-registry.js';
import { SecretHasher, type SecretCheck } from './secret-hasher.js';

const SECRET = 'aq-secret-0123456789';
const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** A hasher that counts its scrypt runs. */
class CountingHasher extends SecretHasher {
  hashes = 0;
  verifies = 0;
  override hash(secret: string): Promise<string> {
    this.hashes++;
    return super.hash(secret);
  }
  override verify(secret: string, stored: string): Promise<SecretCheck> {
    this.verifies++;
    return super.verify(secret, stored);
  }
}

/** Polls until `check` holds, or fails after 5 s. */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (const started = Date.now(); !(await check());) {
    if (Date.now() - started > 5_000) throw new Error('condition not met within 5 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let dir: string;
let store: SqliteStore;
let bus: MemoryBus;
const registries: DeviceRegistry[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cb-devices-'));
  store = new SqliteStore({ file: join(dir, 'db.sqlite') });
  bus = new MemoryBus((err) => {
    throw err;
  });
});
afterEach(async () => {
  for (const r of registries.splice(0)) await r.stop();
  await bus.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A registry as one node has it: over the shared store and bus. */
async function node(hasher = new CountingHasher()): Promise<DeviceRegistry> {
  const registry = new DeviceRegistry(store, {}, { bus, hasher });
  await registry.start();
  registries.push(registry);
  return registry;
}

const register = (registry: DeviceRegistry, id: string, secret?: string) =>
  registry.register({ id, entityType: 'AirQualityObserved', ...(secret && { secret }) });

describe('DeviceRegistry secrets', () => {
  it('stores a salted scrypt hash: never the secret, nor a hash shared by equal secrets', async () => {
    const registry = await node();
    await register(registry, 'aq-1', SECRET);
    await register(registry, 'aq-2', SECRET);
    const [one, two] = [await store.devices.get('aq-1'), await store.devices.get('aq-2')];
    expect(one!.secretHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(one!.secretHash).not.toContain(SECRET);
    expect(one!.secretHash).not.toContain(sha256Hex(SECRET));
    expect(two!.secretHash).not.toBe(one!.secretHash);
    const generated = await register(registry, 'aq-3');
    expect(generated.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await (await node()).authenticate('aq-3', generated.secret)).toMatchObject({
      id: 'aq-3',
    });
  });

  it('accepts an old SHA-256 hash and replaces it with scrypt at the first login', async () => {
    const first = await node();
    await register(first, 'old-1', SECRET);
    // As an older version stored it.
    const device = (await store.devices.get('old-1'))!;
    await store.devices.put({ ...device, secretHash: sha256Hex(SECRET) });

    const upgraded = await node();
    expect(await upgraded.authenticate('old-1', 'not-the-secret-000')).toBe('bad-credentials');
    expect((await store.devices.get('old-1'))!.secretHash).toBe(sha256Hex(SECRET));
    expect(await upgraded.authenticate('old-1', SECRET)).toMatchObject({ id: 'old-1' });
    const stored = (await store.devices.get('old-1'))!;
    expect(stored.secretHash).toMatch(/^scrypt\$/);
    expect(stored).toMatchObject({ entityId: device.entityId, createdAt: device.createdAt });

    // After a restart (nothing in memory), the new hash is what the secret is checked against.
    const restarted = await node();
    expect(await restarted.authenticate('old-1', SECRET)).toMatchObject({ id: 'old-1' });
    expect(await restarted.authenticate('old-1', 'not-the-secret-000')).toBe('bad-credentials');
  });

  it('runs scrypt once per device, not at every reconnection, and still refuses bad secrets', async () => {
    const hasher = new CountingHasher();
    const registry = await node(hasher);
    await register(registry, 'aq-1', SECRET);
    // The secret was just issued: the first login needs no scrypt either.
    for (let i = 0; i < 3; i++)
      expect(typeof (await registry.authenticate('aq-1', SECRET))).toBe('object');
    expect(hasher.verifies).toBe(0);

    const restartedHasher = new CountingHasher();
    const restarted = await node(restartedHasher);
    for (let i = 0; i < 5; i++) await restarted.authenticate('aq-1', SECRET);
    expect(restartedHasher.verifies).toBe(1);
    expect(await restarted.authenticate('aq-1', 'a-wrong-secret-0000')).toBe('bad-credentials');
    expect(await restarted.authenticate('aq-1', `${SECRET} `)).toBe('bad-credentials');
    expect(typeof (await restarted.authenticate('aq-1', SECRET))).toBe('object');
    expect(restartedHasher.verifies).toBe(3);
  });

  it('refuses a removed device at once on every node, and an old secret once re-issued', async () => {
    const a = await node();
    const b = await node();
    await register(a, 'aq-1', SECRET);
    expect(typeof (await b.authenticate('aq-1', SECRET))).toBe('object');
    expect(await b.get('aq-1')).toBeDefined();

    expect(await a.remove('aq-1')).toBe(true);
    await until(async () => (await b.authenticate('aq-1', SECRET)) === 'unknown-device');
    expect(await b.get('aq-1')).toBeUndefined();

    const reissued = await register(a, 'aq-1');
    await until(async () => (await b.authenticate('aq-1', SECRET)) === 'bad-credentials');
    expect(await b.authenticate('aq-1', reissued.secret)).toMatchObject({ id: 'aq-1' });
  });
});
