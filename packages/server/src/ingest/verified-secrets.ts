import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Devices remembered by default: about 200 bytes each. */
export const VERIFIED_SECRETS_CAPACITY = 50_000;

interface Entry {
  digest: Buffer;
  /** The stored hash the secret was verified against: a new one (another secret) voids the entry. */
  secretHash: string;
}

/**
 * The secrets verified lately, by device, so that a reconnecting device skips scrypt. Each is
 * kept as an HMAC-SHA256 under a key made at random for this process (never the secret, nor
 * anything that outlives the process), least recently used first out.
 */
export class VerifiedSecrets {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity = VERIFIED_SECRETS_CAPACITY) {}

  /** True when this secret was verified for the device while it had this stored hash. */
  has(deviceId: string, secret: string, secretHash: string): boolean {
    const entry = this.entries.get(deviceId);
    if (!entry || entry.secretHash !== secretHash) return false;
    if (!timingSafeEqual(entry.digest, this.digest(deviceId, secret))) return false;
    this.entries.delete(deviceId);
    this.entries.set(deviceId, entry);
    return true;
  }

  /** Remembers a secret just verified (or just issued). */
  remember(deviceId: string, secret: string, secretHash: string): void {
    this.entries.delete(deviceId);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(deviceId, { digest: this.digest(deviceId, secret), secretHash });
  }

  /** Forgets a device's secret (removed, or registered anew). */
  forget(deviceId: string): void {
    this.entries.delete(deviceId);
  }

  /** Devices remembered. */
  get size(): number {
    return this.entries.size;
  }

  private digest(deviceId: string, secret: string): Buffer {
    // Device ids never hold a newline: the pair cannot be read two ways.
    return createHmac('sha256', this.key).update(`${deviceId}\n${secret}`, 'utf8').digest();
  }
}
