import { CityError } from './errors.js';
import { RESERVED_MEMBERS, type Entity } from './entity.js';

/** The JavaScript value of a q literal. */
export type QValue = number | string | boolean;

/**
 * A literal in a q comparison, tagged with how it was written: quoted strings compare as
 * strings, unquoted date-times as instants, dates and times as strings of their kind,
 * bare URIs (and other bare words) as strings (clause 4.9).
 */
export type QLiteral =
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'string' | 'uri' | 'dateTime' | 'date' | 'time'; value: string };

/** The operand of a comparison: a single value, a list (a,b,c) or a range (a..b). */
export type QOperand =
  | { kind: 'value'; value: QLiteral }
  | { kind: 'list'; values: QLiteral[] }
  | { kind: 'range'; min: QLiteral; max: QLiteral };

/** The literal for a plain value, for code that builds q expressions (a string is a quoted string). */
export function qLiteral(v: QLiteral | QValue): QLiteral {
  if (typeof v === 'object') return v;
  if (typeof v === 'number') return { type: 'number', value: v };
  if (typeof v === 'boolean') return { type: 'boolean', value: v };
  return { type: 'string', value: v };
}

/** Comparison operators of the NGSI-LD query language (without the pattern operators). */
export type QOperator = '==' | '!=' | '>' | '>=' | '<' | '<=';

/**
 * A path into an entity: attribute name, sub-attributes (`a.b.c`, where a last `observedAt`,
 * `createdAt`, `modifiedAt`, `unitCode` or `datasetId` reads that member) and compound keys
 * into the value (`a[x.y]`, or `a[x][y]`).
 */
export interface QPath {
  attr: string;
  subAttrs?: string[];
  compound: string[];
}

/** A parsed q expression (NGSI-LD GS CIM 009 clause 4.9). */
export type QExpression =
  | { kind: 'and'; terms: QExpression[] }
  | { kind: 'or'; terms: QExpression[] }
  | { kind: 'exists'; path: QPath }
  | { kind: 'compare'; path: QPath; op: QOperator; operand: QOperand }
  | { kind: 'pattern'; path: QPath; negated: boolean; pattern: string; flags: string };

/** Members of an attribute instance that a path may read like a sub-attribute. */
export const Q_META_MEMBERS: ReadonlySet<string> = new Set([
  'observedAt',
  'createdAt',
  'modifiedAt',
  'unitCode',
  'datasetId',
]);

