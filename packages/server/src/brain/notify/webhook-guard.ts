import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import type { WebhookAddressPolicy } from './webhook-address-policy.js';

/** One address of a host. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses (tests stand in for DNS). */
export type ResolveHost = (host: string) => Promise<ResolvedAddress[]>;

/** The system's resolver (`/etc/hosts`, then DNS), every address of the name. */
export const systemResolve: ResolveHost = (host) => dnsLookup(host, { all: true, verbatim: true });

/** A webhook URL the node will not send to; the message says why, and names no path or token. */
export class WebhookAddressRefused extends Error {
  override readonly name = 'WebhookAddressRefused';
  readonly code = 'ERR_WEBHOOK_ADDRESS_REFUSED';
}

/** True for the refusal, also when it comes back through a socket's error. */
export function isAddressRefusal(err: unknown): err is WebhookAddressRefused {
  return (
    err instanceof WebhookAddressRefused ||
    (err as { code?: unknown } | null)?.code === 'ERR_WEBHOOK_ADDRESS_REFUSED'
  );
}

const bare = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1');
const ALLOWING =
  'webhooks go to public addresses unless notify.webhooks.allowPrivateNetworks or allowedHosts permit it';

/**
 * Keeps webhooks away from internal addresses (SSRF): checks a URL's form and its host's
 * addresses when a target is saved, and again at every connection through `lookup`, which
 * hands the socket only addresses it checked, so that a DNS answer changed in between (DNS
 * rebinding) cannot lead it elsewhere.
 */
export class WebhookGuard {
  constructor(
    private readonly policy: WebhookAddressPolicy,
    private readonly resolve: ResolveHost = systemResolve,
  ) {}

  /**
   * The URL, when it is http(s) without credentials, its port is permitted, and its host, if an
   * IP address, is permitted (a host name is checked when connecting); throws
   * WebhookAddressRefused.
   */
  parse(url: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new WebhookAddressRefused('the webhook URL is not a valid URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new WebhookAddressRefused(
        `a webhook URL must be http or https, not ${parsed.protocol}`,
      );
    if (parsed.username || parsed.password)
      throw new WebhookAddressRefused(
        'a webhook URL must not carry credentials (user:password@): sign with the secret instead',
      );
    const host = bare(parsed.hostname);
    if (isIP(host)) this.assertAllowed(host, host);
    // The URL fixes the port for good (redirects are not followed): checked here, when a
    // target is saved and before every attempt.
    const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
    const portRefusal = this.policy.portRefusal(port);
    if (portRefusal) throw new WebhookAddressRefused(portRefusal);
    return parsed;
  }

  /** Checks the URL and every address its host resolves to now; throws WebhookAddressRefused. */
  async check(url: string): Promise<void> {
    const host = bare(this.parse(url).hostname);
    if (!isIP(host)) await this.addressesOf(host);
  }

  /** A socket's look-up: every address of the host must be permitted, and only those are used. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    this.addressesOf(hostname).then(
      (all) => {
        const usable = family ? all.filter((a) => a.family === family) : all;
        const first = usable[0];
        if (!first) {
          const err = Object.assign(new Error(`${hostname} has no IPv${family} address`), {
            code: 'ENOTFOUND',
          });
          return callback(err, '', 0);
        }
        if (options.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };

  /** The host's addresses, once every one of them is permitted. */
  private async addressesOf(host: string): Promise<ResolvedAddress[]> {
    let addresses: ResolvedAddress[];
    try {
      addresses = await this.resolve(host);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw Object.assign(new Error(`cannot resolve ${host}${code ? ` (${code})` : ''}`), {
        cause: err,
        code,
      });
    }
    if (addresses.length === 0) throw new Error(`${host} has no address`);
    // All of them: a name that also resolves inward could be connected there.
    for (const { address } of addresses) this.assertAllowed(host, address, true);
    return addresses;
  }

  private assertAllowed(host: string, address: string, resolved = false): void {
    const refusal = this.policy.refusal(host, address);
    if (refusal)
      throw new WebhookAddressRefused(
        resolved
          ? `${host} resolves to ${refusal}: ${ALLOWING}`
          : `${host} is ${refusal}: ${ALLOWING}`,
      );
  }
}
