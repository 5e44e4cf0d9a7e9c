import { CityError, isUri } from '../core/index.js';
import type { Representation } from './render.js';

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

const REPRESENTATIONS: Record<string, Representation> = {
  normalized: 'normalized',
  keyValues: 'keyValues',
  simplified: 'keyValues',
};

/**
 * Reads `format` (wins when given) and `options` into a representation; any other option
 * value is refused with 400 so that a client never silently gets what it did not ask for.
 */
export function parseRepresentation(query: { options?: string; format?: string }): Representation {
  if (query.format !== undefined) {
    const chosen = REPRESENTATIONS[query.format];
    if (!chosen)
      throw new CityError(
        'BadRequestData',
        `format=${query.format} is not supported; use normalized, keyValues or simplified`,
      );
    return chosen;
  }
  let chosen: Representation = 'normalized';
  for (const option of splitList(query.options) ?? []) {
    const r = REPRESENTATIONS[option];
    if (!r)
      throw new CityError(
        'BadRequestData',
        `options=${option} is not supported; use normalized, keyValues or simplified`,
      );
    if (r === 'keyValues') chosen = r; // keyValues wins over normalized when both are given
  }
  return chosen;
}
