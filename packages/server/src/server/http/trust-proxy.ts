import ipaddr from 'ipaddr.js';
import { ConfigError } from '../config.js';

/** The address ranges Fastify's proxy-addr knows by name. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Fastify's `trustProxy` for the `http.trustProxy` setting: the proxies' addresses and CIDR
 * ranges, or false (nobody) for an empty list; throws ConfigError on an entry that is neither.
 * Only a list: `true` would take X-Forwarded-For from any client, who could then pick the
 * address its failed logins are counted under, and Fastify ignores a hop count.
 */
export function trustProxyOption(entries: readonly string[]): string[] | false {
  for (const entry of entries)
    if (!NAMED_RANGES.has(entry) && !ipaddr.isValid(entry) && !ipaddr.isValidCIDR(entry))
      throw new ConfigError(
        `http.trustProxy: ${entry} is not an address, a CIDR range, nor loopback, linklocal or uniquelocal`,
      );
  return entries.length > 0 ? [...entries] : false;
}
