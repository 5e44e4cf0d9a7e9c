import { CityError } from './errors.js';
import {
  Q_DATE,
  Q_DATE_TIME,
  Q_META_MEMBERS,
  Q_TIME,
  qInstant,
  type QExpression,
  type QLiteral,
  type QOperand,
  type QPath,
  type QValue,
} from './q-ast.js';
import { checkPattern } from './q-pattern.js';

/** The literal for a plain value, for code that builds q expressions (a string is a quoted string). */
export function qLiteral(v: QLiteral | QValue): QLiteral {
  if (typeof v === 'object') return v;
  if (typeof v === 'number') return { type: 'number', value: v };
  if (typeof v === 'boolean') return { type: 'boolean', value: v };
  return { type: 'string', value: v };
}

const MAX_LENGTH = 4096;
const MAX_DEPTH = 32;
const NAME = /^[A-Za-z_@][A-Za-z0-9_:@-]*/;
const IRI_START = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const IRI_BODY = /^[^\s[\]=!<>~;|(),"]+/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;
const OPERATORS = ['==', '!~=', '!=', '~=', '>=', '<=', '>', '<'] as const;

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
    // Unquoted, clause 4.9 means a number, boolean, date, time or URI. A value that starts with
    // an operator character is a mistyped operator (a>>3, a<>5, a===1), never a value; '=', '!'
    // and '~' may appear inside a URI (RFC 3986), '<' and '>' nowhere unquoted; a leading '.' is a
    // broken range (a==..3, a==1...3).
    if (/^[<>=!~.]/.test(raw))
      this.fail(`a value may not start with ${JSON.stringify(raw[0])} unless quoted`, start);
    if (/[<>]/.test(raw) || (!URI.test(raw) && /[=!~]/.test(raw)))
      this.fail(`operator character in the unquoted value ${JSON.stringify(raw)}`, start);
    if (raw === 'true' || raw === 'false') return { type: 'boolean', value: raw === 'true' };
    if (NUMBER.test(raw)) return { type: 'number', value: Number(raw) };
    const temporal = Q_DATE_TIME.test(raw)
      ? 'dateTime'
      : Q_DATE.test(raw)
        ? 'date'
        : Q_TIME.test(raw)
          ? 'time'
          : undefined;
    if (temporal) {
      const probe =
        temporal === 'dateTime'
          ? raw
          : temporal === 'date'
            ? `${raw}T00:00:00Z`
            : `1970-01-01T${raw}`;
      if (Number.isNaN(qInstant(probe))) this.fail(`invalid ${temporal} ${raw}`, start);
      return { type: temporal, value: raw };
    }
    return { type: URI.test(raw) ? 'uri' : 'string', value: raw };
  }
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
