import ipaddr from 'ipaddr.js';

/** Where webhooks may go: the `notify.webhooks` settings. */
export interface WebhookNetworkSettings {
  /** Permit every internal address (loopback, RFC 1918, link-local, fc00::/7 …). */
  allowPrivateNetworks: boolean;
  /** Host names, addresses and CIDR ranges permitted although internal. */
  allowedHosts: string[];
  /** The ports webhooks may connect to, on any host: numbers, and ranges written "low-high". */
  allowedPorts: (number | string)[];
}

/**
 * The web's ports only: a webhook must not be a way to speak to another service (SMTP on 25,
 * Redis on 6379, a database) of a host it may reach; "1024-65535" would leave most of those open.
 */
export const WEB_PORTS: readonly number[] = [80, 443, 8080, 8443];

/** The default: public addresses only, on the web's ports. */
export const PUBLIC_NETWORKS_ONLY: WebhookNetworkSettings = {
  allowPrivateNetworks: false,
  allowedHosts: [],
  allowedPorts: [...WEB_PORTS],
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

/** An entry of `allowedPorts` as an inclusive range; throws on one that is not a port or range. */
function portRange(entry: number | string): [number, number] {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(String(entry));
  const low = Number(match?.[1]);
  const high = Number(match?.[2] ?? low);
  if (!match || low < 1 || high > 65535 || low > high)
    throw new Error(
      `notify.webhooks.allowedPorts: ${entry} is not a port (1-65535) nor a range low-high`,
    );
  return [low, high];
}

/**
 * Decides which addresses a webhook may be delivered to: public unicast ones, and internal
 * ones only where the settings permit (all of them, or listed hosts and ranges); and on which
 * ports, the same for every host (`allowedPorts`). Classifying is ipaddr.js's; IPv4-mapped
 * IPv6 (`::ffff:127.0.0.1`) counts as the IPv4 address it maps.
 */
export class WebhookAddressPolicy {
  private readonly allowPrivate: boolean;
  private readonly hosts = new Set<string>();
  private readonly ranges: [Address, number][] = [];
  private readonly ports: [number, number][];
  private readonly portList: string;

  /** Throws on an entry of `allowedHosts` or `allowedPorts` it cannot read. */
  constructor(settings: WebhookNetworkSettings = PUBLIC_NETWORKS_ONLY) {
    this.allowPrivate = settings.allowPrivateNetworks;
    this.ports = settings.allowedPorts.map(portRange);
    this.portList = settings.allowedPorts.join(', ') || 'none';
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

  /**
   * Why a webhook may not connect to `port` (naming the port and the setting), or undefined
   * when it may. Applies to every host, internal ones permitted by the settings too.
   */
  portRefusal(port: number): string | undefined {
    if (this.ports.some(([low, high]) => port >= low && port <= high)) return;
    return `port ${port} is not in notify.webhooks.allowedPorts (${this.portList})`;
  }
}
