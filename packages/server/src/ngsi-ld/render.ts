import type { FastifyReply } from 'fastify';
import {
  attributeNames,
  pickAttributes,
  SUB_ATTRIBUTE_RESERVED,
  type Entity,
} from '../core/index.js';
import { compactEntity, type LdContext } from './context/index.js';
import { isGeometry } from './context/concise.js';
import { parseRepresentationParams, type RenderQuery } from './context/representation-params.js';
import { plainEntityBody, plainEntityJson } from './render-plain.js';

export { expandConcise, expandConciseAttributes } from './context/index.js';
export type { RenderQuery } from './context/representation-params.js';

/** How entities are rendered (clause 4.5): normalized, keyValues (simplified) or concise. */
export type EntityFormat = 'normalized' | 'keyValues' | 'concise';
/** @deprecated the issue-2 name of EntityFormat. */
export type Representation = EntityFormat;

/** The response media types of entity representations. */
export type ResponseMediaType = 'application/json' | 'application/ld+json' | 'application/geo+json';

/**
 * What a client asked to see of entities. Names in `attrs`, `pick`, `omit` and
 * `geometryProperty` are CANONICAL (parseRenderOptions expands the client's terms);
 * `pick`/`omit` may name `id`, `type` and `scope` too.
 */
export interface RenderOptions {
  format: EntityFormat;
  /** Show createdAt/modifiedAt (entity and attribute instances). */
  sysAttrs: boolean;
  /** Attribute projection (id and type stay). */
  attrs?: readonly string[];
  /** Keep only these members (clause 4.21). */
  pick?: readonly string[];
  /** Drop these members (clause 4.21). */
  omit?: readonly string[];
  /** Language preference (clause 4.15): LanguageProperties become Properties with `lang`. */
  lang?: string;
  /** The GeoProperty giving a GeoJSON Feature's geometry (default location). */
  geometryProperty?: string;
  /** The request's context: names are compacted with it. */
  ctx: LdContext;
  mediaType: ResponseMediaType;
}

type Json = Record<string, unknown>;
const SYS = ['createdAt', 'modifiedAt', 'deletedAt'];
const ENTITY_KEEP = new Set(['id', 'type', 'scope', ...SYS]);
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const eachInstance = (v: unknown, f: (i: Json) => unknown): unknown =>
  Array.isArray(v) ? (v as unknown[]).map((i) => (isObject(i) ? f(i) : i)) : isObject(v) ? f(v) : v;

function select(entity: Entity, o: RenderOptions): Entity {
  let out: Entity = o.attrs ? pickAttributes(entity, o.attrs) : entity;
  if (o.pick) {
    const keep = new Set(o.pick);
    out = Object.fromEntries(
      Object.entries(out).filter(([k]) => keep.has(k) || (SYS.includes(k) && k !== 'deletedAt')),
    ) as Entity;
  }
  if (o.omit) {
    const drop = new Set(o.omit);
    out = Object.fromEntries(Object.entries(out).filter(([k]) => !drop.has(k))) as Entity;
  }
  return out;
}

/** Parses a lang parameter (`fr`, `en,fr;q=0.5`, `*`) into tags by preference. */
function languagePreference(lang: string): string[] {
  return lang
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.split(';').map((s) => s.trim());
      const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1);
      return { tag: tag.toLowerCase(), q, i };
    })
    .filter((t) => t.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((t) => t.tag);
}

function chooseLanguage(map: Json, preference: readonly string[]): string | undefined {
  const tags = Object.keys(map);
  for (const want of preference) {
    if (want === '*') return tags.find((t) => t !== '@none') ?? tags[0];
    const exact = tags.find((t) => t.toLowerCase() === want);
    if (exact) return exact;
    const prefix = tags.find((t) => t.toLowerCase().startsWith(`${want}-`));
    if (prefix) return prefix;
  }
  return tags.includes('@none') ? '@none' : tags.sort()[0];
}

