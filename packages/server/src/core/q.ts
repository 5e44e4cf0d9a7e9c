import { CityError } from './errors.js';
import type { Attribute, Entity } from './entity.js';

/** A literal in a q comparison. */
export type QValue = number | string | boolean;

/** The operand of a comparison: a single value, a list (a,b,c) or a range (a..b). */
export type QOperand =
  | { kind: 'value'; value: QValue }
  | { kind: 'list'; values: QValue[] }
  | { kind: 'range'; min: QValue; max: QValue };

/** Comparison operators of the NGSI-LD query language supported so far. */
export type QOperator = '==' | '!=' | '>' | '>=' | '<' | '<=';

/** A path into an entity: attribute name, optional sub-attribute (`a.b`), optional compound keys (`a[x.y]`). */
export interface QPath {
  attr: string;
  subAttr?: string;
  compound: string[];
}

/** A parsed q expression (NGSI-LD GS CIM 009 clause 4.9). */
export type QExpression =
  | { kind: 'and'; terms: QExpression[] }
  | { kind: 'or'; terms: QExpression[] }
  | { kind: 'exists'; path: QPath }
  | { kind: 'compare'; path: QPath; op: QOperator; operand: QOperand };

const MAX_LENGTH = 4096;
const MAX_DEPTH = 32;

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  parse(): QExpression {
    const expr = this.orExpr();
    if (this.pos < this.text.length) this.fail(`unexpected ${JSON.stringify(this.text[this.pos])}`);
    return expr;
  }

  private fail(what: string): never {
    throw new CityError('BadRequestData', `invalid q at position ${this.pos}: ${what}`, {
      details: { q: this.text, position: this.pos },
    });
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private orExpr(): QExpression {
    const terms = [this.andExpr()];
    while (this.peek() === '|') {
      this.pos++;
      terms.push(this.andExpr());
    }
    return terms.length === 1 ? terms[0]! : { kind: 'or', terms };
  }

  private andExpr(): QExpression {
    const terms = [this.term()];
    while (this.peek() === ';') {
      this.pos++;
      terms.push(this.term());
    }
    return terms.length === 1 ? terms[0]! : { kind: 'and', terms };
  }

  private term(): QExpression {
    if (this.peek() === '(') {
      if (++this.depth > MAX_DEPTH) this.fail('too deeply nested');
      this.pos++;
      const inner = this.orExpr();
      if (this.peek() !== ')') this.fail('expected ")"');
      this.pos++;
      this.depth--;
      return inner;
    }
    const path = this.path();
    const op = this.operator();
    if (!op) return { kind: 'exists', path };
    return { kind: 'compare', path, op, operand: this.operand(op) };
  }

  private path(): QPath {
    const m = /^[A-Za-z_@][A-Za-z0-9_:@-]*/.exec(this.text.slice(this.pos));
    if (!m) this.fail('expected an attribute name');
    this.pos += m[0].length;
    const path: QPath = { attr: m[0], compound: [] };
    if (this.peek() === '.') {
      this.pos++;
      const sub = /^[A-Za-z_@][A-Za-z0-9_:@-]*/.exec(this.text.slice(this.pos));
      if (!sub) this.fail('expected a sub-attribute name after "."');
      this.pos += sub[0].length;
      path.subAttr = sub[0];
    }
    if (this.peek() === '[') {
      const end = this.text.indexOf(']', this.pos);
      if (end < 0) this.fail('expected "]"');
      path.compound = this.text.slice(this.pos + 1, end).split('.');
      if (path.compound.some((k) => k.length === 0)) this.fail('empty key in [...]');
      this.pos = end + 1;
    }
    return path;
  }

  private operator(): QOperator | undefined {
    for (const op of ['==', '!=', '>=', '<=', '>', '<'] as const) {
      if (this.text.startsWith(op, this.pos)) {
        this.pos += op.length;
        return op;
      }
    }
    return undefined;
  }

  private operand(op: QOperator): QOperand {
    const first = this.value();
    if (this.text.startsWith('..', this.pos)) {
      if (op !== '==' && op !== '!=') this.fail('a range needs == or !=');
      this.pos += 2;
      return { kind: 'range', min: first, max: this.value() };
    }
    if (this.peek() === ',') {
      if (op !== '==' && op !== '!=') this.fail('a list needs == or !=');
      const values = [first];
      while (this.peek() === ',') {
        this.pos++;
        values.push(this.value());
      }
      return { kind: 'list', values };
    }
    return { kind: 'value', value: first };
  }

  private value(): QValue {
    if (this.peek() === '"') {
      let out = '';
      this.pos++;
      for (;;) {
        const c = this.text[this.pos++];
        if (c === undefined) this.fail('unterminated string');
        if (c === '"') return out;
        if (c === '\\') {
          const next = this.text[this.pos++];
          if (next === undefined) this.fail('unterminated string');
          out += next;
        } else out += c;
      }
    }
    const m = /^[^;|()",\s]+?(?=\.\.|[;|(),]|$)/.exec(this.text.slice(this.pos));
    if (!m) this.fail('expected a value');
    this.pos += m[0].length;
    const raw = m[0];
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(raw)) return Number(raw);
    return raw; // unquoted date-times and URIs compare as strings
  }
}

