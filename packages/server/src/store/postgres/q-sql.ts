import {
  Q_META_MEMBERS,
  qLiteral,
  RESERVED_MEMBERS,
  type QExpression,
  type QLiteral,
  type QOperand,
  type QOperator,
  type QPath,
} from '../../core/index.js';
import { toPgRegex } from './pg-regex.js';
import type { SqlParams } from './sql-params.js';
import { qInstantOf, DATE_RE, TIME_RE } from './q-literals.js';

type Test = (u: string) => string;

/** A value set: the FROM and WHERE of a subquery whose column expression `u` is one value. */
interface ValueSet {
  from: string[];
  where: string[];
  u: string;
}

const ORDER: Record<string, string> = { '>': '>', '>=': '>=', '<': '<', '<=': '<=' };

/** Translates q expressions for one statement (aliases stay unique across its subqueries). */
class QTranslator {
  private alias = 0;
  constructor(private readonly p: SqlParams) {}

  private next(prefix: string): string {
    return `${prefix}${++this.alias}`;
  }

  expression(expr: QExpression, doc: string): string {
    if (expr.kind === 'and' || expr.kind === 'or')
      return `(${expr.terms.map((t) => this.expression(t, doc)).join(expr.kind === 'and' ? ' AND ' : ' OR ')})`;
    if (RESERVED_MEMBERS.has(expr.path.attr)) return 'false';
    const member = `(${doc} -> ${this.p.add(expr.path.attr, 'text')})`;
    const n = this.next('n');
    const inst = (node: string): string => this.instance(expr, node);
    return `(CASE jsonb_typeof(${member}) WHEN 'object' THEN ${inst(member)}
      WHEN 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements(${member}) ${n}
        WHERE jsonb_typeof(${n}) = 'object' AND ${inst(n)}) ELSE false END)`;
  }

  /** Whether one attribute instance (an object) satisfies the term: never NULL. */
  private instance(expr: Exclude<QExpression, { kind: 'and' | 'or' }>, node: string): string {
    const test = this.valueTest(expr);
    if (test === undefined) return 'false';
    const universal =
      (expr.kind === 'compare' && expr.op === '!=') || (expr.kind === 'pattern' && expr.negated);
    const general = (): string => {
      const set = this.values(node, expr.path);
      const sub = (extra?: string): string =>
        `EXISTS (SELECT 1 FROM ${set.from.join(', ')} WHERE ${[...set.where, ...(extra ? [`(${extra})`] : [])].join(' AND ') || 'true'})`;
      if (expr.kind === 'exists') return sub();
      return universal ? `(${sub()} AND NOT ${sub(test(set.u))})` : sub(test(set.u));
    };
    if ((expr.path.subAttrs?.length ?? 0) > 0 || expr.path.compound.length > 0) return general();
    // The common case: one instance whose main value is a scalar, decided without a subquery.
    const mv = `(CASE ${node} ->> 'type' WHEN 'Relationship' THEN ${node} -> 'object'
      WHEN 'VocabProperty' THEN ${node} -> 'vocab' WHEN 'JsonProperty' THEN ${node} -> 'json'
      WHEN 'ListProperty' THEN ${node} -> 'valueList'
      ELSE coalesce(${node} -> 'value', ${node} -> 'object') END)`;
    const present = `coalesce(jsonb_typeof(${mv}) <> 'null', false)`;
    const scalar =
      expr.kind === 'exists'
        ? present
        : universal
          ? `(${present} AND NOT coalesce(${test(mv)}, false))`
          : `coalesce(${test(mv)}, false)`;
    return `(CASE WHEN ${node} ->> 'type' IN ('LanguageProperty', 'ListRelationship')
      OR jsonb_typeof(${mv}) IN ('array', 'object') THEN ${general()} ELSE ${scalar} END)`;
  }

