import ipaddr from 'ipaddr.js';

/** Where webhooks may go besides public addresses: the `notify.webhooks` settings. */
export interface WebhookNetworkSettings {
  /** Permit every internal address (loopback, RFC 1918, link-local, fc00::/7 …). */
  allowPrivateNetworks: boolean;
  /** Host names, addresses and CIDR ranges permitted although internal. */
  allowedHosts: string[];
}

/** The default: public addresses only. */
export const PUBLIC_NETWORKS_ONLY: WebhookNetworkSettings = {
  allowPrivateNetworks: false,
  allowedHosts: [],
};

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Ranges no receiver listens on: refused whatever the settings. */
const NEVER = new Set(['unspecified', 'multicast', 'broadcast']);
/** IPv4-compatible IPv6 (deprecated, RFC 4291): ipaddr.js calls it unicast, yet it embeds IPv4. */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

const RANGE_NAMES: Record<string, string> = {
  loopback: 'a loopback',
  private: 'a private (RFC 1918)',
  linkLocal: 'a link-local',
  uniqueLocal: 'a unique-local (fc00::/7)',
  carrierGradeNat: 'a carrier-grade NAT',
  unspecified: 'an unspecified',
  multicast: 'a multicast',
  broadcast: 'a broadcast',
};

/** The kind of address, as ipaddr.js names it, IPv4-mapped IPv6 read as IPv4. */
function rangeOf(ip: Address): string {
  if (ip.kind() === 'ipv6' && ip.range() === 'unicast' && ip.match(IPV4_COMPATIBLE))
    return 'reserved';
  return ip.range();
}

const normalHost = (host: string) => host.toLowerCase().replace(/\.$/, '');

/**
 * Decides which addresses a webhook may be delivered to: public unicast ones, and internal
 * ones only where the settings permit (all of them, or listed hosts and ranges). Classifying
 * is ipaddr.js's; IPv4-mapped IPv6 (`::ffff:127.0.0.1`) counts as the IPv4 address it maps.
 */
export class WebhookAddressPolicy {
  private readonly allowPrivate: boolean;
  private readonly hosts = new Set<string>();
  private readonly ranges: [Address, number][] = [];

  /** Throws on an entry of `allowedHosts` that is neither a host name nor an address or range. */
  constructor(settings: WebhookNetworkSettings = PUBLIC_NETWORKS_ONLY) {
    this.allowPrivate = settings.allowPrivateNetworks;
    for (const entry of settings.allowedHosts) {
      if (entry.includes('/')) {
        if (!ipaddr.isValidCIDR(entry))
          throw new Error(`notify.webhooks.allowedHosts: ${entry} is not a valid CIDR range`);
        this.ranges.push(ipaddr.parseCIDR(entry));
      } else if (ipaddr.isValid(entry)) {
        const ip = ipaddr.process(entry);
        this.ranges.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
      } else if (/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?\.?$/.test(entry)) {
        this.hosts.add(normalHost(entry));
      } else {
        throw new Error(`notify.webhooks.allowedHosts: ${entry} is not a host name nor an address`);
      }
    }
  }

  /**
   * Why a webhook to `host` may not connect to `address` (e.g. "a loopback address"), or
   * undefined when it may.
   */
  refusal(host: string, address: string): string | undefined {
    if (!ipaddr.isValid(address)) return 'not an IP address';
    const ip = ipaddr.process(address);
    const range = rangeOf(ip);
    if (NEVER.has(range)) return `${RANGE_NAMES[range]} address`;
    if (range === 'unicast' || this.allowPrivate || this.hosts.has(normalHost(host))) return;
    if (this.ranges.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits))) return;
    return `${RANGE_NAMES[range] ?? `a reserved (${range})`} address`;
  }
}
