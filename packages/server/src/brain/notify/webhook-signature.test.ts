import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.js';
import { parseSignatureHeader, signatureHeader, verifySignature } from './webhook-signature.js';

describe('webhook signatures', () => {
  it('verify for the body, secret and time they were made with, and for nothing else', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 16 }),
        fc.string(),
        fc.string({ minLength: 1 }),
        fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }),
        (secret, body, extra, t) => {
          const header = signatureHeader(secret, t, body);
          return (
            verifySignature({ header, body, secret, now: t }) &&
            !verifySignature({ header, body: body + extra, secret, now: t }) &&
            !verifySignature({ header, body, secret: secret + extra, now: t }) &&
            !verifySignature({ header, body, secret, now: t + 301 })
          );
        },
      ),
    );
  });

  it('parses t and every v1, ignoring unknown parts; refuses a header without either', () => {
    const v = 'a'.repeat(64);
    const w = 'b'.repeat(64);
    expect(parseSignatureHeader(`t=1700000000, v1=${v},v0=zz,v1=${w}`)).toEqual({
      timestamp: 1_700_000_000,
      signatures: [v, w],
    });
    expect(parseSignatureHeader(`v1=${v}`)).toBeUndefined();
    expect(parseSignatureHeader('t=1700000000')).toBeUndefined();
    fc.assert(
      fc.property(fc.string(), (s) => {
        const parsed = parseSignatureHeader(s);
        return parsed === undefined || parsed.signatures.every((x) => /^[0-9a-f]{64}$/.test(x));
      }),
    );
  });

  it('accepts a signature made with either secret while the receiver rotates', () => {
    const body = '{"id":"x"}';
    const header = `${signatureHeader('old-secret-0123456', 100, body)},v1=${'0'.repeat(64)}`;
    expect(verifySignature({ header, body, secret: 'old-secret-0123456', now: 100 })).toBe(true);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  it('reads seconds and HTTP dates; a past date means no wait; anything else nothing', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
  it('never answers a negative or non-finite wait', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const ms = parseRetryAfter(s, now);
        return ms === undefined || (Number.isFinite(ms) && ms >= 0);
      }),
    );
  });
});
