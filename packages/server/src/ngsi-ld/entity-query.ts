import { CityError, parseQ, type QExpression } from '../core/index.js';
import type { EntityQuery } from '../store/index.js';
import { parseRepresentation, requireEntityId, splitList } from './params.js';
import type { RenderOptions } from './render.js';

/** Page size when the client gives no limit. */
export const DEFAULT_LIMIT = 20;
/** The largest page a client may ask for; beyond it the answer is 403 TooManyResults. */
export const MAX_LIMIT = 1000;

/** The query parameters of GET /entities as they arrive (after schema coercion). */
export interface EntityQueryParams {
  type?: string;
  id?: string;
  attrs?: string;
  q?: string;
  limit?: number;
  offset?: number;
  count?: boolean;
  options?: string;
  format?: string;
}

/** Parameters of GS CIM 009 that this broker does not evaluate yet: refused, never ignored. */
const NOT_YET = ['georel', 'geometry', 'coordinates', 'geoproperty', 'idPattern', 'scopeQ', 'csf'];

const TYPE_NAME = /^[^\s,;|()]+$/;

/** Turns GET /entities parameters into a store query and a rendering; throws 400/403/501. */
export function parseEntityQuery(raw: EntityQueryParams & Record<string, unknown>): {
  query: EntityQuery;
  render: RenderOptions;
} {
  const unsupported = NOT_YET.filter((name) => raw[name] !== undefined);
  if (unsupported.length > 0)
    throw new CityError(
      'OperationNotSupported',
      `${unsupported.join(', ')} ${unsupported.length > 1 ? 'are' : 'is'} not supported yet`,
    );
  // Type names are ORed; NGSI-LD writes that as ',' or '|'.
  const types = splitList(raw.type?.replaceAll('|', ','));
  const badType = types?.find((t) => !TYPE_NAME.test(t));
  if (badType !== undefined)
    throw new CityError('BadRequestData', `type ${JSON.stringify(badType)} is not a type name`);
  const ids = splitList(raw.id)?.map(requireEntityId);
  const attrs = splitList(raw.attrs);
  const q = raw.q === undefined ? undefined : parseQ(raw.q);
  if (!types && !ids && !attrs && !q)
    throw new CityError('BadRequestData', 'a query needs type, id, attrs, q or geoQ');

  const limit = raw.limit ?? DEFAULT_LIMIT;
  if (limit > MAX_LIMIT)
    throw new CityError(
      'TooManyResults',
      `limit ${limit} is above the maximum page size ${MAX_LIMIT}; page with offset`,
    );
  if (limit === 0 && raw.count !== true)
    throw new CityError('BadRequestData', 'limit=0 is only allowed with count=true');

  // attrs also filters: an entity matches when it has at least one of them (clause 4.17).
  const terms: QExpression[] = [];
  if (q) terms.push(q);
  if (attrs)
    terms.push({
      kind: 'or',
      terms: attrs.map((attr) => ({ kind: 'exists', path: { attr, compound: [] } })),
    });
  const filter: QExpression | undefined = terms.length > 1 ? { kind: 'and', terms } : terms[0];

  const query: EntityQuery = { limit, offset: raw.offset ?? 0 };
  if (types) query.types = types;
  if (ids) query.ids = ids;
  if (filter) query.q = filter;
  if (raw.count === true) query.count = true;
  const render: RenderOptions = { representation: parseRepresentation(raw) };
  if (attrs) render.attrs = attrs;
  return { query, render };
}