const MAX_LENGTH = 4096;
const MAX_DEPTH = 32;
const MAX_PATTERN = 256;
const NAME = /^[A-Za-z_@][A-Za-z0-9_:@-]*/;
const IRI_START = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const IRI_BODY = /^[^\s[\]=!<>~;|(),"]+/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;
const OPERATORS = ['==', '!~=', '!=', '~=', '>=', '<=', '>', '<'] as const;

/** Milliseconds since the epoch of an ISO date-time; a missing zone is UTC, not local time. */
function instant(text: string): number {
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`;
  return Date.parse(zoned.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  parse(): QExpression {
    const expr = this.orExpr();
    this.space();
    if (this.pos < this.text.length) this.fail(`unexpected ${JSON.stringify(this.peek())}`);
    return expr;
  }

  private fail(what: string, at = this.pos): never {
    throw new CityError('BadRequestData', `invalid q at position ${at}: ${what}`, {
      details: { q: this.text, position: at },
    });
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private space(): void {
    while (this.peek() === ' ') this.pos++;
  }

  private eat(c: string): boolean {
    this.space();
    if (this.peek() !== c) return false;
    this.pos++;
    return true;
  }

  private orExpr(): QExpression {
    const terms = [this.andExpr()];
    while (this.eat('|')) terms.push(this.andExpr());
    return terms.length === 1 ? terms[0]! : { kind: 'or', terms };
  }

  private andExpr(): QExpression {
    const terms = [this.term()];
    while (this.eat(';')) terms.push(this.term());
    return terms.length === 1 ? terms[0]! : { kind: 'and', terms };
  }

  private term(): QExpression {
    if (this.eat('(')) {
      if (++this.depth > MAX_DEPTH) this.fail('too deeply nested');
      const inner = this.orExpr();
      if (!this.eat(')')) this.fail('expected ")"');
      this.depth--;
      return inner;
    }
    this.space();
    const path = this.path();
    this.space();
    const op = OPERATORS.find((o) => this.text.startsWith(o, this.pos));
    if (!op) return { kind: 'exists', path };
    this.pos += op.length;
    this.space();
    if (op === '~=' || op === '!~=')
      return { kind: 'pattern', path, negated: op === '!~=', ...this.pattern() };
    return { kind: 'compare', path, op, operand: this.operand(op) };
  }

  private name(what: string): string {
    const m = NAME.exec(this.text.slice(this.pos));
    if (!m) this.fail(`expected ${what}`);
    this.pos += m[0].length;
    return m[0];
  }

  private path(): QPath {
    const names: string[] = [];
    if (IRI_START.test(this.text.slice(this.pos))) {
      // In a full IRI the dots of the host are not sub-attribute separators: only those after its last '/' or '#'.
      const start = this.pos;
      const iri = IRI_BODY.exec(this.text.slice(this.pos))![0];
      this.pos += iri.length;
      const cut = Math.max(iri.lastIndexOf('/'), iri.lastIndexOf('#')) + 1;
      const parts = iri.slice(cut).split('.');
      names.push(iri.slice(0, cut) + parts[0]!, ...parts.slice(1));
      if (names.some((n) => n.length === 0)) this.fail('empty name in attribute path', start);
    } else {
      names.push(this.name('an attribute name'));
      while (this.peek() === '.') {
        this.pos++;
        names.push(this.name('a sub-attribute name after "."'));
      }
    }
    const path: QPath = { attr: names[0]!, compound: [] };
    if (names.length > 1) path.subAttrs = names.slice(1);
    while (this.peek() === '[') {
      const end = this.text.indexOf(']', this.pos);
      if (end < 0) this.fail('expected "]"');
      const keys = this.text.slice(this.pos + 1, end).split('.');
      if (keys.some((k) => k.length === 0 || k.includes('[')))
        this.fail('empty or invalid key in [...]');
      path.compound.push(...keys);
      this.pos = end + 1;
    }
    return path;
  }

  private pattern(): { pattern: string; flags: string } {
    const start = this.pos;
    let source: string;
    if (this.peek() === '"') source = this.quoted(true);
    else {
      const m = /^[^;|()\s]+/.exec(this.text.slice(this.pos));
      if (!m) this.fail('expected a regular expression');
      source = m[0];
      this.pos += source.length;
    }
    return checkPattern(source, (why) => this.fail(why, start));
  }

  private operand(op: string): QOperand {
    const first = this.value();
    if (this.text.startsWith('..', this.pos)) {
      if (op !== '==' && op !== '!=') this.fail('a range needs == or !=');
      this.pos += 2;
      return { kind: 'range', min: first, max: this.value() };
    }
    if (this.peek() !== ',') return { kind: 'value', value: first };
    if (op !== '==' && op !== '!=') this.fail('a list needs == or !=');
    const values = [first];
    while (this.peek() === ',') {
      this.pos++;
      values.push(this.value());
    }
    return { kind: 'list', values };
  }

  /** A quoted string; `raw` keeps backslashes (for regular expressions) except before a quote. */
  private quoted(raw: boolean): string {
    const start = this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined) this.fail('unterminated string', start);
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const next = this.text[this.pos++];
      if (next === undefined) this.fail('unterminated string', start);
      if (raw) out += next === '"' ? '"' : `\\${next}`;
      else if (next === 'u' && /^[0-9A-Fa-f]{4}/.test(this.text.slice(this.pos))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.pos, this.pos + 4), 16));
        this.pos += 4;
      } else
        out +=
          ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[next] ?? next;
    }
  }

  private value(): QLiteral {
    if (this.peek() === '"') return { type: 'string', value: this.quoted(false) };
    const start = this.pos;
    const m = /^[^;|()",\s]+?(?=\.\.|[;|(),\s]|$)/.exec(this.text.slice(this.pos));
    if (!m) this.fail('expected a value');
    this.pos += m[0].length;
    const raw = m[0];
    if (raw === 'true' || raw === 'false') return { type: 'boolean', value: raw === 'true' };
    if (NUMBER.test(raw)) return { type: 'number', value: Number(raw) };
    const temporal = DATE_TIME.test(raw)
      ? 'dateTime'
      : DATE.test(raw)
        ? 'date'
        : TIME.test(raw)
          ? 'time'
          : undefined;
    if (temporal) {
      const probe =
        temporal === 'dateTime'
          ? raw
          : temporal === 'date'
            ? `${raw}T00:00:00Z`
            : `1970-01-01T${raw}`;
      if (Number.isNaN(instant(probe))) this.fail(`invalid ${temporal} ${raw}`, start);
      return { type: temporal, value: raw };
    }
    return { type: URI.test(raw) ? 'uri' : 'string', value: raw };
  }
}

/**
 * Checks a `~=` pattern and turns a leading `(?i)` into the `i` flag. The broker runs patterns on
 * every candidate entity, so it refuses those that are invalid or too long and, as a
 * conservative guard against catastrophic backtracking, repeated groups holding a quantifier
 * (`?` included) or an alternation, back-references, and more than three unbounded repetitions.
 */
function checkPattern(
  text: string,
  fail: (why: string) => never,
): { pattern: string; flags: string } {
  let source = text;
  let flags = '';
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    flags = 'i';
  }
  if (source.length > MAX_PATTERN) fail(`a pattern is limited to ${MAX_PATTERN} characters`);
  if (/\\[1-9]|\\k</.test(source)) fail('back-references are not allowed in a pattern');
  // Per open group: does it hold a quantifier, an alternation?
  const groups: { quantified: boolean; alternation: boolean }[] = [];
  let unbounded = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    const bounded = c === '{' && /^\{\d+(,\d+)?\}/.test(source.slice(i));
    const optional = c === '?' && source[i - 1] !== '(';
    const quantifier =
      c === '*' ||
      c === '+' ||
      optional ||
      bounded ||
      (c === '{' && /^\{\d+,\}/.test(source.slice(i)));
    const top = groups.at(-1);
    if (quantifier && !bounded && !optional && ++unbounded > 3)
      fail('a pattern may repeat without bound (*, +, {n,}) at most 3 times');
    if (c === '\\') i++;
    else if (c === '[') {
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
    } else if (c === '(') groups.push({ quantified: false, alternation: false });
    else if (c === '|' && top) top.alternation = true;
    else if (c === ')') {
      const inner = groups.pop();
      const next = source[i + 1];
      if (inner && (next === '*' || next === '+' || next === '{')) {
        // (aa?)* and (a|aa)* backtrack exponentially, like (a+)+.
        if (inner.quantified) fail('nested quantifiers such as (a+)+ are not allowed in a pattern');
        if (inner.alternation)
          fail('a repeated group may not hold an alternation such as (a|ab)*; use a class [ab]');
      }
      const parent = groups.at(-1);
      if (parent && inner?.quantified) parent.quantified = true;
      if (parent && inner?.alternation) parent.alternation = true;
    } else if (quantifier && top) top.quantified = true;
  }
  try {
    new RegExp(source, flags);
  } catch (err) {
    fail(`invalid regular expression: ${(err as Error).message}`);
  }
  return { pattern: source, flags };
}

/** Parses a q expression; throws BadRequestData (HTTP 400) naming where it fails. */
export function parseQ(text: string): QExpression {
  if (text.length === 0) throw new CityError('BadRequestData', 'q must not be empty');
  if (text.length > MAX_LENGTH)
    throw new CityError('BadRequestData', `q is longer than ${MAX_LENGTH} characters`);
  return new Parser(text).parse();
}

/** Renames attribute and sub-attribute names (not compound keys, not meta members) of a q expression. */
export function renameQ(expr: QExpression, rename: (attr: string) => string): QExpression {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return { kind: expr.kind, terms: expr.terms.map((t) => renameQ(t, rename)) };
    case 'exists':
    case 'compare':
    case 'pattern': {
      const { attr, subAttrs, compound } = expr.path;
      const path: QPath = { attr: rename(attr), compound: [...compound] };
      if (subAttrs)
        path.subAttrs = subAttrs.map((s, i) =>
          i === subAttrs.length - 1 && Q_META_MEMBERS.has(s) ? s : rename(s),
        );
      return { ...expr, path };
    }
  }
}

/** The distinct top-level attribute names a q expression refers to, in order of appearance. */
export function qAttributes(expr: QExpression): string[] {
  const out = new Set<string>();
  const visit = (e: QExpression): void => {
    if (e.kind === 'and' || e.kind === 'or') e.terms.forEach(visit);
    else out.add(e.path.attr);
  };
  visit(expr);
  return [...out];
}

const has = (o: unknown, k: string): o is Record<string, unknown> =>
  typeof o === 'object' && o !== null && Object.hasOwn(o, k);

/** What an attribute instance holds, by attribute type (clause 4.5). */
function mainValue(attr: Record<string, unknown>): unknown {
  switch (attr.type) {
    case 'Relationship':
      return attr.object;
    case 'ListRelationship':
      return Array.isArray(attr.objectList)
        ? attr.objectList.map((o: unknown) => (has(o, 'object') ? o.object : o))
        : undefined;
    case 'LanguageProperty':
      return attr.languageMap;
    case 'VocabProperty':
      return attr.vocab;
    case 'JsonProperty':
      return attr.json;
    case 'ListProperty':
      return attr.valueList;
    default:
      return Object.hasOwn(attr, 'value') ? attr.value : attr.object;
  }
}

/** Follows compound keys; a list on the way is searched element by element. */
function descend(values: unknown[], key: string): unknown[] {
  return values.flatMap((v) =>
    Array.isArray(v)
      ? v.flatMap((x) => (has(x, key) ? [x[key]] : []))
      : has(v, key)
        ? [v[key]]
        : [],
  );
}

/** A JSON-LD value object ({"@type": "DateTime", "@value": …}) compares as its @value. */
const unwrap = (v: unknown): unknown => (has(v, '@value') ? v['@value'] : v);

/**
 * The values a path reaches, one list per attribute instance (an entity matches when any
 * instance does); list values and the languages of a LanguageProperty are spread out.
 */
function targets(entity: Entity, path: QPath): unknown[][] {
  if (RESERVED_MEMBERS.has(path.attr) || !Object.hasOwn(entity, path.attr)) return [];
  const member = entity[path.attr];
  const out: unknown[][] = [];
  for (const instance of Array.isArray(member) ? member : [member]) {
    let nodes: unknown[] = [instance];
    let meta = false;
    for (const [i, name] of (path.subAttrs ?? []).entries()) {
      const last = i === path.subAttrs!.length - 1;
      meta = last && Q_META_MEMBERS.has(name);
      nodes = nodes
        .flatMap((n) => (has(n, name) ? [n[name]] : []))
        .flatMap((n): unknown[] => (Array.isArray(n) && !meta ? (n as unknown[]) : [n]))
        .filter((n) => (meta ? typeof n === 'string' : typeof n === 'object' && n !== null));
    }
    let values = meta
      ? nodes
      : nodes.flatMap((n) => {
          if (typeof n !== 'object' || n === null || Array.isArray(n)) return [];
          const attr = n as Record<string, unknown>;
          const v = mainValue(attr);
          if (attr.type !== 'LanguageProperty' || typeof v !== 'object' || v === null) return [v];
          // A LanguageProperty without [lang] matches in any language.
          return path.compound.length > 0 ? [v] : (Object.values(v) as unknown[]).flat();
        });
    if (meta && path.compound.length > 0) values = [];
    for (const key of meta ? [] : path.compound) values = descend(values, key);
    values = values
      .flatMap((v): unknown[] => (Array.isArray(v) ? (v as unknown[]) : [v]))
      .map(unwrap);
    values = values.filter((v) => v !== undefined && v !== null);
    if (values.length > 0) out.push(values);
  }
  return out;
}

/** Orders a target value against a literal; undefined when they are of different kinds. */
function compare(a: unknown, operand: QLiteral): number | undefined {
  // Tolerates hand-built operands holding plain values.
  const lit = qLiteral(operand);
  switch (lit.type) {
    case 'number':
      return typeof a === 'number' ? a - lit.value : undefined;
    case 'boolean':
      return a === lit.value ? 0 : undefined;
    case 'string':
    case 'uri':
      return typeof a === 'string' ? (a < lit.value ? -1 : a > lit.value ? 1 : 0) : undefined;
    case 'dateTime': {
      if (typeof a !== 'string' || !DATE_TIME.test(a)) return undefined;
      const d = instant(a) - instant(lit.value);
      return Number.isNaN(d) ? undefined : d;
    }
    case 'date':
    case 'time':
      if (typeof a !== 'string' || !(lit.type === 'date' ? DATE : TIME).test(a)) return undefined;
      return a < lit.value ? -1 : a > lit.value ? 1 : 0;
  }
}

function equalsOperand(v: unknown, operand: QOperand): boolean {
  switch (operand.kind) {
    case 'value':
      return compare(v, operand.value) === 0;
    case 'list':
      return operand.values.some((o) => compare(v, o) === 0);
    case 'range': {
      const lo = compare(v, operand.min);
      const hi = compare(v, operand.max);
      return lo !== undefined && hi !== undefined && lo >= 0 && hi <= 0;
    }
  }
}

const patterns = new Map<string, RegExp>();

function regex(pattern: string, flags: string): RegExp {
  const key = `${flags}/${pattern}`;
  let re = patterns.get(key);
  if (!re) {
    re = new RegExp(pattern, flags);
    if (patterns.size > 256) patterns.clear();
    patterns.set(key, re);
  }
  return re;
}

/**
 * Evaluates a q expression against an entity in normalized form. `!=` and `!~=` hold for an
 * instance none of whose values is equal / matches; a missing attribute matches no comparison.
 */
export function matchesQ(entity: Entity, expr: QExpression): boolean {
  switch (expr.kind) {
    case 'and':
      return expr.terms.every((t) => matchesQ(entity, t));
    case 'or':
      return expr.terms.some((t) => matchesQ(entity, t));
    case 'exists':
      return targets(entity, expr.path).length > 0;
    case 'pattern': {
      const re = regex(expr.pattern, expr.flags);
      const test = (v: unknown): boolean => typeof v === 'string' && re.test(v);
      return targets(entity, expr.path).some((vs) =>
        expr.negated ? !vs.some(test) : vs.some(test),
      );
    }
    case 'compare': {
      const { op, operand } = expr;
      return targets(entity, expr.path).some((vs) => {
        if (op === '==') return vs.some((v) => equalsOperand(v, operand));
        if (op === '!=') return !vs.some((v) => equalsOperand(v, operand));
        if (operand.kind !== 'value') return false;
        return vs.some((v) => {
          const c = compare(v, operand.value);
          if (c === undefined) return false;
          return op === '>' ? c > 0 : op === '>=' ? c >= 0 : op === '<' ? c < 0 : c <= 0;
        });
      });
    }
  }
}