/** Applies lang and sysAttrs to one instance (recursively through sub-attributes). */
function adjustInstance(
  i: Json,
  o: RenderOptions,
  pref: string[] | undefined,
  depth: number,
): Json {
  let out: Json = {};
  for (const [k, v] of Object.entries(i)) {
    if (!o.sysAttrs && SYS.includes(k)) continue;
    out[k] =
      SUB_ATTRIBUTE_RESERVED.has(k) || depth > 16
        ? v
        : eachInstance(v, (s) => adjustInstance(s, o, pref, depth + 1));
  }
  if (pref && out.type === 'LanguageProperty' && isObject(out.languageMap)) {
    const { languageMap, ...rest } = out;
    const tag = chooseLanguage(languageMap, pref);
    out = {
      ...rest,
      type: 'Property',
      value: tag === undefined ? '' : languageMap[tag],
      lang: tag,
    };
  }
  return out;
}

function adjust(entity: Entity, o: RenderOptions): Entity {
  const pref = o.lang === undefined ? undefined : languagePreference(o.lang);
  const out: Entity = { ...entity };
  for (const k of SYS) if (!o.sysAttrs) delete out[k];
  for (const name of attributeNames(entity))
    out[name] = eachInstance(entity[name], (i) => adjustInstance(i, o, pref, 0));
  return out;
}

/** Values a concise reader would take for an attribute instance rather than a plain value. */
function ambiguousAsValue(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(isObject);
  if (!isObject(v)) return false;
  return (
    isGeometry(v) ||
    'type' in v ||
    'value' in v ||
    'dataset' in v ||
    ['object', 'languageMap', 'vocab', 'json', 'valueList', 'objectList'].some((m) => m in v)
  );
}

/** The concise form of one instance (clause 4.5.10); `bare` allows a plain-value shortcut. */
function conciseInstance(i: Json, bare: boolean): unknown {
  const { type, ...rest } = i;
  const out: Json = {};
  for (const [k, v] of Object.entries(rest))
    out[k] = SUB_ATTRIBUTE_RESERVED.has(k)
      ? v
      : Array.isArray(v)
        ? (v as unknown[]).map((s) => (isObject(s) ? conciseInstance(s, false) : s))
        : isObject(v)
          ? conciseInstance(v, true)
          : v;
  const keys = Object.keys(out);
  if (bare && keys.length === 1 && keys[0] === 'value') {
    if (type === 'GeoProperty' || (type === 'Property' && !ambiguousAsValue(out.value)))
      return out.value;
  }
  // `type` stays where a concise reader would infer another one (a Property holding a geometry).
  if (type === 'Property' && isGeometry(out.value)) return { type, ...out };
  return out;
}

/** The keyValues (simplified) form of one instance (clause 4.5.4). */
function simplifyInstance(i: Json): unknown {
  switch (i.type) {
    case 'Relationship':
      return i.object;
    case 'LanguageProperty':
      return { languageMap: i.languageMap };
    case 'VocabProperty':
      return { vocab: i.vocab };
    case 'JsonProperty':
      return { json: i.json };
    case 'ListProperty':
      return { valueList: i.valueList };
    case 'ListRelationship':
      return { objectList: i.objectList };
    default:
      return i.value;
  }
}

function simplifyAttribute(v: unknown): unknown {
  if (!Array.isArray(v)) return isObject(v) ? simplifyInstance(v) : v;
  const dataset: Json = {};
  for (const i of v)
    if (isObject(i))
      dataset[typeof i.datasetId === 'string' ? i.datasetId : '@none'] = simplifyInstance(i);
  return { dataset };
}

function format(entity: Json, o: RenderOptions): Json {
  if (o.format === 'normalized') return entity;
  const out: Json = {};
  for (const [k, v] of Object.entries(entity)) {
    if (ENTITY_KEEP.has(k)) out[k] = v;
    else if (o.format === 'keyValues') out[k] = simplifyAttribute(v);
    else
      out[k] = Array.isArray(v)
        ? (v as unknown[]).map((i) => (isObject(i) ? conciseInstance(i, false) : i))
        : isObject(v)
          ? conciseInstance(v, true)
          : v;
  }
  return out;
}

