import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { trustProxyOption } from './trust-proxy.js';

describe('http.trustProxy', () => {
  it('trusts nobody when empty, and the addresses, ranges and named ranges listed', () => {
    expect(trustProxyOption([])).toBe(false);
    const list = ['10.0.0.7', '172.16.0.0/12', 'fd00::/8', '::1', 'loopback'];
    expect(trustProxyOption(list)).toEqual(list);
  });

  it('refuses an entry that is not an address or range, naming the setting', () => {
    for (const entry of ['proxy.city.example', '10.0.0.0/33', '300.1.1.1', 'all']) {
      expect(() => trustProxyOption([entry]), entry).toThrow(ConfigError);
      expect(() => trustProxyOption([entry]), entry).toThrow(`http.trustProxy: ${entry} is not`);
    }
  });
});
