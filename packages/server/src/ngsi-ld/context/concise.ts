import { GEOMETRY_TYPES, RESERVED_MEMBERS, SUB_ATTRIBUTE_RESERVED } from '../../core/index.js';

/** The attribute types of normalized NGSI-LD. */
const ATTRIBUTE_TYPES = new Set([
  'Property',
  'GeoProperty',
  'Relationship',
  'LanguageProperty',
  'VocabProperty',
  'JsonProperty',
  'ListProperty',
  'ListRelationship',
]);

/** Concise members that name an attribute's type (clause 4.5.10), in precedence order. */
const MARKERS: readonly (readonly [string, string])[] = [
  ['object', 'Relationship'],
  ['languageMap', 'LanguageProperty'],
  ['vocab', 'VocabProperty'],
  ['json', 'JsonProperty'],
  ['valueList', 'ListProperty'],
  ['objectList', 'ListRelationship'],
];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when `v` looks like a GeoJSON geometry. */
export function isGeometry(v: unknown): boolean {
  return (
    isObject(v) &&
    typeof v.type === 'string' &&
    GEOMETRY_TYPES.has(v.type) &&
    (Array.isArray(v.coordinates) || Array.isArray(v.geometries))
  );
}

/** True when an object is an attribute instance in normalized or concise form (not a value). */
function isInstance(v: unknown): boolean {
  if (!isObject(v)) return false;
  if (typeof v.type === 'string' && ATTRIBUTE_TYPES.has(v.type)) return true;
  return 'value' in v || MARKERS.some(([m]) => m in v);
}

function withSubAttributes(
  typed: Record<string, unknown>,
  source: Record<string, unknown>,
  depth: number,
): Record<string, unknown> {
  for (const [key, value] of Object.entries(source)) {
    if (key in typed) continue;
    typed[key] = SUB_ATTRIBUTE_RESERVED.has(key) ? value : expandConciseAttribute(value, depth + 1);
  }
  return typed;
}

/**
 * One attribute in concise (or keyValues, or normalized) form → normalized (clause 4.5.10):
 * a plain value is a Property, a GeoJSON geometry a GeoProperty, `{object}` a Relationship,
 * `{languageMap}` a LanguageProperty, `{vocab}`, `{json}`, `{valueList}`, `{objectList}` their
 * types, `{value}` a Property (GeoProperty for a geometry); other members are sub-attributes.
 * A list of instances (each with a marker or datasetId) is a multi-attribute; any other list
 * is a Property value. `{dataset: {id: v}}` (keyValues of a multi-attribute) becomes instances.
 */
export function expandConciseAttribute(raw: unknown, depth = 0): unknown {
  if (depth > 16) return raw;
  if (Array.isArray(raw)) {
    if (raw.length > 0 && raw.every((i) => isInstance(i) || (isObject(i) && 'datasetId' in i)))
      return raw.map((i) => expandConciseAttribute(i, depth));
    return { type: 'Property', value: raw };
  }
  if (!isObject(raw)) return { type: 'Property', value: raw };
  if (typeof raw.type === 'string' && ATTRIBUTE_TYPES.has(raw.type))
    return withSubAttributes({ type: raw.type }, raw, depth);
  if (isGeometry(raw)) return { type: 'GeoProperty', value: raw };
  if ('value' in raw)
    return withSubAttributes(
      { type: isGeometry(raw.value) ? 'GeoProperty' : 'Property', value: raw.value },
      raw,
      depth,
    );
  for (const [marker, type] of MARKERS)
    if (marker in raw) return withSubAttributes({ type }, raw, depth);
  const keys = Object.keys(raw);
  if (keys.length === 1 && keys[0] === 'dataset' && isObject(raw.dataset))
    return Object.entries(raw.dataset).map(([datasetId, v]) => {
      const instance = expandConciseAttribute(v, depth + 1) as Record<string, unknown>;
      return datasetId === '@none' ? instance : { ...instance, datasetId };
    });
  return { type: 'Property', value: raw };
}

/** Attributes (a PATCH/POST attrs body) in concise or keyValues form → normalized. */
export function expandConciseAttributes(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw))
    out[key] = RESERVED_MEMBERS.has(key) ? value : expandConciseAttribute(value);
  return out;
}

/**
 * An entity in concise or keyValues form → normalized (normalized input passes unchanged).
 * Entity members (`id`, `type`, `scope`, `@context`, system attributes) keep their values.
 */
export function expandConcise(raw: Record<string, unknown>): Record<string, unknown> {
  return expandConciseAttributes(raw);
}
