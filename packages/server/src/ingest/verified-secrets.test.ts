import { describe, expect, it } from 'vitest';
import { VerifiedSecrets } from './verified-secrets.js';

describe('VerifiedSecrets', () => {
  it('knows a remembered secret, for that device and stored hash only', () => {
    const verified = new VerifiedSecrets();
    verified.remember('aq-1', 'secret-of-aq-1-000', 'hash-1');
    expect(verified.has('aq-1', 'secret-of-aq-1-000', 'hash-1')).toBe(true);
    expect(verified.has('aq-1', 'secret-of-aq-1-001', 'hash-1')).toBe(false);
    expect(verified.has('aq-2', 'secret-of-aq-1-000', 'hash-1')).toBe(false);
    // Registered anew (another hash): the old secret is no longer known.
    expect(verified.has('aq-1', 'secret-of-aq-1-000', 'hash-2')).toBe(false);
    verified.forget('aq-1');
    expect(verified.has('aq-1', 'secret-of-aq-1-000', 'hash-1')).toBe(false);
  });

  it('holds at most its capacity, dropping the device used least recently', () => {
    const verified = new VerifiedSecrets(2);
    verified.remember('a', 'secret-a-0123456789', 'h');
    verified.remember('b', 'secret-b-0123456789', 'h');
    expect(verified.has('a', 'secret-a-0123456789', 'h')).toBe(true);
    verified.remember('c', 'secret-c-0123456789', 'h');
    expect(verified.size).toBe(2);
    expect(verified.has('b', 'secret-b-0123456789', 'h')).toBe(false);
    expect(verified.has('a', 'secret-a-0123456789', 'h')).toBe(true);
    expect(verified.has('c', 'secret-c-0123456789', 'h')).toBe(true);
  });
});