  /**
   * The values a path reaches from one instance, as core `targets` computes them: sub-attribute
   * steps (lists spread), then a meta member or the main value (a LanguageProperty's languages
   * spread), compound keys, lists spread once more, JSON-LD value objects unwrapped, nulls dropped.
   */
  private values(node: string, path: QPath): ValueSet {
    const from: string[] = [];
    const where: string[] = [];
    let cur = node;
    const subs = path.subAttrs ?? [];
    for (const [i, name] of subs.entries()) {
      const key = this.p.add(name, 'text');
      if (i === subs.length - 1 && Q_META_MEMBERS.has(name)) {
        const m = this.next('m');
        from.push(`LATERAL (SELECT ${cur} -> ${key} AS u) ${m}`);
        where.push(`jsonb_typeof(${m}.u) = 'string'`);
        if (path.compound.length > 0) where.push('false');
        return { from, where, u: `${m}.u` };
      }
      const x = this.next('x');
      from.push(`cb_spread(${cur} -> ${key}) ${x}`);
      where.push(`jsonb_typeof(${x}) = 'object'`);
      cur = x;
    }
    const mv = this.next('mv');
    from.push(`LATERAL (SELECT cb_main(${cur}) AS m, ${cur} ->> 'type' AS t) ${mv}`);
    let v = `${mv}.m`;
    if (path.compound.length === 0) {
      const l = this.next('l');
      const lang = `coalesce(${mv}.t = 'LanguageProperty' AND jsonb_typeof(${mv}.m) IN ('object', 'array'), false)`;
      from.push(
        `LATERAL (SELECT y FROM cb_lang_values(${mv}.m) y WHERE ${lang} UNION ALL SELECT ${mv}.m WHERE NOT ${lang}) ${l}(v)`,
      );
      v = `${l}.v`;
    }
    for (const key of path.compound) {
      const d = this.next('d');
      const c = this.next('c');
      from.push(`cb_spread(${v}) ${d}`, `cb_member(${d}, ${this.p.add(key, 'text')}) ${c}`);
      v = c;
    }
    const f = this.next('f');
    const w = this.next('w');
    from.push(
      `cb_spread(${v}) ${f}`,
      `LATERAL (SELECT CASE WHEN jsonb_typeof(${f}) = 'object' AND ${f} ? '@value' THEN ${f} -> '@value' ELSE ${f} END AS u) ${w}`,
    );
    where.push(`jsonb_typeof(${w}.u) <> 'null'`);
    return { from, where, u: `${w}.u` };
  }

  /** The per-value test of a term (true, false or NULL for "not comparable"), if any. */
  private valueTest(expr: Exclude<QExpression, { kind: 'and' | 'or' }>): Test | undefined {
    switch (expr.kind) {
      case 'exists':
        return () => 'true';
      case 'pattern': {
        const re = this.p.add(toPgRegex(expr.pattern, expr.flags), 'text');
        return (u) =>
          `CASE WHEN jsonb_typeof(${u}) = 'string' THEN cb_units(${u} #>> '{}') ~ ${re} END`;
      }
      case 'compare':
        return this.compare(expr.op, expr.operand);
    }
  }

  private compare(op: QOperator, operand: QOperand): Test | undefined {
    if (op === '==' || op === '!=') return (u) => this.equalsOperand(u, operand);
    if (operand.kind !== 'value') return undefined;
    return (u) => this.order(u, qLiteral(operand.value), op);
  }

  private equalsOperand(u: string, operand: QOperand): string {
    switch (operand.kind) {
      case 'value':
        return this.order(u, qLiteral(operand.value), '==');
      case 'list':
        return `(${operand.values.map((l) => this.order(u, qLiteral(l), '==')).join(' OR ')})`;
      case 'range':
        return `(${this.order(u, qLiteral(operand.min), '>=')} AND ${this.order(u, qLiteral(operand.max), '<=')})`;
    }
  }

