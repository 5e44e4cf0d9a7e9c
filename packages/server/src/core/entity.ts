import { CityError } from './errors.js';
import { parseGeometry, type Geometry } from './geo.js';

/** Fields every NGSI-LD attribute may carry beside its value (sub-attributes are further keys). */
interface AttributeBase {
  observedAt?: string;
  datasetId?: string;
  createdAt?: string;
  modifiedAt?: string;
  [subAttribute: string]: unknown;
}

/** An NGSI-LD Property in normalized form. */
export interface Property extends AttributeBase {
  type: 'Property';
  value: unknown;
  unitCode?: string;
}

/** An NGSI-LD GeoProperty: a GeoJSON geometry. */
export interface GeoProperty extends AttributeBase {
  type: 'GeoProperty';
  value: Geometry;
}

/** An NGSI-LD Relationship: points at another entity. */
export interface Relationship extends AttributeBase {
  type: 'Relationship';
  object: string;
}

/** One attribute of an entity in normalized form. */
export type Attribute = Property | GeoProperty | Relationship;

/** An NGSI-LD entity in normalized form; attributes are keyed by their (short) names. */
export interface Entity {
  id: string;
  type: string;
  [attribute: string]: unknown;
}

/** Names that are entity members but not attributes. */
export const RESERVED_MEMBERS = new Set([
  'id',
  'type',
  '@context',
  'scope',
  'createdAt',
  'modifiedAt',
]);

const ATTR_NAME = /^[A-Za-z_][A-Za-z0-9_:.-]{0,255}$/;
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

/** Validates one attribute in normalized form and returns it; throws BadRequestData naming `path`. */
export function parseAttribute(raw: unknown, path: string): Attribute {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new CityError('BadRequestData', `${path} must be an object with a "type"`);
  const attr = raw as Record<string, unknown>;
  if (attr.observedAt !== undefined && !isDateTime(attr.observedAt))
    throw new CityError('BadRequestData', `${path}.observedAt must be an ISO 8601 date-time`);
  if (attr.unitCode !== undefined && typeof attr.unitCode !== 'string')
    throw new CityError('BadRequestData', `${path}.unitCode must be a string`);
  switch (attr.type) {
    case 'Property':
      if (!('value' in attr) || attr.value === undefined)
        throw new CityError('BadRequestData', `${path} is a Property without a "value"`);
      break;
    case 'GeoProperty':
      parseGeometry(attr.value, `${path}.value`);
      break;
    case 'Relationship':
      if (typeof attr.object !== 'string' || !isUri(attr.object))
        throw new CityError(
          'BadRequestData',
          `${path} is a Relationship whose "object" is not a URI`,
        );
      break;
    default:
      throw new CityError(
        'BadRequestData',
        `${path}.type must be Property, GeoProperty or Relationship, got ${JSON.stringify(attr.type)}`,
      );
  }
  return attr as Attribute;
}

/** Validates a map of attributes (a PATCH body, or an entity's attribute members). */
export function parseAttributes(raw: unknown): Record<string, Attribute> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new CityError('BadRequestData', 'the body must be a JSON object of attributes');
  const out: Record<string, Attribute> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (RESERVED_MEMBERS.has(name)) continue;
    if (!ATTR_NAME.test(name))
      throw new CityError('BadRequestData', `invalid attribute name ${JSON.stringify(name)}`);
    out[name] = parseAttribute(value, name);
  }
  return out;
}

/** Validates an entity in normalized form. */
export function parseEntity(raw: unknown): Entity {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new CityError('BadRequestData', 'an entity must be a JSON object');
  const e = raw as Record<string, unknown>;
  if (typeof e.id !== 'string' || !isUri(e.id))
    throw new CityError(
      'BadRequestData',
      'entity "id" must be a URI, e.g. urn:ngsi-ld:Type:local-id',
    );
  if (typeof e.type !== 'string' || e.type.length === 0)
    throw new CityError('BadRequestData', 'entity "type" must be a non-empty string');
  const attrs = parseAttributes(e);
  return { id: e.id, type: e.type, ...attrs };
}

/** The keyValues (simplified) rendering of an entity. */
export function toKeyValues(entity: Entity): Record<string, unknown> {
  const out: Record<string, unknown> = { id: entity.id, type: entity.type };
  for (const name of attributeNames(entity)) {
    const attr = entity[name] as Attribute;
    out[name] = attr.type === 'Relationship' ? attr.object : attr.value;
  }
  return out;
}

/** Keeps only the named attributes of an entity (id and type always stay). */
export function pickAttributes(entity: Entity, names: readonly string[]): Entity {
  const out: Entity = { id: entity.id, type: entity.type };
  for (const n of names) if (n in entity && !RESERVED_MEMBERS.has(n)) out[n] = entity[n];
  return out;
}
