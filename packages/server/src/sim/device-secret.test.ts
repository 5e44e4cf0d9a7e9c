import { describe, expect, it } from 'vitest';
import { deviceSecret } from './device-secret.js';

describe('deviceSecret', () => {
  it('derives the same secret again from the same admin token, so a restart can reuse it', () => {
    expect(deviceSecret('token-a', 'aq-0001')).toBe(deviceSecret('token-a', 'aq-0001'));
    expect(deviceSecret('token-a', 'aq-0001')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs per device and per admin token', () => {
    expect(deviceSecret('token-a', 'aq-0001')).not.toBe(deviceSecret('token-a', 'aq-0002'));
    expect(deviceSecret('token-a', 'aq-0001')).not.toBe(deviceSecret('token-b', 'aq-0001'));
  });
});
