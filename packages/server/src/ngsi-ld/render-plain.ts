import { RESERVED_MEMBERS, SUB_ATTRIBUTE_RESERVED, type Entity } from '../core/index.js';
import type { LdContext } from './context/index.js';

type Json = Record<string, unknown>;

/** Entity members that are not attributes and keep their names (as in compactEntity). */
const ENTITY_MEMBERS = new Set([...RESERVED_MEMBERS, 'deletedAt']);
/** Sub-attribute members whose values are names (compacted like types). */
const NAME_VALUED = new Set(['vocab', 'previousVocab', 'objectType']);
/** Deeper than this, instances are left as they are (the limit of render.ts and entity-names.ts). */
const MAX_DEPTH = 16;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isSys = (k: string) => k === 'createdAt' || k === 'modifiedAt' || k === 'deletedAt';

function names(v: unknown, ctx: LdContext): unknown {
  if (typeof v === 'string') return ctx.compact(v);
  if (Array.isArray(v)) return v.map((x: unknown) => (typeof x === 'string' ? ctx.compact(x) : x));
  return v;
}

function instance(i: Json, ctx: LdContext, depth: number): Json {
  const out: Json = {};
  if (depth > MAX_DEPTH) {
    for (const k in i) if (!isSys(k)) out[k] = i[k];
    return out;
  }
  for (const k in i) {
    if (isSys(k) || k === '@context') continue;
    const v = i[k];
    if (NAME_VALUED.has(k)) out[k] = names(v, ctx);
    else if (SUB_ATTRIBUTE_RESERVED.has(k)) out[k] = v;
    else out[ctx.compact(k)] = attribute(v, ctx, depth + 1);
  }
  return out;
}

/** System attributes dropped from an instance and its sub-attributes, names untouched. */
function strip(i: Json, depth: number): Json {
  const out: Json = {};
  for (const k in i) {
    if (isSys(k)) continue;
    const v = i[k];
    out[k] = SUB_ATTRIBUTE_RESERVED.has(k) || depth > MAX_DEPTH ? v : each(v, depth + 1);
  }
  return out;
}

function each(v: unknown, depth: number): unknown {
  if (Array.isArray(v)) return v.map((x: unknown) => (isObject(x) ? strip(x, depth) : x));
  return isObject(v) ? strip(v, depth) : v;
}

function attribute(v: unknown, ctx: LdContext, depth: number): unknown {
  if (Array.isArray(v)) return v.map((x: unknown) => (isObject(x) ? instance(x, ctx, depth) : x));
  return isObject(v) ? instance(v, ctx, depth) : v;
}

/**
 * The normalized rendering of a canonical entity without system attributes, projection or
 * language choice, names compacted with `ctx`, in one pass: exactly what render.ts's general
 * path (adjust, then compactEntity) gives for those options, member order included (but
 * `id` and `type` first with `idTypeFirst`, as the response schema's serializer put them).
 */
export function plainEntityBody(entity: Entity, ctx: LdContext, idTypeFirst = false): Json {
  const out: Json = {};
  if (idTypeFirst) {
    // Reserve the first places; JSON.stringify leaves out members still undefined.
    out.id = undefined;
    out.type = undefined;
  }
  let deleted: { v: unknown } | undefined;
  for (const k in entity) {
    const v = entity[k];
    if (k === 'createdAt' || k === 'modifiedAt' || k === '@context') continue;
    // The general path drops deletedAt, then puts it back last, not renamed (it is not a
    // reserved member, so it is adjusted as an attribute, but compactEntity keeps it).
    if (k === 'deletedAt') deleted = { v: each(v, 0) };
    else if (k === 'type') out.type = names(v, ctx);
    else if (ENTITY_MEMBERS.has(k)) out[k] = v;
    else out[ctx.compact(k)] = attribute(v, ctx, 0);
  }
  if (deleted) out.deletedAt = deleted.v;
  return out;
}

const cache = new WeakMap<Entity, { ctx: LdContext; json: string }>();

/**
 * The JSON text of plainEntityBody (`id` and `type` first), remembered per (immutable, store-shared) entity object and
 * context: repeated reads of an unchanged entity cost a lookup.
 */
export function plainEntityJson(entity: Entity, ctx: LdContext): string {
  const hit = cache.get(entity);
  if (hit?.ctx === ctx) return hit.json;
  const json = JSON.stringify(plainEntityBody(entity, ctx, true));
  cache.set(entity, { ctx, json });
  return json;
}
