import { CityError } from './errors.js';
import { parseGeometry, type Geometry } from './geo.js';
import { parseScopes } from './scope-q.js';

/** Fields every NGSI-LD attribute may carry beside its value (sub-attributes are further keys). */
interface AttributeBase {
  observedAt?: string;
  datasetId?: string;
  createdAt?: string;
  modifiedAt?: string;
  unitCode?: string;
  [subAttribute: string]: unknown;
}

/** An NGSI-LD Property in normalized form. */
export interface Property extends AttributeBase {
  type: 'Property';
  value: unknown;
}

/** An NGSI-LD GeoProperty: a GeoJSON geometry. */
export interface GeoProperty extends AttributeBase {
  type: 'GeoProperty';
  value: Geometry;
}

/** An NGSI-LD Relationship: points at one entity (or, since v1.8, several). */
export interface Relationship extends AttributeBase {
  type: 'Relationship';
  object: string | string[];
  objectType?: string | string[];
}

/** A string in several languages (clause 4.5.18): `{ "en": "…", "zh": "…" }`. */
export interface LanguageProperty extends AttributeBase {
  type: 'LanguageProperty';
  languageMap: Record<string, string | string[]>;
}

/** A value from a vocabulary: a term (or terms) expanded with the @context (clause 4.5.20). */
export interface VocabProperty extends AttributeBase {
  type: 'VocabProperty';
  vocab: string | string[];
}

/** A JSON value kept verbatim, never interpreted as JSON-LD (clause 4.5.24). */
export interface JsonProperty extends AttributeBase {
  type: 'JsonProperty';
  json: unknown;
}

/** An ordered list of values (clause 4.5.21). */
export interface ListProperty extends AttributeBase {
  type: 'ListProperty';
  valueList: unknown[];
}

/** An ordered list of entity references (clause 4.5.22). */
export interface ListRelationship extends AttributeBase {
  type: 'ListRelationship';
  objectList: string[];
  objectType?: string | string[];
}

/** One attribute (instance) of an entity in normalized form. */
export type Attribute =
  | Property
  | GeoProperty
  | Relationship
  | LanguageProperty
  | VocabProperty
  | JsonProperty
  | ListProperty
  | ListRelationship;

/** The NGSI-LD attribute types. */
export type AttributeType = Attribute['type'];

/**
 * What an entity holds under one attribute name: one instance, or several with distinct
 * `datasetId`s (a multi-attribute, clause 4.5.5; at most one without a datasetId).
 */
export type AttributeValue = Attribute | Attribute[];

/**
 * An NGSI-LD entity in normalized form, in citybrain's canonical naming: every type and
 * attribute name is compacted against the NGSI-LD core context alone, so a name in the
 * default vocabulary is short (`temperature`) and any other is a full IRI. `createdAt` and
 * `modifiedAt` are system attributes (ISO 8601) kept with the entity.
 */
export interface Entity {
  id: string;
  type: string | string[];
  scope?: string | string[];
  createdAt?: string;
  modifiedAt?: string;
  [attribute: string]: unknown;
}

/** The entity's types as a list (an entity may have several, clause 4.16). */
export function entityTypes(entity: Pick<Entity, 'type'>): string[] {
  return Array.isArray(entity.type) ? entity.type : [entity.type];
}

/** The instances of an attribute as a list (empty when the entity lacks it). */
export function attributeInstances(entity: Entity, name: string): Attribute[] {
  const v = entity[name] as AttributeValue | undefined;
  if (v === undefined || RESERVED_MEMBERS.has(name)) return [];
  return Array.isArray(v) ? v : [v];
}

/** The NGSI-LD Null (clause 4.6.5): as a value in a PATCH, it deletes the attribute. */
export const NGSI_LD_NULL = 'urn:ngsi-ld:null';

/** Names that are entity members but not attributes. */
export const RESERVED_MEMBERS = new Set([
  'id',
  'type',
  '@context',
  'scope',
  'createdAt',
  'modifiedAt',
]);

// A term (`temperature`, `schema:name`) or, once canonical, an absolute IRI.
const ATTR_NAME =
  /^(?:[A-Za-z_][A-Za-z0-9_:.-]{0,255}|[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]{1,1024})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** True when `id` is an absolute URI, as NGSI-LD requires of entity ids. */