  /** `u OP literal` as core `compare` decides it; NULL where the kinds differ. */
  private order(u: string, lit: QLiteral, op: QOperator | '=='): string {
    const sqlOp = op === '==' ? '=' : ORDER[op]!;
    const text = `(${u} #>> '{}')`;
    const isString = `jsonb_typeof(${u}) = 'string'`;
    switch (lit.type) {
      case 'number': {
        if (Number.isNaN(lit.value)) return 'NULL';
        if (op === '==')
          return Number.isFinite(lit.value)
            ? `(${u} = ${this.p.add(JSON.stringify(lit.value), 'jsonb')})`
            : 'false';
        const n = this.p.add(
          Number.isFinite(lit.value) ? String(lit.value) : lit.value > 0 ? 'Infinity' : '-Infinity',
          'numeric',
        );
        return `CASE WHEN jsonb_typeof(${u}) = 'number' THEN (${u})::numeric ${sqlOp} ${n} END`;
      }
      case 'boolean':
        // Booleans are only equal or not comparable: >= and <= hold on equality alone.
        return op === '>' || op === '<'
          ? 'NULL'
          : `(${u} = ${this.p.add(String(lit.value), 'jsonb')})`;
      case 'string':
      case 'uri':
        if (op === '==') return `(${u} = to_jsonb(${this.p.add(lit.value, 'text')}))`;
        return `CASE WHEN ${isString} THEN ${this.textOrder(text, lit.value, sqlOp)} END`;
      case 'dateTime': {
        const t = qInstantOf(lit.value);
        if (Number.isNaN(t)) return 'NULL';
        return `CASE WHEN ${isString} THEN cb_instant(${text}) ${sqlOp} ${this.p.add(t, 'float8')} END`;
      }
      case 'date':
      case 'time': {
        const re = this.p.add(lit.type === 'date' ? DATE_RE : TIME_RE, 'text');
        return `CASE WHEN ${isString} AND ${text} ~ ${re} THEN ${this.textOrder(text, lit.value, sqlOp)} END`;
      }
    }
  }

  /**
   * Orders strings by UTF-16 code unit as JavaScript does. Byte order ("C") agrees whenever the
   * literal has no character from U+E000 up, which is nearly always; otherwise a key function.
   */
  private textOrder(text: string, literal: string, sqlOp: string): string {
    const lit = this.p.add(literal, 'text');
    if (sqlOp === '=') return `${text} = ${lit}`;
    // eslint-disable-next-line no-control-regex
    if (/^[\u0000-\ud7ff]*$/.test(literal))
      return `${text} COLLATE "C" ${sqlOp} ${lit} COLLATE "C"`;
    return `cb_utf16_key(${text}) ${sqlOp} cb_utf16_key(${lit})`;
  }
}

/**
 * Translates a q expression (clause 4.9) into a SQL boolean over the JSONB document `doc`, true
 * exactly where core `matchesQ` is true: PostgreSQL evaluates the whole query, no row is
 * re-checked in Node. Uses the SQL functions of core-schema.ts.
 */
export function qToSql(expr: QExpression, doc: string, params: SqlParams): string {
  return new QTranslator(params).expression(expr, doc);
}

/** A jsonpath literal of a q literal whose equality jsonpath decides as core does, if any. */
function pathLiteral(lit: QLiteral): string | undefined {
  switch (lit.type) {
    case 'number':
      return Number.isFinite(lit.value) ? JSON.stringify(lit.value) : undefined;
    case 'boolean':
      return String(lit.value);
    case 'string':
    case 'uri':
    case 'date':
    case 'time':
      return JSON.stringify(lit.value);
    case 'dateTime':
      return undefined; // equal instants may be written differently
  }
}

/**
 * An index-served necessary condition of q, if it has one: every value a path reaches lies
 * within the attribute's member, so `attr == L` implies that some value under `doc.attr` equals
 * L, which the GIN index on the document answers (`@?` with `.**`). Only top-level conjuncts
 * of equality with numbers, strings and booleans qualify; the exact test still follows.
 */
export function qPrefilter(expr: QExpression, doc: string, p: SqlParams): string | undefined {
  const terms = expr.kind === 'and' ? expr.terms : [expr];
  const conds = terms.flatMap((t) => {
    if (t.kind !== 'compare' || t.op !== '==' || t.operand.kind === 'range') return [];
    if (RESERVED_MEMBERS.has(t.path.attr) || t.path.compound.includes('length')) return [];
    const lits = (t.operand.kind === 'value' ? [t.operand.value] : t.operand.values).map((l) =>
      pathLiteral(qLiteral(l)),
    );
    if (lits.some((l) => l === undefined)) return [];
    const path = `$.${JSON.stringify(t.path.attr)}.** ? (${lits.map((l) => `@ == ${l}`).join(' || ')})`;
    return [`${doc} @? ${p.add(path, 'jsonpath')}`];
  });
  return conds.length ? conds.join(' AND ') : undefined;
}
