import {
  attributeInstances,
  matchesGeoQuery,
  matchesQ,
  matchesScope,
  parseGeoQuery,
  parseQ,
  parseScopeQuery,
  renameQ,
  type Entity,
  type GeoQuery,
  type QExpression,
  type ScopeQuery,
} from '../../core/index.js';
import type { GeoQuerySpec } from './subscription.js';

/** The filters of a subscription, parsed, with canonical attribute names. */
export interface CompiledFilters {
  q?: QExpression;
  geo?: GeoQuery;
  scope?: ScopeQuery;
}

/**
 * Parses a subscription's q, geoQ and scopeQ, renaming attribute names with `expand` (client
 * term → canonical). Throws BadRequestData naming what is wrong.
 */
export function compileFilters(
  raw: { q?: string; geoQ?: GeoQuerySpec; scopeQ?: string },
  expand: (term: string) => string,
): CompiledFilters {
  const out: CompiledFilters = {};
  if (raw.q !== undefined) out.q = renameQ(parseQ(raw.q), expand);
  if (raw.scopeQ !== undefined) out.scope = parseScopeQuery(raw.scopeQ);
  if (raw.geoQ !== undefined) out.geo = parseGeoQuery(raw.geoQ, expand);
  return out;
}

/** True when one of the entity's instances of the geo-query's GeoProperty satisfies it. */
function matchesGeo(entity: Entity, query: GeoQuery): boolean {
  return attributeInstances(entity, query.geoproperty).some(
    (a) => a.type === 'GeoProperty' && matchesGeoQuery(a.value, query),
  );
}

/** True when the entity passes every filter. */
export function matchesFilters(entity: Entity, filters: CompiledFilters): boolean {
  if (filters.q && !matchesQ(entity, filters.q)) return false;
  if (filters.scope && !matchesScope(entity, filters.scope)) return false;
  if (filters.geo && !matchesGeo(entity, filters.geo)) return false;
  return true;
}
