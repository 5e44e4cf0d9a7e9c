import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PUBLIC_NETWORKS_ONLY,
  WebhookAddressPolicy,
  type WebhookNetworkSettings,
} from './webhook-address-policy.js';

const policyOf = (settings: Partial<WebhookNetworkSettings>) =>
  new WebhookAddressPolicy({ ...PUBLIC_NETWORKS_ONLY, ...settings });
const publicOnly = new WebhookAddressPolicy();
const privateAllowed = policyOf({ allowPrivateNetworks: true });

const INTERNAL = [
  '127.0.0.1',
  '127.8.9.10',
  '10.1.2.3',
  '172.16.0.1',
  '172.31.255.254',
  '192.168.1.1',
  '169.254.169.254', // cloud metadata
  '100.64.0.1',
  '::1',
  'fe80::1',
  'fc00::1',
  'fd12:3456::1',
  '::ffff:127.0.0.1',
  '::ffff:a9fe:a9fe', // 169.254.169.254, IPv4-mapped
  '::7f00:1', // IPv4-compatible 127.0.0.1
  '64:ff9b::a9fe:a9fe', // NAT64 of 169.254.169.254
  '2002:7f00:1::1', // 6to4 of 127.0.0.1
];
const NOWHERE = [
  '0.0.0.0',
  '0.1.2.3',
  '224.0.0.1',
  '239.255.255.250',
  '255.255.255.255',
  '::',
  'ff02::1',
];
const PUBLIC = ['8.8.8.8', '93.184.215.14', '172.32.0.1', '192.169.0.1', '2606:4700::1111'];

const octet = fc.integer({ min: 0, max: 255 });
const ipv4In = (first: number, second?: fc.Arbitrary<number>) =>
  fc.tuple(second ?? octet, octet, octet).map(([b, c, d]) => `${first}.${b}.${c}.${d}`);
/** IPv4 addresses of every internal range: loopback, RFC 1918, link-local, CGNAT. */
const internalIpv4 = fc.oneof(
  ipv4In(127),
  ipv4In(10),
  ipv4In(172, fc.integer({ min: 16, max: 31 })),
  ipv4In(192, fc.constant(168)),
  ipv4In(169, fc.constant(254)),
  ipv4In(100, fc.integer({ min: 64, max: 127 })),
);
const hex = (a: string) => {
  const [p, q, r, s] = a.split('.').map(Number) as [number, number, number, number];
  return `${((p << 8) | q).toString(16)}:${((r << 8) | s).toString(16)}`;
};
const hextet = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));