export function isUri(id: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/.test(id);
}

/** True when `s` is an ISO 8601 date-time in the form NGSI-LD uses. */
export function isDateTime(s: unknown): s is string {
  return typeof s === 'string' && ISO_DATE.test(s) && !Number.isNaN(Date.parse(s));
}

/** Iterates the attribute members of an entity (excluding id, type, @context …). */
export function attributeNames(entity: Entity): string[] {
  return Object.keys(entity).filter((k) => !RESERVED_MEMBERS.has(k));
}

function isUriList(v: unknown): boolean {
  return Array.isArray(v)
    ? v.length > 0 && v.every((x) => typeof x === 'string' && isUri(x))
    : false;
}

function isStringOrStrings(v: unknown): boolean {
  return typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
}

const ATTRIBUTE_TYPES =
  'Property, GeoProperty, Relationship, LanguageProperty, VocabProperty, JsonProperty, ListProperty or ListRelationship';

/**
 * Validates one attribute instance in normalized form and returns it; throws BadRequestData
 * naming `path`. Sub-attributes (members that are objects with a "type") are validated too.
 */
export function parseAttribute(raw: unknown, path: string, depth = 0): Attribute {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new CityError('BadRequestData', `${path} must be an object with a "type"`);
  const attr = raw as Record<string, unknown>;
  if (attr.observedAt !== undefined && !isDateTime(attr.observedAt))
    throw new CityError('BadRequestData', `${path}.observedAt must be an ISO 8601 date-time`);
  if (attr.unitCode !== undefined && typeof attr.unitCode !== 'string')
    throw new CityError('BadRequestData', `${path}.unitCode must be a string`);
  if (
    attr.datasetId !== undefined &&
    (typeof attr.datasetId !== 'string' || !isUri(attr.datasetId))
  )
    throw new CityError('BadRequestData', `${path}.datasetId must be a URI`);
  const need = (member: string, ok: boolean, what: string): void => {
    if (!ok)
      throw new CityError(
        'BadRequestData',
        `${path} is a ${String(attr.type)} whose "${member}" ${what}`,
      );
  };
  switch (attr.type) {
    case 'Property':
      need(
        'value',
        'value' in attr && attr.value !== undefined && attr.value !== null,
        'is missing',
      );
      break;
    case 'GeoProperty':
      parseGeometry(attr.value, `${path}.value`);
      break;
    case 'Relationship':
      need(
        'object',
        (typeof attr.object === 'string' && isUri(attr.object)) || isUriList(attr.object),
        'is not a URI',
      );
      break;
    case 'LanguageProperty':
      need(
        'languageMap',
        typeof attr.languageMap === 'object' &&
          attr.languageMap !== null &&
          !Array.isArray(attr.languageMap) &&
          Object.values(attr.languageMap).every(isStringOrStrings),
        'is not a map of language tags to strings',
      );
      break;
    case 'VocabProperty':
      need(
        'vocab',
        isStringOrStrings(attr.vocab) && (attr.vocab as string | string[]).length > 0,
        'is not a term or a list of terms',
      );
      break;
    case 'JsonProperty':
      need('json', 'json' in attr && attr.json !== undefined && attr.json !== null, 'is missing');
      break;
    case 'ListProperty':
      need('valueList', Array.isArray(attr.valueList), 'is not a list');
      break;
    case 'ListRelationship':
      need(
        'objectList',
        Array.isArray(attr.objectList) &&
          attr.objectList.every((o) => (typeof o === 'string' && isUri(o)) || isObjectRef(o)),
        'is not a list of URIs',
      );
      break;
    default:
      throw new CityError(
        'BadRequestData',
        `${path}.type must be ${ATTRIBUTE_TYPES}, got ${JSON.stringify(attr.type)}`,
      );
  }
  if (depth < 8)
    for (const [name, sub] of Object.entries(attr)) {
      if (SUB_ATTRIBUTE_RESERVED.has(name)) continue;
      if (typeof sub === 'object' && sub !== null && !Array.isArray(sub) && 'type' in sub)
        parseAttribute(sub, `${path}.${name}`, depth + 1);
    }
  return attr as Attribute;
}

function isObjectRef(o: unknown): boolean {
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof (o as { object?: unknown }).object === 'string' &&
    isUri((o as { object: string }).object)
  );
}

