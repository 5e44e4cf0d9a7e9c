import { CityError } from './errors.js';

/** A type expression (clause 4.17): names joined by `,`/`|` (or), `;` (and), with parentheses. */
export type TypeExpression =
  | { kind: 'type'; name: string }
  | { kind: 'and'; terms: TypeExpression[] }
  | { kind: 'or'; terms: TypeExpression[] };

const MAX_LENGTH = 4096;
const MAX_DEPTH = 32;
/** A term, compact IRI (`ex:Building`) or full IRI: anything but spaces and the operators. */
const NAME = /^[^\s,;|()]+/;

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  parse(): TypeExpression {
    const expr = this.orExpr();
    if (this.pos < this.text.length) this.fail(`unexpected ${JSON.stringify(this.peek())}`);
    return expr;
  }

  private fail(what: string): never {
    throw new CityError('BadRequestData', `invalid type at position ${this.pos}: ${what}`, {
      details: { type: this.text, position: this.pos },
    });
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private orExpr(): TypeExpression {
    const terms = [this.andExpr()];
    while (this.peek() === ',' || this.peek() === '|') {
      this.pos++;
      terms.push(this.andExpr());
    }
    return terms.length === 1 ? terms[0]! : { kind: 'or', terms };
  }

  private andExpr(): TypeExpression {
    const terms = [this.term()];
    while (this.peek() === ';') {
      this.pos++;
      terms.push(this.term());
    }
    return terms.length === 1 ? terms[0]! : { kind: 'and', terms };
  }

  private term(): TypeExpression {
    if (this.peek() === '(') {
      if (++this.depth > MAX_DEPTH) this.fail('too deeply nested');
      this.pos++;
      const inner = this.orExpr();
      if (this.peek() !== ')') this.fail('expected ")"');
      this.pos++;
      this.depth--;
      return inner;
    }
    const m = NAME.exec(this.text.slice(this.pos));
    if (!m) this.fail('expected a type name');
    this.pos += m[0].length;
    return { kind: 'type', name: m[0] };
  }
}

/** Parses the `type` parameter (`A`, `A,B`, `A|B`, `(A;B)|C`); throws BadRequestData naming where it fails. */
export function parseTypeExpression(text: string): TypeExpression {
  if (text.length === 0) throw new CityError('BadRequestData', 'type must not be empty');
  if (text.length > MAX_LENGTH)
    throw new CityError('BadRequestData', `type is longer than ${MAX_LENGTH} characters`);
  return new Parser(text).parse();
}

/** True when an entity with these types satisfies the expression. */
export function matchesTypes(types: readonly string[], expr: TypeExpression): boolean {
  switch (expr.kind) {
    case 'type':
      return types.includes(expr.name);
    case 'and':
      return expr.terms.every((t) => matchesTypes(types, t));
    case 'or':
      return expr.terms.some((t) => matchesTypes(types, t));
  }
}

/** The expression with every type name passed through `rename` (client term → canonical name). */
export function renameTypes(
  expr: TypeExpression,
  rename: (name: string) => string,
): TypeExpression {
  return expr.kind === 'type'
    ? { kind: 'type', name: rename(expr.name) }
    : { kind: expr.kind, terms: expr.terms.map((t) => renameTypes(t, rename)) };
}

/** The distinct type names an expression mentions, in order of appearance. */
export function typeNames(expr: TypeExpression): string[] {
  const out = new Set<string>();
  const visit = (e: TypeExpression): void => {
    if (e.kind === 'type') out.add(e.name);
    else e.terms.forEach(visit);
  };
  visit(expr);
  return [...out];
}

/** Renders an expression back to the `type` parameter syntax (names as they are in it). */
export function formatTypeExpression(expr: TypeExpression): string {
  if (expr.kind === 'type') return expr.name;
  const sep = expr.kind === 'and' ? ';' : '|';
  return expr.terms
    .map((t) => (t.kind === 'type' ? t.name : `(${formatTypeExpression(t)})`))
    .join(sep);
}
