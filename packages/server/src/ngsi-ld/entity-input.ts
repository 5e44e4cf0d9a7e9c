import {
  CityError,
  GEOMETRY_TYPES,
  RESERVED_MEMBERS,
  parseAttributes,
  parseEntity,
  type Attribute,
  type AttributeValue,
  type Entity,
} from '../core/index.js';
import { expandConcise, expandEntity, type LdContext } from './context/index.js';
import type { EntityFragment } from './entity-merge.js';
import type { AttributeMap } from './entity-ops.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An instance with a "type" that is not a GeoJSON geometry's (a concise GeoProperty) is normalized (a wrong type is then a 400 from validation). */
function isNormalizedInstance(v: unknown): boolean {
  return isObject(v) && typeof v.type === 'string' && !GEOMETRY_TYPES.has(v.type);
}

/** True when every attribute member is in normalized form (so concise expansion is not needed). */
function isNormalized(raw: Json): boolean {
  return Object.entries(raw).every(
    ([k, v]) =>
      RESERVED_MEMBERS.has(k) ||
      isNormalizedInstance(v) ||
      (Array.isArray(v) && v.length > 0 && v.every(isNormalizedInstance)),
  );
}

/** An object body, or 400 BadRequestData naming what was expected. */
export function requireObject(raw: unknown, what: string): Json {
  if (!isObject(raw)) throw new CityError('BadRequestData', `${what} must be a JSON object`);
  return raw;
}

/** Concise (clause 4.5.x) members become normalized; names stay as the client wrote them. */
function normalized(raw: Json): Json {
  return isNormalized(raw) ? raw : expandConcise(raw);
}

/**
 * An entity body as a client wrote it (normalized or concise, its own @context terms) →
 * a validated entity with canonical names. Client-sent system attributes are not kept.
 */
export function readEntity(raw: unknown, ctx: LdContext): Entity {
  const body = requireObject(raw, 'an entity');
  return parseEntity(expandEntity(normalized(body), ctx));
}

/** A body of attributes (POST/PATCH …/attrs) → validated attributes with canonical names. */
export function readAttributes(raw: unknown, ctx: LdContext): AttributeMap {
  const body = requireObject(raw, 'the body');
  const attrs = parseAttributes(expandEntity(normalized(body), ctx));
  if (Object.keys(attrs).length === 0)
    throw new CityError('BadRequestData', 'the body names no attributes');
  return attrs;
}

/** A merge body (PATCH /entities/{id}, batch merge) → types, scope and attributes to merge. */
export function readFragment(raw: unknown, ctx: LdContext, id?: string): EntityFragment {
  const body = requireObject(raw, 'the body');
  if (id !== undefined && body.id !== undefined && body.id !== id)
    throw new CityError('BadRequestData', `the body's id ${JSON.stringify(body.id)} is not ${id}`);
  // JSON Merge Patch (RFC 7396) deletes with null: the NGSI-LD Null says the same.
  const withNulls: Json = {};
  for (const [k, v] of Object.entries(body))
    withNulls[k] = v === null && !RESERVED_MEMBERS.has(k) ? 'urn:ngsi-ld:null' : v;
  const expanded = expandEntity(normalized(withNulls), ctx);
  const fragment: EntityFragment = { attrs: parseAttributes(expanded) };
  const type = expanded.type;
  if (type !== undefined) {
    const types = Array.isArray(type) ? type : [type];
    if (!types.every((t) => typeof t === 'string' && t.length > 0))
      throw new CityError('BadRequestData', 'entity "type" must be a non-empty string');
    fragment.types = types as string[];
  }
  if (body.scope === null) fragment.scope = null;
  else if (body.scope !== undefined)
    fragment.scope = parseEntity({ id: 'urn:x:x', type: 'T', scope: body.scope }).scope;
  return fragment;
}

/** The attribute type a fragment without one implies (for expanding its names only). */
function impliedType(fragment: Json): string {
  if (typeof fragment.type === 'string') return fragment.type;
  if ('object' in fragment) return 'Relationship';
  if ('languageMap' in fragment) return 'LanguageProperty';
  if ('vocab' in fragment) return 'VocabProperty';
  if ('json' in fragment) return 'JsonProperty';
  if ('valueList' in fragment) return 'ListProperty';
  if ('objectList' in fragment) return 'ListRelationship';
  return 'Property';
}

/**
 * A fragment of one attribute (PATCH …/attrs/{attrId}) with canonical sub-attribute names;
 * `type` only when the client gave one.
 */
export function readAttributeFragment(raw: unknown, attrId: string, ctx: LdContext): Json {
  const body = requireObject(raw, 'an attribute fragment');
  const expanded = expandEntity({ [attrId]: { ...body, type: impliedType(body) } }, ctx);
  const [inner] = Object.values(expanded).filter(isObject);
  if (!inner) throw new CityError('BadRequestData', 'the attribute fragment is empty');
  const { type, ...rest } = inner;
  return body.type === undefined ? rest : { type, ...rest };
}

/** One attribute body (PUT …/attrs/{attrId}) → one validated instance with canonical names. */
export function readAttribute(raw: unknown, attrId: string, ctx: LdContext): Attribute {
  requireObject(raw, 'an attribute');
  const attrs = readAttributes({ [attrId]: raw }, ctx);
  const value: AttributeValue | undefined = Object.values(attrs)[0];
  if (value === undefined || Array.isArray(value))
    throw new CityError('BadRequestData', 'give one attribute instance');
  return value;
}
