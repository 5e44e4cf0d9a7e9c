import { CityError, isUri } from '../core/index.js';

/** Splits a comma-separated query parameter; undefined when absent or empty. */
export function splitList(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return items.length > 0 ? items : undefined;
}

/** Checks that an entity id from a path or query is a URI, as NGSI-LD requires (400 otherwise). */
export function requireEntityId(id: string): string {
  if (!isUri(id))
    throw new CityError(
      'BadRequestData',
      `entity id ${JSON.stringify(id)} is not a URI, e.g. urn:ngsi-ld:Type:local-id`,
    );
  return id;
}

/**
 * The values of `options` (clause 6.3.7), each checked against what the route accepts:
 * an unknown value is 400 so that a client never silently gets what it did not ask for.
 */
export function parseOptions(raw: string | undefined, allowed: readonly string[]): Set<string> {
  const options = new Set(splitList(raw) ?? []);
  for (const option of options)
    if (!allowed.includes(option))
      throw new CityError(
        'BadRequestData',
        `options=${option} is not supported here; use ${allowed.join(', ')}`,
      );
  return options;
}