function geometryOf(entity: Entity, name: string): unknown {
  const v = entity[name];
  const instances = (Array.isArray(v) ? v : [v]).filter(isObject);
  const chosen = instances.find((i) => i.datasetId === undefined) ?? instances[0];
  return chosen && isGeometry(chosen.value) ? chosen.value : null;
}

/** Normalized, no system attributes, nothing picked or dropped, no language choice. */
function isPlain(o: RenderOptions): boolean {
  return (
    o.format === 'normalized' &&
    !o.sysAttrs &&
    o.attrs === undefined &&
    o.pick === undefined &&
    o.omit === undefined &&
    o.lang === undefined
  );
}

function body(entity: Entity, o: RenderOptions): Json {
  if (isPlain(o)) return plainEntityBody(entity, o.ctx);
  return format(compactEntity(adjust(select(entity, o), o), o.ctx), o);
}

function feature(entity: Entity, o: RenderOptions, withContext: boolean): Json {
  const { id, ...properties } = body(entity, o);
  delete properties['@context'];
  const out: Json = { ...(id === undefined ? {} : { id }), type: 'Feature' };
  out.geometry = geometryOf(entity, o.geometryProperty ?? 'location');
  out.properties = properties;
  if (withContext) out['@context'] = o.ctx.responseContext;
  return out;
}

/** Renders one entity as the response body for `options` (format, projection, media type). */
export function renderEntity(entity: Entity, options: RenderOptions): Json {
  if (options.mediaType === 'application/geo+json') return feature(entity, options, true);
  const out = body(entity, options);
  if (options.mediaType === 'application/ld+json') out['@context'] = options.ctx.responseContext;
  return out;
}

/**
 * renderEntity as JSON text, `id` and `type` first (the order the entity response schema
 * gives); the plain application/json rendering of an unchanged entity is computed once.
 */
export function renderEntityJson(entity: Entity, options: RenderOptions): string {
  if (options.mediaType === 'application/json' && isPlain(options))
    return plainEntityJson(entity, options.ctx);
  const { id, type, ...rest } = renderEntity(entity, options);
  return JSON.stringify({ id, type, ...rest });
}

/** Renders a list of entities: an array, or a GeoJSON FeatureCollection for geo+json. */
export function renderEntities(entities: readonly Entity[], options: RenderOptions): Json[] | Json {
  if (options.mediaType !== 'application/geo+json')
    return entities.map((e) => renderEntity(e, options));
  return {
    type: 'FeatureCollection',
    features: entities.map((e) => feature(e, options, false)),
    '@context': options.ctx.responseContext,
  };
}

/**
 * Sets the Content-Type and, for application/json, the Link header naming the request's
 * @context (clause 6.3.6); call before sending a rendered body.
 */
export function setRepresentationHeaders(
  reply: FastifyReply,
  options: Pick<RenderOptions, 'ctx' | 'mediaType'>,
): FastifyReply {
  reply.type(options.mediaType);
  if (options.mediaType === 'application/json') reply.header('Link', options.ctx.linkHeader);
  return reply;
}

/**
 * The render options a request asks for: the representation query parameters (see
 * parseRepresentationParams) with the request's context and the negotiated media type.
 * `extraOptions` are further `options` values the route itself handles (e.g. noOverwrite).
 */
export function parseRenderOptions(
  query: RenderQuery,
  ctx: LdContext,
  mediaType: ResponseMediaType,
  extraOptions: readonly string[] = [],
): RenderOptions {
  const p = parseRepresentationParams(query, ctx, extraOptions);
  const out: RenderOptions = { format: p.format, sysAttrs: p.sysAttrs, ctx, mediaType };
  if (p.attrs !== undefined) out.attrs = p.attrs;
  if (p.pick !== undefined) out.pick = p.pick;
  if (p.omit !== undefined) out.omit = p.omit;
  if (p.lang !== undefined) out.lang = p.lang;
  if (p.geometryProperty !== undefined) out.geometryProperty = p.geometryProperty;
  return out;
}
