import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { CityError } from '../core/index.js';

/** scrypt's cost parameters. */
export interface ScryptCost {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/** The cost of new hashes: about 16 MiB and 40–50 ms of one core each (OWASP's scrypt minimum). */
export const SCRYPT_COST: ScryptCost = { N: 2 ** 14, r: 8, p: 1 };
/** Random salt per hash, bytes. */
export const SALT_BYTES = 16;
/** Derived key, bytes. */
export const KEY_BYTES = 32;
/**
 * scrypt runs on libuv's thread pool (4 threads by default), which DNS look-ups and file
 * access share: a storm of logins may take this many of them, no more.
 */
export const SCRYPT_CONCURRENCY = 2;
/** The most memory a stored hash's cost may ask for, so that a corrupt record cannot exhaust it. */
const MAX_SCRYPT_MEMORY = 64 * 1024 * 1024;

const LEGACY_SHA256 = /^[0-9a-f]{64}$/;
const SCRYPT_HASH =
  /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{22,})$/;

/** How a secret compares with a stored hash. */
export interface SecretCheck {
  matches: boolean;
  /** The hash uses an older scheme (unsalted SHA-256) or cost: hash the secret again. */
  outdated: boolean;
}

/** Options of the hasher. */
export interface SecretHasherOptions {
  /** Cost of new hashes; default SCRYPT_COST. */
  cost?: ScryptCost;
  /** scrypt computations at once; default SCRYPT_CONCURRENCY. */
  concurrency?: number;
}

const sameCost = (a: ScryptCost, b: ScryptCost) => a.N === b.N && a.r === b.r && a.p === b.p;

/**
 * Salted, slow hashes of device secrets, `scrypt$N$r$p$<salt>$<key>` (base64url), checked in
 * constant time; secrets stored by older versions as unsalted SHA-256 (hex) still verify, and
 * are reported `outdated`. scrypt runs asynchronously, a few at a time, off the event loop.
 */
export class SecretHasher {
  private readonly cost: ScryptCost;
  private readonly concurrency: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(options: SecretHasherOptions = {}) {
    this.cost = options.cost ?? SCRYPT_COST;
    this.concurrency = options.concurrency ?? SCRYPT_CONCURRENCY;
  }

  /** A new hash of the secret, with a fresh salt. */
  async hash(secret: string): Promise<string> {
    const { N, r, p } = this.cost;
    const salt = randomBytes(SALT_BYTES);
    const key = await this.derive(secret, salt, KEY_BYTES, this.cost);
    return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
  }

  /** Compares a secret with a stored hash; an unknown format is an InternalError. */
  async verify(secret: string, stored: string): Promise<SecretCheck> {
    if (LEGACY_SHA256.test(stored)) {
      const given = createHash('sha256').update(secret, 'utf8').digest();
      return { matches: timingSafeEqual(given, Buffer.from(stored, 'hex')), outdated: true };
    }
    const parts = SCRYPT_HASH.exec(stored);
    if (!parts) throw new CityError('InternalError', 'a stored device secret hash is unreadable');
    const cost = { N: Number(parts[1]), r: Number(parts[2]), p: Number(parts[3]) };
    if (128 * cost.N * cost.r * cost.p > MAX_SCRYPT_MEMORY)
      throw new CityError('InternalError', 'a stored device secret hash asks for too much memory');
    const expected = Buffer.from(parts[5]!, 'base64url');
    const given = await this.derive(
      secret,
      Buffer.from(parts[4]!, 'base64url'),
      expected.length,
      cost,
    );
    return { matches: timingSafeEqual(given, expected), outdated: !sameCost(cost, this.cost) };
  }

  private async derive(
    secret: string,
    salt: Buffer,
    keyLength: number,
    cost: ScryptCost,
  ): Promise<Buffer> {
    await this.slot();
    try {
      return await new Promise<Buffer>((resolve, reject) => {
        const maxmem = 2 * 128 * cost.N * cost.r * cost.p;
        scrypt(secret, salt, keyLength, { ...cost, maxmem }, (err, key) =>
          err ? reject(err) : resolve(key),
        );
      });
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so that no newcomer can take it between.
      if (next) next();
      else this.running--;
    }
  }

  /** Takes one of the `concurrency` slots, waiting in turn when all are taken. */
  private async slot(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
}
