import { CORE_CONTEXT, DEFAULT_VOCAB } from './core-context.js';
import type { LdContext } from './types.js';

/** One term definition of a processed (active) JSON-LD context, as jsonld.js keeps it. */
interface ActiveTerm {
  '@id'?: unknown;
  reverse?: boolean;
  _prefix?: boolean;
}

/** The parts of a jsonld.js active context that citybrain reads. */
export interface ActiveContext {
  mappings: Map<string, ActiveTerm>;
  '@vocab'?: string;
}

/** Fast term ↔ IRI tables built once from an active context. */
export interface TermTables {
  /** term → absolute IRI (keyword aliases and reverse terms left out). */
  readonly termToIri: ReadonlyMap<string, string>;
  /** absolute IRI → the preferred term (shortest, then least in code-point order). */
  readonly iriToTerm: ReadonlyMap<string, string>;
  /** User terms usable as prefixes of compact IRIs when compacting: [prefix, IRI]. */
  readonly prefixes: readonly (readonly [string, string])[];
  readonly vocab: string | undefined;
}

const RELATIVE_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;

/** Reads the term tables of a jsonld.js active context. */
export function termTables(active: ActiveContext): TermTables {
  const termToIri = new Map<string, string>();
  const iriToTerm = new Map<string, string>();
  const prefixes: [string, string][] = [];
  for (const [term, def] of active.mappings) {
    const iri = def['@id'];
    if (typeof iri !== 'string' || def.reverse || iri.startsWith('@')) continue;
    termToIri.set(term, iri);
    const best = iriToTerm.get(iri);
    if (
      best === undefined ||
      term.length < best.length ||
      (term.length === best.length && term < best)
    )
      iriToTerm.set(iri, term);
    // Core prefixes (ngsi-ld:, geojson:) never shorten IRIs: canonical names keep full IRIs.
    if (def._prefix && !(term in CORE_CONTEXT)) prefixes.push([term, iri]);
  }
  // Longest namespace first gives the shortest compact IRI.
  prefixes.sort((a, b) => b[1].length - a[1].length);
  return { termToIri, iriToTerm, prefixes, vocab: active['@vocab'] };
}

/** Expands a term, compact IRI or IRI to an absolute IRI (JSON-LD IRI expansion, vocab mode). */
export function expandIri(name: string, t: TermTables): string {
  const mapped = t.termToIri.get(name);
  if (mapped !== undefined) return mapped;
  const colon = name.indexOf(':');
  if (colon > 0) {
    const prefix = name.slice(0, colon);
    const suffix = name.slice(colon + 1);
    if (prefix === '_' || suffix.startsWith('//')) return name;
    const ns = t.termToIri.get(prefix);
    if (ns !== undefined) return ns + suffix;
    if (RELATIVE_SCHEME.test(prefix)) return name;
  }
  return (t.vocab ?? DEFAULT_VOCAB) + name;
}

/** Compacts an absolute IRI to a term, compact IRI or vocabulary-relative name when possible. */
export function compactIri(iri: string, t: TermTables): string {
  const term = t.iriToTerm.get(iri);
  if (term !== undefined) return term;
  if (t.vocab !== undefined && iri.startsWith(t.vocab)) {
    const rest = iri.slice(t.vocab.length);
    if (rest.length > 0 && !rest.includes(':') && !t.termToIri.has(rest)) return rest;
  }
  for (const [prefix, ns] of t.prefixes) {
    if (!iri.startsWith(ns) || iri.length === ns.length) continue;
    const compact = `${prefix}:${iri.slice(ns.length)}`;
    if (!t.termToIri.has(compact)) return compact;
  }
  return iri;
}

/** What a resolved context needs besides its term tables. */
export interface LdContextInit {
  tables: TermTables;
  /** The core-only tables, which define canonical names. */
  core: TermTables;
  coreOnly: boolean;
  responseContext: LdContext['responseContext'];
  linkHeader: string;
}

const MEMO_LIMIT = 4096;

function memo(fn: (s: string) => string): (s: string) => string {
  const cache = new Map<string, string>();
  return (s) => {
    let out = cache.get(s);
    if (out === undefined) {
      out = fn(s);
      if (cache.size >= MEMO_LIMIT) cache.clear();
      cache.set(s, out);
    }
    return out;
  };
}

/**
 * Builds an LdContext: `expand` maps a client name to its canonical name (its IRI compacted
 * against the core context alone), `compact` maps a canonical name to the client's term.
 */
export function makeLdContext(init: LdContextInit): LdContext {
  const { tables, core } = init;
  const canonical = (iri: string): string => compactIri(iri, core);
  const coreExpand = (name: string): string => expandIri(name, core);
  return {
    coreOnly: init.coreOnly,
    responseContext: init.responseContext,
    linkHeader: init.linkHeader,
    expand: memo((term) => canonical(expandIri(term, tables))),
    compact: memo((name) => compactIri(coreExpand(name), tables)),
  };
}
