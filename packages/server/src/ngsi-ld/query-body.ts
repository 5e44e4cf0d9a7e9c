import { CityError } from '../core/index.js';
import type { GeoParams, QueryFilters } from './entity-query.js';
import { hasSelector } from './entity-query.js';

type Json = Record<string, unknown>;

/** A Query body (clause 5.2.23) as filters: one per entity selector, ORed. */
export interface QueryBody {
  selectors: QueryFilters[];
  attrs?: string[];
  lang?: string;
}

const bad = (message: string) => new CityError('BadRequestData', `Query: ${message}`);

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalString(body: Json, key: string): string | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0) throw bad(`${key} must be a non-empty string`);
  return v;
}

function stringList(v: unknown, key: string): string[] | undefined {
  if (v === undefined) return undefined;
  const list = typeof v === 'string' ? v.split(',') : v;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' && x.length > 0))
    throw bad(`${key} must be a list of names`);
  return list as string[];
}

function geoParams(v: unknown): GeoParams | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) throw bad('geoQ must be an object {geometry, coordinates, georel}');
  const out: GeoParams = {};
  for (const key of ['georel', 'geometry', 'geoproperty'] as const) {
    const s = optionalString(v, key);
    if (s !== undefined) out[key] = s;
  }
  if (typeof v.coordinates === 'string' || Array.isArray(v.coordinates))
    out.coordinates = v.coordinates;
  else if (v.coordinates !== undefined) throw bad('geoQ.coordinates must be an array');
  return out;
}

/** Validates a Query body; 400 BadRequestData naming what is wrong. */
export function readQuery(raw: unknown): QueryBody {
  if (!isObject(raw)) throw bad('the body must be a JSON object');
  if (raw.type !== 'Query') throw bad('"type" must be "Query"');
  const common: QueryFilters = {};
  const q = optionalString(raw, 'q');
  if (q !== undefined) common.q = q;
  const scopeQ = optionalString(raw, 'scopeQ');
  if (scopeQ !== undefined) common.scopeQ = scopeQ;
  const geo = geoParams(raw.geoQ);
  if (geo) common.geo = geo;
  const attrs = stringList(raw.attrs, 'attrs');
  if (attrs) common.attrs = attrs;
  if (raw.temporalQ !== undefined || raw.csf !== undefined)
    throw new CityError('OperationNotSupported', 'Query: temporalQ and csf are not supported');

  let selectors: QueryFilters[] = [common];
  if (raw.entities !== undefined) {
    if (!Array.isArray(raw.entities) || raw.entities.length === 0)
      throw bad('entities must be a non-empty list of {id, idPattern, type}');
    selectors = raw.entities.map((s: unknown, i) => {
      if (!isObject(s)) throw bad(`entities[${i}] must be an object`);
      const f: QueryFilters = { ...common };
      const type = optionalString(s, 'type');
      if (type !== undefined) f.type = type;
      const id = optionalString(s, 'id');
      if (id !== undefined) f.ids = [id];
      const idPattern = optionalString(s, 'idPattern');
      if (idPattern !== undefined) f.idPattern = idPattern;
      return f;
    });
  }
  if (!selectors.every(hasSelector))
    throw bad('needs entities, attrs, q, geoQ or scopeQ to select entities');
  const body: QueryBody = { selectors };
  if (attrs) body.attrs = attrs;
  const lang = optionalString(raw, 'lang');
  if (lang !== undefined) body.lang = lang;
  return body;
}
