import { randomBytes, randomUUID } from 'node:crypto';
import type { Bus, BusSubscription } from '../bus/index.js';
import { CityError, parseAttributes, type AttributeValue } from '../core/index.js';
import type { Device, Store } from '../store/index.js';
import { SecretHasher } from './secret-hasher.js';
import { DEVICE_ID_PATTERN, deviceEntityId } from './topics.js';
import { VerifiedSecrets, VERIFIED_SECRETS_CAPACITY } from './verified-secrets.js';

/** What it takes to register a device. */
export interface DeviceRegistration {
  id: string;
  entityType: string;
  name?: string;
  /** Static attributes of the device's entity in normalized form (location, areaServed …). */
  attributes?: Record<string, unknown>;
  /** Unit codes of reported attributes. */
  units?: Record<string, string>;
  /** A secret chosen by the operator (at least 16 characters); one is generated otherwise. */
  secret?: string;
}

/**
 * Optional hooks that mirror the registry into another system (an external MQTT broker's
 * accounts): the secret exists in clear only while a device is being registered.
 */
export interface DeviceRegistryHooks {
  /** After a device is stored, with its secret; a throw undoes the registration. */
  afterRegister?(device: Device, secret: string): Promise<void>;
  /** Before a known device is removed; a throw keeps the device, so both sides stay in step. */
  beforeRemove?(id: string): Promise<void>;
}

/** What else the registry may be given. */
export interface DeviceRegistryOptions {
  /** Carries removals and new registrations between nodes, so that none keeps a stale device. */
  bus?: Bus;
  /** How secrets are hashed (tests pass a cheaper cost). */
  hasher?: SecretHasher;
  /** Devices whose verified secret is remembered; default VERIFIED_SECRETS_CAPACITY. */
  verifiedCapacity?: number;
}

/** Why a device could not authenticate. */
export type AuthFailure = 'unknown-device' | 'bad-credentials';

/**
 * The bus topic of a device removed or registered anew (payload `{id, from}`): every node but
 * the one it came from forgets what it cached of the device, its verified secret included.
 */
export const DEVICE_CREDENTIALS_CHANGED = 'device.credentials-changed';

/**
 * Registers devices with credentials and authenticates them; keeps the registry in memory too.
 * Secrets are stored as scrypt hashes; a secret once verified is remembered (as a keyed digest)
 * so that reconnecting devices do not cost a scrypt each.
 */
export class DeviceRegistry {
  private readonly cache = new Map<string, Device>();
  private readonly verified: VerifiedSecrets;
  private readonly hasher: SecretHasher;
  /** Tells this registry's bus events from other nodes'. */
  private readonly instance = randomUUID();
  /** Bumped whenever cached devices are forgotten, so that a read begun before is not cached. */
  private epoch = 0;
  private subscription: BusSubscription | undefined;
  private readonly changeListeners = new Set<(id: string) => void>();

  constructor(
    private readonly store: Store,
    private readonly hooks: DeviceRegistryHooks = {},
    private readonly options: DeviceRegistryOptions = {},
  ) {
    this.hasher = options.hasher ?? new SecretHasher();
    this.verified = new VerifiedSecrets(options.verifiedCapacity ?? VERIFIED_SECRETS_CAPACITY);
  }

  /** Listens for devices removed or registered on other nodes. */
  async start(): Promise<void> {
    this.subscription ??= await this.options.bus?.subscribe(
      { topic: DEVICE_CREDENTIALS_CHANGED },
      (e) => {
        const { id, from } = e.payload as { id: string; from?: string };
        if (from === this.instance) return;
        this.forget(id);
        this.changed(id);
      },
    );
  }