describe('WebhookAddressPolicy', () => {
  it('permits public addresses only, by default', () => {
    for (const a of INTERNAL) expect(publicOnly.refusal('h', a), a).toMatch(/address$/);
    for (const a of NOWHERE) expect(publicOnly.refusal('h', a), a).toMatch(/address$/);
    for (const a of PUBLIC) expect(publicOnly.refusal('h', a), a).toBeUndefined();
    expect(publicOnly.refusal('h', '169.254.169.254')).toBe('a link-local address');
    expect(publicOnly.refusal('h', '10.0.0.1')).toBe('a private (RFC 1918) address');
  });

  it('refuses every internal IPv4 address, also written as IPv4-mapped IPv6', () => {
    fc.assert(
      fc.property(internalIpv4, (a) => {
        expect(publicOnly.refusal('h', a)).toBeDefined();
        expect(publicOnly.refusal('h', `::ffff:${a}`)).toBeDefined();
        expect(publicOnly.refusal('h', `::ffff:${hex(a)}`)).toBeDefined();
        expect(privateAllowed.refusal('h', a)).toBeUndefined();
      }),
    );
  });

  it('judges an IPv4 address and its IPv4-mapped IPv6 form alike', () => {
    fc.assert(
      fc.property(fc.tuple(octet, octet, octet, octet), (parts) => {
        const a = parts.join('.');
        expect(publicOnly.refusal('h', `::ffff:${a}`)).toBe(publicOnly.refusal('h', a));
      }),
    );
  });

  it('refuses unique-local (fc00::/7) and link-local (fe80::/10) IPv6 addresses', () => {
    const rest = fc.array(hextet, { minLength: 7, maxLength: 7 }).map((h) => h.join(':'));
    const inRange = (lo: number, hi: number) =>
      fc.tuple(fc.integer({ min: lo, max: hi }), rest).map(([p, r]) => `${p.toString(16)}:${r}`);
    fc.assert(
      fc.property(fc.oneof(inRange(0xfc00, 0xfdff), inRange(0xfe80, 0xfebf)), (a) => {
        expect(publicOnly.refusal('h', a)).toBeDefined();
        expect(privateAllowed.refusal('h', a)).toBeUndefined();
      }),
    );
  });

  it('with allowPrivateNetworks, still refuses addresses no receiver listens on', () => {
    for (const a of INTERNAL) expect(privateAllowed.refusal('h', a), a).toBeUndefined();
    for (const a of NOWHERE) expect(privateAllowed.refusal('h', a), a).toBeDefined();
  });

  it('permits the hosts and ranges listed, and nothing near them', () => {
    const listed = policyOf({
      allowedHosts: ['10.20.0.0/16', 'Hooks.Internal.City', 'fd00::5', '192.168.7.7'],
    });
    expect(listed.refusal('a', '10.20.3.4')).toBeUndefined();
    expect(listed.refusal('a', '::ffff:10.20.3.4')).toBeUndefined();
    expect(listed.refusal('a', '10.21.0.1')).toBeDefined();
    expect(listed.refusal('hooks.internal.city', '10.9.9.9')).toBeUndefined();
    expect(listed.refusal('hooks.internal.city.', '10.9.9.9')).toBeUndefined();
    expect(listed.refusal('other.internal.city', '10.9.9.9')).toBeDefined();
    expect(listed.refusal('a', 'fd00::5')).toBeUndefined();
    expect(listed.refusal('a', 'fd00::6')).toBeDefined();
    expect(listed.refusal('a', '192.168.7.7')).toBeUndefined();
    expect(listed.refusal('a', '192.168.7.8')).toBeDefined();
    // Listing a host does not open multicast or the unspecified address.
    expect(listed.refusal('hooks.internal.city', '0.0.0.0')).toBeDefined();
  });

  it('refuses settings it cannot read', () => {
    const policy = (entry: string) => policyOf({ allowedHosts: [entry] });
    expect(() => policy('10.0.0.0/33')).toThrow(/not a valid CIDR range/);
    expect(() => policy('hooks internal')).toThrow(/not a host name/);
    for (const entry of [0, 65536, '0-80', '9000-8000', '1-70000', '80,443', 'http', '8.5'])
      expect(() => policyOf({ allowedPorts: [entry] }), String(entry)).toThrow(
        /notify\.webhooks\.allowedPorts: .* is not a port \(1-65535\) nor a range low-high/,
      );
  });

  it('permits the web’s ports only by default, and says which port and setting refuse one', () => {
    for (const port of [80, 443, 8080, 8443]) expect(publicOnly.portRefusal(port)).toBeUndefined();
    for (const port of [1, 22, 25, 110, 1883, 3306, 5432, 6379, 8081, 9200, 11211, 65535])
      expect(publicOnly.portRefusal(port), String(port)).toBe(
        `port ${port} is not in notify.webhooks.allowedPorts (80, 443, 8080, 8443)`,
      );
    // Internal hosts the operator permits are held to the same ports.
    expect(privateAllowed.portRefusal(6379)).toMatch(/^port 6379 is not in/);
    expect(policyOf({ allowedPorts: [] }).portRefusal(443)).toBe(
      'port 443 is not in notify.webhooks.allowedPorts (none)',
    );
  });

  it('permits a port exactly when a listed port or range holds it', () => {
    const port = fc.integer({ min: 1, max: 65535 });
    const entry = fc.oneof(
      port,
      fc.tuple(port, port).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 5 }), port, (entries, p) => {
        const policy = policyOf({
          allowedPorts: entries.map((e) => (typeof e === 'number' ? e : `${e[0]}-${e[1]}`)),
        });
        const held = entries.some((e) =>
          typeof e === 'number' ? e === p : p >= e[0] && p <= e[1],
        );
        expect(policy.portRefusal(p) === undefined).toBe(held);
      }),
    );
  });
});