/** Parses a q expression; throws BadRequestData (HTTP 400) naming where it fails. */
export function parseQ(text: string): QExpression {
  if (text.length === 0) throw new CityError('BadRequestData', 'q must not be empty');
  if (text.length > MAX_LENGTH)
    throw new CityError('BadRequestData', `q is longer than ${MAX_LENGTH} characters`);
  return new Parser(text).parse();
}

function resolve(entity: Entity, path: QPath): unknown {
  const attr = entity[path.attr] as Attribute | undefined;
  if (attr === undefined || typeof attr !== 'object' || attr === null) return undefined;
  let value: unknown;
  if (path.subAttr !== undefined) {
    const sub = (attr as Record<string, unknown>)[path.subAttr];
    value =
      typeof sub === 'object' && sub !== null && 'value' in sub
        ? sub.value
        : typeof sub === 'object' && sub !== null && 'object' in sub
          ? sub.object
          : sub;
  } else value = attr.type === 'Relationship' ? attr.object : attr.value;
  for (const key of path.compound) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function compare(a: unknown, b: QValue): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : undefined;
  return undefined;
}

function equalsOperand(v: unknown, operand: QOperand): boolean {
  const values = Array.isArray(v) ? v : [v];
  return values.some((x) => {
    switch (operand.kind) {
      case 'value':
        return compare(x, operand.value) === 0;
      case 'list':
        return operand.values.some((o) => compare(x, o) === 0);
      case 'range': {
        const lo = compare(x, operand.min);
        const hi = compare(x, operand.max);
        return lo !== undefined && hi !== undefined && lo >= 0 && hi <= 0;
      }
    }
  });
}

/** Evaluates a q expression against an entity in normalized form. */
export function matchesQ(entity: Entity, expr: QExpression): boolean {
  switch (expr.kind) {
    case 'and':
      return expr.terms.every((t) => matchesQ(entity, t));
    case 'or':
      return expr.terms.some((t) => matchesQ(entity, t));
    case 'exists':
      return resolve(entity, expr.path) !== undefined;
    case 'compare': {
      const v = resolve(entity, expr.path);
      if (v === undefined) return false;
      if (expr.op === '==') return equalsOperand(v, expr.operand);
      if (expr.op === '!=') return !equalsOperand(v, expr.operand);
      if (expr.operand.kind !== 'value') return false;
      const c = compare(v, expr.operand.value);
      if (c === undefined) return false;
      return expr.op === '>' ? c > 0 : expr.op === '>=' ? c >= 0 : expr.op === '<' ? c < 0 : c <= 0;
    }
  }
}
