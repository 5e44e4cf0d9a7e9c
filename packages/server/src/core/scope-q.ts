import { CityError } from './errors.js';
import type { Entity } from './entity.js';

/** A parsed scopeQ expression (clause 4.19): scope paths joined by `;` (and), `,`/`|` (or). */
export type ScopeQuery =
  | {
      kind: 'scope';
      /** Path segments, e.g. ['Madrid', 'Gardens']; `+` matches one segment, a final `#` any depth. */
      segments: string[];
    }
  | { kind: 'and'; terms: ScopeQuery[] }
  | { kind: 'or'; terms: ScopeQuery[] };

const MAX_LENGTH = 4096;
const MAX_DEPTH = 32;
const MAX_SCOPE = 1024;
/** One level of a scope: no spaces, and none of the characters scopeQ gives a meaning to. */
const SEGMENT = /^[^\s/#+,;|()]+/;

/** Validates one entity scope value such as `/Madrid/Gardens`; throws BadRequestData otherwise. */
export function parseScopePath(text: unknown, where = 'scope'): string {
  if (typeof text !== 'string' || text.length > MAX_SCOPE || !/^(\/[^\s/#+,;|()]+)+$/.test(text))
    throw new CityError(
      'BadRequestData',
      `${where} must be a path like /Madrid/Gardens (levels without spaces or any of #+,;|()), got ${JSON.stringify(text)}`,
    );
  return text;
}

/** Validates an entity's `scope` member: one scope path or a non-empty list of them. */
export function parseScopes(raw: unknown, where = 'scope'): string | string[] {
  if (!Array.isArray(raw)) return parseScopePath(raw, where);
  if (raw.length === 0) throw new CityError('BadRequestData', `${where} must not be an empty list`);
  return raw.map((s, i) => parseScopePath(s, `${where}[${i}]`));
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  parse(): ScopeQuery {
    const expr = this.orExpr();
    if (this.pos < this.text.length) this.fail(`unexpected ${JSON.stringify(this.peek())}`);
    return expr;
  }

  private fail(what: string): never {
    throw new CityError('BadRequestData', `invalid scopeQ at position ${this.pos}: ${what}`, {
      details: { scopeQ: this.text, position: this.pos },
    });
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private orExpr(): ScopeQuery {
    const terms = [this.andExpr()];
    while (this.peek() === ',' || this.peek() === '|') {
      this.pos++;
      terms.push(this.andExpr());
    }
    return terms.length === 1 ? terms[0]! : { kind: 'or', terms };
  }

  private andExpr(): ScopeQuery {
    const terms = [this.term()];
    while (this.peek() === ';') {
      this.pos++;
      terms.push(this.term());
    }
    return terms.length === 1 ? terms[0]! : { kind: 'and', terms };
  }

  private term(): ScopeQuery {
    if (this.peek() === '(') {
      if (++this.depth > MAX_DEPTH) this.fail('too deeply nested');
      this.pos++;
      const inner = this.orExpr();
      if (this.peek() !== ')') this.fail('expected ")"');
      this.pos++;
      this.depth--;
      return inner;
    }
    if (this.peek() !== '/') this.fail('expected a scope starting with "/"');
    const segments: string[] = [];
    while (this.peek() === '/') {
      this.pos++;
      if (segments.at(-1) === '#') this.fail('"#" must be the last level');
      const c = this.peek();
      if (c === '#' || c === '+') {
        this.pos++;
        segments.push(c);
        continue;
      }
      const m = SEGMENT.exec(this.text.slice(this.pos));
      if (!m) this.fail('expected a scope level, "+" or "#" after "/"');
      this.pos += m[0].length;
      segments.push(m[0]);
    }
    return { kind: 'scope', segments };
  }
}

/** Parses a scopeQ (e.g. `/Madrid/#;/Company,(/A/+/C)`); throws BadRequestData naming where it fails. */
export function parseScopeQuery(text: string): ScopeQuery {
  if (text.length === 0) throw new CityError('BadRequestData', 'scopeQ must not be empty');
  if (text.length > MAX_LENGTH)
    throw new CityError('BadRequestData', `scopeQ is longer than ${MAX_LENGTH} characters`);
  return new Parser(text).parse();
}

/** True when a scope path matches one pattern; `/A/#` covers `/A` itself and everything below it. */
export function scopeMatches(scope: string, segments: readonly string[]): boolean {
  const levels = scope.split('/').slice(1);
  for (const [i, seg] of segments.entries()) {
    if (seg === '#') return levels.length >= i;
    const level = levels[i];
    if (level === undefined || (seg !== '+' && seg !== level)) return false;
  }
  return levels.length === segments.length;
}

/** Evaluates a scopeQ against an entity: a scope term holds when any of the entity's scopes matches it. */
export function matchesScope(entity: Pick<Entity, 'scope'>, query: ScopeQuery): boolean {
  switch (query.kind) {
    case 'and':
      return query.terms.every((t) => matchesScope(entity, t));
    case 'or':
      return query.terms.some((t) => matchesScope(entity, t));
    case 'scope': {
      const scopes: unknown[] = Array.isArray(entity.scope) ? entity.scope : [entity.scope];
      return scopes.some((s) => typeof s === 'string' && scopeMatches(s, query.segments));
    }
  }
}
