import type { ScopeQuery } from '../../core/index.js';
import type { SqlParams } from './sql-params.js';

/** A literal scope level in an ARE: punctuation escaped, letters and other characters as they are. */
const literal = (level: string): string =>
  level.replace(/[^0-9A-Za-z\u0080-\uffff]/g, (c) => `\\${c}`);

/**
 * The ARE a scope string matches exactly when core `scopeMatches` accepts it: levels are what
 * follows each '/', `+` is any one level, a final `#` any depth (the path itself included).
 */
export function scopeRegex(segments: readonly string[]): string {
  let re = '^[^/]*';
  for (const seg of segments) {
    if (seg === '#') return `${re}(/.*)?$`;
    re += seg === '+' ? '/[^/]*' : `/${literal(seg)}`;
  }
  return `${re}$`;
}

/** A scopeQ (clause 4.19) as a SQL boolean over the document `doc`: any scope may match a term. */
export function scopeToSql(query: ScopeQuery, doc: string, p: SqlParams): string {
  if (query.kind !== 'scope')
    return `(${query.terms.map((t) => scopeToSql(t, doc, p)).join(query.kind === 'and' ? ' AND ' : ' OR ')})`;
  const re = p.add(scopeRegex(query.segments), 'text');
  return `EXISTS (SELECT 1 FROM cb_spread(${doc} -> 'scope') s
    WHERE jsonb_typeof(s) = 'string' AND (s #>> '{}') ~ ${re})`;
}