  /**
   * Calls `listener` with the id of every device removed or registered anew, here or (once
   * started) on another node, after the change is stored; answers how to stop listening.
   */
  onCredentialsChanged(listener: (id: string) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Stops listening. */
  async stop(): Promise<void> {
    await this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  /** Registers a device and creates its entity; answers its secret (shown once). */
  async register(input: DeviceRegistration): Promise<{ device: Device; secret: string }> {
    if (!DEVICE_ID_PATTERN.test(input.id))
      throw new CityError('BadRequestData', `device id must match ${DEVICE_ID_PATTERN.source}`);
    if (!/^[A-Za-z][A-Za-z0-9_]{0,127}$/.test(input.entityType))
      throw new CityError('BadRequestData', 'entityType must be a Smart Data Model type name');
    if (input.secret !== undefined && input.secret.length < 16)
      throw new CityError('BadRequestData', 'a device secret must have at least 16 characters');
    if (await this.store.devices.get(input.id))
      throw new CityError('AlreadyExists', `device ${input.id} is already registered`);
    const attributes: Record<string, AttributeValue> = parseAttributes(input.attributes ?? {});
    if (input.name !== undefined) attributes.name = { type: 'Property', value: input.name };
    const secret = input.secret ?? randomBytes(24).toString('base64url');
    const device: Device = {
      id: input.id,
      entityId: deviceEntityId(input.entityType, input.id),
      entityType: input.entityType,
      secretHash: await this.hasher.hash(secret),
      units: input.units ?? {},
      createdAt: Date.now(),
    };
    const existing = await this.store.entities.get(device.entityId);
    if (existing) await this.store.entities.mergeAttributes(device.entityId, attributes);
    else
      await this.store.entities.create({
        id: device.entityId,
        type: device.entityType,
        ...attributes,
      });
    await this.store.devices.put(device);
    this.forget(device.id);
    this.cache.set(device.id, device);
    if (this.hooks.afterRegister) {
      try {
        await this.hooks.afterRegister(device, secret);
      } catch (err) {
        // A device the broker does not know could never connect: undo, and say why.
        this.forget(device.id);
        await this.store.devices.delete(device.id);
        throw err;
      }
    }
    // Its first connection need not run scrypt again.
    this.verified.remember(device.id, secret, device.secretHash);
    await this.announce(device.id);
    return { device, secret };
  }

  /** The device, from memory when known. */
  async get(id: string): Promise<Device | undefined> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const epoch = this.epoch;
    const device = await this.store.devices.get(id);
    if (device && epoch === this.epoch) this.cache.set(id, device);
    return device;
  }

  /**
   * Checks a device's secret in constant time: against the digest remembered from its last
   * login, else against the stored hash. A secret stored by an older version as unsalted
   * SHA-256 is hashed again with scrypt at its first successful login.
   */
  async authenticate(id: string, secret: string): Promise<Device | AuthFailure> {
    const device = await this.get(id);
    if (!device) return 'unknown-device';
    if (this.verified.has(id, secret, device.secretHash)) return device;
    const epoch = this.epoch;
    const check = await this.hasher.verify(secret, device.secretHash);
    if (!check.matches) return 'bad-credentials';
    const current = check.outdated ? await this.rehash(device, secret) : device;
    if (typeof current === 'string') return current;
    if (epoch === this.epoch) this.verified.remember(id, secret, current.secretHash);
    return current;
  }

  /** Removes a device (its entity and data stay), on every node at once. */
  async remove(id: string): Promise<boolean> {
    if (this.hooks.beforeRemove && (await this.get(id))) await this.hooks.beforeRemove(id);
    this.forget(id);
    const removed = await this.store.devices.delete(id);
    await this.announce(id);
    return removed;
  }

  /** Stores a verified secret's new hash, unless the device changed or went meanwhile. */
  private async rehash(device: Device, secret: string): Promise<Device | AuthFailure> {
    const secretHash = await this.hasher.hash(secret);
    const stored = await this.store.devices.get(device.id);
    if (!stored) {
      this.forget(device.id);
      return 'unknown-device';
    }
    // Another secret was registered since this one was read: the one given is no longer it.
    if (stored.secretHash !== device.secretHash) {
      this.forget(device.id);
      return 'bad-credentials';
    }
    const upgraded: Device = { ...stored, secretHash };
    await this.store.devices.put(upgraded);
    this.cache.set(upgraded.id, upgraded);
    return upgraded;
  }

  /** Drops what this node cached of a device. */
  private forget(id: string): void {
    this.epoch++;
    this.cache.delete(id);
    this.verified.forget(id);
  }

  private changed(id: string): void {
    for (const listener of this.changeListeners) listener(id);
  }

  /** Tells this node's listeners and the other nodes that a device's credentials changed. */
  private async announce(id: string): Promise<void> {
    this.changed(id);
    await this.options.bus?.publish([
      {
        topic: DEVICE_CREDENTIALS_CHANGED,
        key: id,
        time: Date.now(),
        payload: { id, from: this.instance },
      },
    ]);
  }
}
