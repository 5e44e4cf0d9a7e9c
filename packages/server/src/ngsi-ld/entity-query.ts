import {
  CityError,
  parseGeoQuery,
  parseQ,
  parseScopeQuery,
  parseTypeExpression,
  renameQ,
  renameTypes,
} from '../core/index.js';
import type { EntityPage, EntityQuery, EntityStore } from '../store/index.js';
import type { LdContext } from './context/index.js';
import { requireEntityId, splitList } from './params.js';

/** Page size when the client gives no limit. */
export const DEFAULT_LIMIT = 20;
/** The largest page a client may ask for; beyond it the answer is 403 TooManyResults. */
export const MAX_LIMIT = 1000;
/** How many matches per selector a query with several entity selectors may union. */
const MAX_UNION = 10_000;

/** Paging parameters (after schema coercion). */
export interface PageParams {
  limit?: number;
  offset?: number;
  count?: boolean;
}

/** A geo-query as given (GET parameters or a Query's geoQ member). */
export interface GeoParams {
  georel?: string;
  geometry?: string;
  coordinates?: string | unknown[];
  geoproperty?: string;
}

/** The filters of a query, as the client wrote them (clause 4.17 selection). */
export interface QueryFilters {
  /** A type expression: `A,B` or `A|B` (or), `A;B` (and), parentheses. */
  type?: string;
  ids?: string[];
  idPattern?: string;
  attrs?: string[];
  q?: string;
  scopeQ?: string;
  geo?: GeoParams;
  local?: boolean;
}

/** The selection parameters of a GET query, as they arrive in the URL. */
export interface QueryParams {
  type?: string;
  id?: string;
  idPattern?: string;
  attrs?: string;
  q?: string;
  scopeQ?: string;
  georel?: string;
  geometry?: string;
  coordinates?: string;
  geoproperty?: string;
}

/** The filters of GET /entities and GET /temporal/entities, read from their URL parameters. */
export function filtersFromParams(raw: QueryParams): QueryFilters {
  const filters: QueryFilters = {
    geo: {
      georel: raw.georel,
      geometry: raw.geometry,
      coordinates: raw.coordinates,
      geoproperty: raw.geoproperty,
    },
  };
  if (raw.type !== undefined) filters.type = raw.type;
  const ids = splitList(raw.id);
  if (ids) filters.ids = ids;
  if (raw.idPattern !== undefined) filters.idPattern = raw.idPattern;
  const attrs = splitList(raw.attrs);
  if (attrs) filters.attrs = attrs;
  if (raw.q !== undefined) filters.q = raw.q;
  if (raw.scopeQ !== undefined) filters.scopeQ = raw.scopeQ;
  return filters;
}

/** Checks limit/offset/count (clause 6.3.10): 403 above MAX_LIMIT, limit=0 only with count. */
export function parsePage(raw: PageParams): Required<PageParams> {
  const limit = raw.limit ?? DEFAULT_LIMIT;
  if (limit > MAX_LIMIT)
    throw new CityError(
      'TooManyResults',
      `limit ${limit} is above the maximum page size ${MAX_LIMIT}; page with offset`,
    );
  if (limit === 0 && raw.count !== true)
    throw new CityError('BadRequestData', 'limit=0 is only allowed with count=true');
  return { limit, offset: raw.offset ?? 0, count: raw.count === true };
}

function hasGeo(geo: GeoParams | undefined): geo is GeoParams {
  return geo !== undefined && Object.values(geo).some((v) => v !== undefined);
}

/** True when a query names at least one selector (clause 5.7.2: type, attrs, q, geoQ, id, idPattern, scopeQ or local). */
export function hasSelector(f: QueryFilters): boolean {
  return (
    [f.type, f.ids, f.idPattern, f.attrs, f.q, f.scopeQ].some((v) => v !== undefined) ||
    f.local === true ||
    hasGeo(f.geo)
  );
}

function checkPattern(pattern: string): string {
  try {
    new RegExp(pattern);
  } catch (err) {
    throw new CityError('BadRequestData', `idPattern is not a regular expression: ${String(err)}`);
  }
  return pattern;
}

/** Turns the client's filters into a store query with canonical names; throws 400 on bad input. */
export function buildEntityQuery(
  f: QueryFilters,
  ctx: LdContext,
  page: Required<PageParams>,
): EntityQuery {
  const query: EntityQuery = { limit: page.limit, offset: page.offset };
  if (page.count) query.count = true;
  if (f.type !== undefined)
    query.types = renameTypes(parseTypeExpression(f.type), (t) => ctx.expand(t));
  if (f.ids) query.ids = f.ids.map(requireEntityId);
  if (f.idPattern !== undefined) query.idPattern = checkPattern(f.idPattern);
  if (f.attrs) query.attrs = f.attrs.map((a) => ctx.expand(a));
  if (f.q !== undefined) query.q = renameQ(parseQ(f.q), (a) => ctx.expand(a));
  if (f.scopeQ !== undefined) query.scopeQ = parseScopeQuery(f.scopeQ);
  if (hasGeo(f.geo)) query.geo = parseGeoQuery(f.geo, (a) => ctx.expand(a));
  return query;
}

/**
 * Runs one store query, or the union of several (a Query with several entity selectors is
 * their OR), ordered by id and paged afterwards.
 */
export async function runQueries(
  entities: EntityStore,
  queries: readonly EntityQuery[],
  page: Required<PageParams>,
): Promise<EntityPage> {
  if (queries.length === 1) return entities.query(queries[0]!);
  const reach = page.count ? MAX_UNION : page.offset + page.limit;
  const byId = new Map<string, EntityPage['entities'][number]>();
  for (const q of queries) {
    const part = await entities.query({ ...q, limit: reach, offset: 0, count: false });
    for (const e of part.entities) byId.set(e.id, e);
  }
  const sorted = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const result: EntityPage = { entities: sorted.slice(page.offset, page.offset + page.limit) };
  if (page.count) result.count = sorted.length;
  return result;
}
