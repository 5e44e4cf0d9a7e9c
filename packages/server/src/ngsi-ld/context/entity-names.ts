import { RESERVED_MEMBERS, SUB_ATTRIBUTE_RESERVED, type Entity } from '../../core/index.js';
import type { LdContext } from './types.js';

/** Entity members that are not attributes and keep their names. */
const ENTITY_MEMBERS = new Set([...RESERVED_MEMBERS, 'deletedAt']);

type Rename = (name: string) => string;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function mapNames(v: unknown, rename: Rename): unknown {
  if (typeof v === 'string') return rename(v);
  if (Array.isArray(v)) return (v as unknown[]).map((x) => (typeof x === 'string' ? rename(x) : x));
  return v;
}

/** Renames one attribute instance's sub-attributes (recursively), `vocab` and `objectType`. */
function mapInstance(instance: unknown, rename: Rename, depth: number): unknown {
  if (!isObject(instance) || depth > 16) return instance;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(instance)) {
    if (key === '@context') continue;
    if (key === 'vocab' || key === 'previousVocab' || key === 'objectType')
      out[key] = mapNames(value, rename);
    else if (SUB_ATTRIBUTE_RESERVED.has(key)) out[key] = value;
    else out[rename(key)] = mapAttribute(value, rename, depth + 1);
  }
  return out;
}

function mapAttribute(value: unknown, rename: Rename, depth: number): unknown {
  return Array.isArray(value)
    ? value.map((i) => mapInstance(i, rename, depth))
    : mapInstance(value, rename, depth);
}

function mapEntity(raw: Record<string, unknown>, rename: Rename): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === '@context') continue;
    if (key === 'type') out.type = mapNames(value, rename);
    else if (ENTITY_MEMBERS.has(key)) out[key] = value;
    else out[rename(key)] = mapAttribute(value, rename, 0);
  }
  return out;
}

/**
 * An entity in normalized form as a client wrote it → canonical names: entity type(s),
 * attribute and sub-attribute names, `vocab` values and `objectType`; `@context` dropped.
 * Values, `id` and core members are left alone. Convert concise/keyValues input with
 * `expandConcise` first: the members of a plain JSON object value are not names.
 */
export function expandEntity(
  raw: Record<string, unknown>,
  ctx: LdContext,
): Record<string, unknown> {
  return mapEntity(raw, (n) => ctx.expand(n));
}

/** A canonical entity → the names of the client's context (the inverse of expandEntity). */
export function compactEntity(entity: Entity, ctx: LdContext): Record<string, unknown> {
  return mapEntity(entity, (n) => ctx.compact(n));
}

/** Attributes (a PATCH/POST attrs body, normalized) as a client wrote them → canonical names. */
export function expandAttributes(
  raw: Record<string, unknown>,
  ctx: LdContext,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === '@context') continue;
    out[ctx.expand(key)] = mapAttribute(value, (n) => ctx.expand(n), 0);
  }
  return out;
}

/** One attribute value (instance or datasetId list) → canonical sub-attribute names. */
export function expandAttributeValue(value: unknown, ctx: LdContext): unknown {
  return mapAttribute(value, (n) => ctx.expand(n), 0);
}

/** One canonical attribute value → the client's sub-attribute names. */
export function compactAttributeValue(value: unknown, ctx: LdContext): unknown {
  return mapAttribute(value, (n) => ctx.compact(n), 0);
}

/** An attribute name (or entity type) as a client wrote it → canonical name. */
export function expandAttributeName(name: string, ctx: LdContext): string {
  return ctx.expand(name);
}

/** A canonical attribute name (or entity type) → the client's term. */
export function compactAttributeName(name: string, ctx: LdContext): string {
  return ctx.compact(name);
}
