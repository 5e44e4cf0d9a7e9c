import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecretHasher } from './secret-hasher.js';

const SECRET = 'a-device-secret-of-enough-length';
const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('SecretHasher', () => {
  const hasher = new SecretHasher();

  it('stores a salted scrypt hash that names its cost, and verifies it', async () => {
    const hash = await hasher.hash(SECRET);
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(hash).not.toContain(SECRET);
    expect(hash).not.toContain(sha256Hex(SECRET));
    // A fresh salt each time: two devices with the same secret do not share a hash.
    expect(await hasher.hash(SECRET)).not.toBe(hash);
    expect(await hasher.verify(SECRET, hash)).toEqual({ matches: true, outdated: false });
    expect(await hasher.verify(`${SECRET}x`, hash)).toEqual({ matches: false, outdated: false });
  });

  it('verifies an unsalted SHA-256 of older versions, and says it is outdated', async () => {
    const legacy = sha256Hex(SECRET);
    expect(await hasher.verify(SECRET, legacy)).toEqual({ matches: true, outdated: true });
    expect((await hasher.verify('another-secret-0123', legacy)).matches).toBe(false);
  });

  it('says a hash of another cost is outdated, and still verifies it', async () => {
    const cheap = await new SecretHasher({ cost: { N: 2 ** 10, r: 8, p: 1 } }).hash(SECRET);
    expect(cheap.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await hasher.verify(SECRET, cheap)).toEqual({ matches: true, outdated: true });
  });

  it('refuses an unreadable hash or one asking for too much memory, naming no secret', async () => {
    await expect(hasher.verify(SECRET, 'not-a-hash')).rejects.toThrow(/unreadable/);
    const huge = (await hasher.hash(SECRET)).replace('$16384$', '$1048576$');
    await expect(hasher.verify(SECRET, huge)).rejects.toThrow(/too much memory/);
  });

  it('runs scrypt off the event loop', async () => {
    const hash = await hasher.hash(SECRET);
    let done = 0;
    const checks = Array.from({ length: 4 }, () => hasher.verify(SECRET, hash).then(() => done++));
    // A synchronous scrypt would finish all four before the event loop turns once.
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBeLessThan(4);
    await Promise.all(checks);
    expect(done).toBe(4);
  });

  it('matches a secret with its own hash only (any text)', async () => {
    const cheap = new SecretHasher({ cost: { N: 16, r: 1, p: 1 } });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, unit: 'grapheme' }),
        fc.string({ minLength: 1, unit: 'grapheme' }),
        async (secret, other) => {
          const hash = await cheap.hash(secret);
          expect((await cheap.verify(secret, hash)).matches).toBe(true);
          expect((await cheap.verify(other, hash)).matches).toBe(other === secret);
        },
      ),
      { numRuns: 60 },
    );
  });
});
