import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CityError, parseAttributes, type AttributeValue } from '../core/index.js';
import type { Device, Store } from '../store/index.js';
import { DEVICE_ID_PATTERN, deviceEntityId } from './topics.js';

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

/** Why a device could not authenticate. */
export type AuthFailure = 'unknown-device' | 'bad-credentials';

const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Registers devices with credentials and authenticates them; keeps the registry in memory too. */
export class DeviceRegistry {
  private readonly cache = new Map<string, Device>();

  constructor(
    private readonly store: Store,
    private readonly hooks: DeviceRegistryHooks = {},
  ) {}

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
      secretHash: hashSecret(secret),
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
    this.cache.set(device.id, device);
    if (this.hooks.afterRegister) {
      try {
        await this.hooks.afterRegister(device, secret);
      } catch (err) {
        // A device the broker does not know could never connect: undo, and say why.
        this.cache.delete(device.id);
        await this.store.devices.delete(device.id);
        throw err;
      }
    }
    return { device, secret };
  }

  /** The device, from memory when known. */
  async get(id: string): Promise<Device | undefined> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const device = await this.store.devices.get(id);
    if (device) this.cache.set(id, device);
    return device;
  }

  /** Checks a device's secret in constant time. */
  async authenticate(id: string, secret: string): Promise<Device | AuthFailure> {
    const device = await this.get(id);
    if (!device) return 'unknown-device';
    const given = Buffer.from(hashSecret(secret), 'hex');
    const expected = Buffer.from(device.secretHash, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected)
      ? device
      : 'bad-credentials';
  }

  /** Removes a device (its entity and data stay). */
  async remove(id: string): Promise<boolean> {
    if (this.hooks.beforeRemove && (await this.get(id))) await this.hooks.beforeRemove(id);
    this.cache.delete(id);
    return this.store.devices.delete(id);
  }
}