/** Members of an attribute that are not sub-attributes. */
export const SUB_ATTRIBUTE_RESERVED = new Set([
  'type',
  'value',
  'object',
  'objectType',
  'languageMap',
  'vocab',
  'json',
  'valueList',
  'objectList',
  'observedAt',
  'datasetId',
  'createdAt',
  'modifiedAt',
  'deletedAt',
  'unitCode',
  'instanceId',
  'previousValue',
  'previousObject',
  'previousLanguageMap',
  'previousVocab',
  'previousJson',
  'previousValueList',
  'previousObjectList',
  'lang',
  '@context',
]);

/** Validates one attribute member: a single instance or a list of instances with distinct datasetIds. */
export function parseAttributeValue(raw: unknown, path: string): AttributeValue {
  if (!Array.isArray(raw)) return parseAttribute(raw, path);
  if (raw.length === 0) throw new CityError('BadRequestData', `${path} must not be an empty list`);
  const seen = new Set<string>();
  return raw.map((item, i) => {
    const attr = parseAttribute(item, `${path}[${i}]`);
    const key = attr.datasetId ?? '@default';
    if (seen.has(key))
      throw new CityError(
        'BadRequestData',
        `${path} has two instances with ${attr.datasetId ? `datasetId ${attr.datasetId}` : 'no datasetId'}`,
      );
    seen.add(key);
    return attr;
  });
}

/** Checks an attribute name. */
export function checkAttributeName(name: string): void {
  if (!ATTR_NAME.test(name))
    throw new CityError('BadRequestData', `invalid attribute name ${JSON.stringify(name)}`);
}

/** Validates a map of attributes (a PATCH body, or an entity's attribute members). */
export function parseAttributes(raw: unknown): Record<string, AttributeValue> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new CityError('BadRequestData', 'the body must be a JSON object of attributes');
  const out: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (RESERVED_MEMBERS.has(name)) continue;
    checkAttributeName(name);
    out[name] = parseAttributeValue(value, name);
  }
  return out;
}

/** Validates an entity in normalized form (names already canonical). */
export function parseEntity(raw: unknown): Entity {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new CityError('BadRequestData', 'an entity must be a JSON object');
  const e = raw as Record<string, unknown>;
  if (typeof e.id !== 'string' || !isUri(e.id))
    throw new CityError(
      'BadRequestData',
      'entity "id" must be a URI, e.g. urn:ngsi-ld:Type:local-id',
    );
  const typeOk =
    (typeof e.type === 'string' && e.type.length > 0) ||
    (Array.isArray(e.type) &&
      e.type.length > 0 &&
      e.type.every((t) => typeof t === 'string' && t.length > 0));
  if (!typeOk) throw new CityError('BadRequestData', 'entity "type" must be a non-empty string');
  const scope = e.scope === undefined ? undefined : parseScopes(e.scope);
  const attrs = parseAttributes(e);
  const out: Entity = { id: e.id, type: e.type as string | string[], ...attrs };
  if (scope !== undefined) out.scope = scope;
  return out;
}

/** The keyValues (simplified) rendering of an entity. */
export function toKeyValues(entity: Entity): Record<string, unknown> {
  const out: Record<string, unknown> = { id: entity.id, type: entity.type };
  for (const name of attributeNames(entity)) {
    const value = entity[name] as AttributeValue;
    out[name] = Array.isArray(value) ? value.map(simplify) : simplify(value);
  }
  return out;
}

/** The keyValues form of one attribute instance. */
export function simplify(attr: Attribute): unknown {
  switch (attr.type) {
    case 'Relationship':
      return attr.object;
    case 'LanguageProperty':
      return { languageMap: attr.languageMap };
    case 'VocabProperty':
      return attr.vocab;
    case 'JsonProperty':
      return attr.json;
    case 'ListProperty':
      return attr.valueList;
    case 'ListRelationship':
      return attr.objectList;
    case 'Property':
    case 'GeoProperty':
    default:
      return attr.value;
  }
}

/** Keeps only the named attributes of an entity (id and type always stay). */
export function pickAttributes(entity: Entity, names: readonly string[]): Entity {
  const out: Entity = { id: entity.id, type: entity.type };
  for (const n of names) if (n in entity && !RESERVED_MEMBERS.has(n)) out[n] = entity[n];
  return out;
}
