import type { Client } from 'aedes';
import type { Logger } from 'pino';
import type { Device } from '../store/index.js';
import type { AuthFailure, DeviceRegistry } from './device-registry.js';

/** A login under way: a change of its device's credentials meanwhile makes its answer stale. */
interface PendingLogin {
  stale: boolean;
}

/** Logins checked again at most this often when the device keeps changing under them. */
const LOGIN_ATTEMPTS = 3;

/**
 * The embedded broker's open sessions by device. When a device is removed or registered anew,
 * on this node or another, its sessions authenticated with the old secret are closed at once,
 * and a login that was being checked meanwhile is checked again: the old secret stops working
 * for connections already open, not only for the next ones.
 */
export class DeviceSessions {
  /** The device each session authenticated as. */
  private readonly devices = new WeakMap<Client, Device>();
  /** Open sessions by device id. */
  private readonly byDevice = new Map<string, Set<Client>>();
  private readonly pending = new Map<string, Set<PendingLogin>>();
  private readonly stopListening: () => void;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly logger: Logger,
  ) {
    this.stopListening = registry.onCredentialsChanged((id) => {
      for (const login of this.pending.get(id) ?? []) login.stale = true;
      this.closeStale(id).catch((err: unknown) =>
        logger.error({ err, deviceId: id }, 'sessions of a changed device not closed'),
      );
    });
  }

  /**
   * Checks a client's device secret, again when the device's credentials changed while it was
   * being checked, and on success records the session as the device's (in the same step, so
   * that no change falls between the check and the record).
   */
  async login(client: Client, deviceId: string, secret: string): Promise<Device | AuthFailure> {
    for (let attempt = 1; ; attempt++) {
      const login: PendingLogin = { stale: false };
      const pending = this.pending.get(deviceId) ?? new Set<PendingLogin>();
      this.pending.set(deviceId, pending.add(login));
      let result: Device | AuthFailure;
      try {
        result = await this.registry.authenticate(deviceId, secret);
      } finally {
        pending.delete(login);
        if (pending.size === 0 && this.pending.get(deviceId) === pending)
          this.pending.delete(deviceId);
      }
      if (!login.stale) {
        if (typeof result !== 'string') this.open(client, result);
        return result;
      }
      if (attempt === LOGIN_ATTEMPTS) return 'bad-credentials';
    }
  }

  /** The device a session authenticated as; undefined once it is closed for a change. */
  deviceOf(client: Client): Device | undefined {
    return this.devices.get(client);
  }

  /** Forgets a session that ended. */
  end(client: Client): void {
    const device = this.devices.get(client);
    const open = device && this.byDevice.get(device.id);
    if (!open) return;
    open.delete(client);
    if (open.size === 0) this.byDevice.delete(device.id);
  }

  /** Stops following credential changes. */
  stop(): void {
    this.stopListening();
  }

  private open(client: Client, device: Device): void {
    this.devices.set(client, device);
    const open = this.byDevice.get(device.id) ?? new Set<Client>();
    for (const c of open) if (c.closed) open.delete(c);
    this.byDevice.set(device.id, open.add(client));
  }

  /** Closes the device's sessions whose secret is no longer its current one. */
  private async closeStale(deviceId: string): Promise<void> {
    const open = this.byDevice.get(deviceId);
    if (!open) return;
    const current = await this.registry.get(deviceId);
    for (const client of open) {
      const device = this.devices.get(client);
      if (current && !client.closed && device?.secretHash === current.secretHash) continue;
      open.delete(client);
      // Forgotten first, so that a will message it left is not taken as the device's.
      this.devices.delete(client);
      if (client.closed) continue;
      this.logger.info(
        { clientId: client.id, deviceId, reason: current ? 'registered anew' : 'removed' },
        'MQTT session of a changed device closed',
      );
      client.close();
    }
    if (open.size === 0 && this.byDevice.get(deviceId) === open) this.byDevice.delete(deviceId);
  }
}
