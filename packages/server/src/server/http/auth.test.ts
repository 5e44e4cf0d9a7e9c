import { describe, expect, it } from 'vitest';
import { tokenMatcher } from './auth.js';

describe('tokenMatcher', () => {
  it('accepts exactly the expected token', () => {
    const matches = tokenMatcher('s3cret-Tokén');
    expect(matches('s3cret-Tokén')).toBe(true);
    expect(matches('s3cret-Token')).toBe(false);
    expect(matches('s3cret-Tokén!')).toBe(false);
    expect(matches('s3cret-Toké')).toBe(false);
    expect(matches('')).toBe(false);
    expect(matches('x'.repeat(1000))).toBe(false);
    // The scratch buffer is reused: a longer miss must not leave bytes behind.
    expect(matches('s3cret-Tokén')).toBe(true);
  });
});
