import {
  RESERVED_MEMBERS,
  SUB_ATTRIBUTE_RESERVED,
  simplify,
  type Attribute,
  type Entity,
} from '../core/index.js';
import { compactEntity, type LdContext } from './context/index.js';

/** How entities are rendered (clause 4.5: normalized, concise, simplified a.k.a. keyValues). */
export type Representation = 'normalized' | 'keyValues' | 'concise';

/** What a client asked to see of an entity; names canonical. */
export interface EntityView {
  representation: Representation;
  /** options=sysAttrs: show createdAt/modifiedAt. */
  sysAttrs: boolean;
  /** Only these attributes (id, type and scope stay). */
  attrs?: readonly string[];
  /** Only these members (clause 4.21 pick): id and type only when named. */
  pick?: readonly string[];
  /** These members left out (clause 4.21 omit). */
  omit?: readonly string[];
  /** Language(s) for LanguageProperties (clause 4.15); `*` keeps every language. */
  lang?: string;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Applies attrs, pick and omit to the members of an entity. */
function select(entity: Entity, view: EntityView): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(entity)) {
    const attribute = !RESERVED_MEMBERS.has(k);
    if (view.attrs && attribute && !view.attrs.includes(k)) continue;
    if (view.pick && (attribute || k === 'id' || k === 'type') && !view.pick.includes(k)) continue;
    if (view.omit?.includes(k)) continue;
    out[k] = v;
  }
  return out;
}

/** The best language of a map for the requested tags: exact, then prefix, then @none, then any. */
function chooseLanguage(map: Json, lang: string): string | undefined {
  const keys = Object.keys(map);
  for (const tag of lang.split(',').map((t) => t.split(';')[0]!.trim())) {
    if (keys.includes(tag)) return tag;
    const prefix = keys.find((k) => k.split('-')[0] === tag.split('-')[0]);
    if (prefix) return prefix;
  }
  return keys.includes('@none') ? '@none' : keys[0];
}

function mapInstance(v: unknown, fn: (a: Json) => Json): unknown {
  if (Array.isArray(v)) return v.map((x) => (isObject(x) ? fn(x) : x));
  return isObject(v) ? fn(v) : v;
}

/** LanguageProperty → Property in the chosen language, with `lang` (clause 4.15). */
function localize(attr: Json, lang: string): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(attr))
    out[k] = SUB_ATTRIBUTE_RESERVED.has(k) ? v : mapInstance(v, (s) => localize(s, lang));
  if (attr.type !== 'LanguageProperty' || !isObject(attr.languageMap)) return out;
  const tag = chooseLanguage(attr.languageMap, lang);
  delete out.languageMap;
  out.type = 'Property';
  out.value = tag === undefined ? '' : attr.languageMap[tag];
  if (tag !== undefined && tag !== '@none') out.lang = tag;
  return out;
}

function withoutSysAttrs(attr: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(attr)) {
    if (k === 'createdAt' || k === 'modifiedAt') continue;
    out[k] = SUB_ATTRIBUTE_RESERVED.has(k) ? v : mapInstance(v, withoutSysAttrs);
  }
  return out;
}

/** The concise form of one instance: no `type`, a bare value when nothing else is said. */
function concise(attr: Json): unknown {
  const out: Json = {};
  for (const [k, v] of Object.entries(attr)) {
    if (k === 'type') continue;
    out[k] = SUB_ATTRIBUTE_RESERVED.has(k) ? v : mapInstance(v, (s) => concise(s) as Json);
  }
  const bare =
    Object.keys(out).length === 1 &&
    'value' in out &&
    (attr.type === 'GeoProperty' || !isObject(out.value));
  return bare ? out.value : out;
}

/** Renders a canonical entity in the client's names and the asked representation. */
export function viewEntity(entity: Entity, ctx: LdContext, view: EntityView): Json {
  const picked = select(entity, view);
  const shaped: Json = {};
  for (const [k, v] of Object.entries(picked)) {
    if (!view.sysAttrs && (k === 'createdAt' || k === 'modifiedAt')) continue;
    if (RESERVED_MEMBERS.has(k)) shaped[k] = v;
    else
      shaped[k] = mapInstance(v, (a) => {
        const local = view.lang !== undefined && view.lang !== '*' ? localize(a, view.lang) : a;
        return view.sysAttrs ? local : withoutSysAttrs(local);
      });
  }
  const compacted = compactEntity(shaped as Entity, ctx);
  if (view.representation === 'normalized') return compacted;
  const out: Json = {};
  for (const [k, v] of Object.entries(compacted)) {
    if (RESERVED_MEMBERS.has(k)) out[k] = v;
    else if (view.representation === 'keyValues')
      out[k] = Array.isArray(v) ? v.map((a) => simplify(a as Attribute)) : simplify(v as Attribute);
    else out[k] = Array.isArray(v) ? v.map((a) => concise(a as Json)) : concise(v as Json);
  }
  return out;
}
