import { RESERVED_MEMBERS, type Entity } from './entity.js';
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
} from './q-ast.js';
import { qLiteral } from './q-parse.js';

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
      if (typeof a !== 'string' || !Q_DATE_TIME.test(a)) return undefined;
      const d = qInstant(a) - qInstant(lit.value);
      return Number.isNaN(d) ? undefined : d;
    }
    case 'date':
    case 'time':
      if (typeof a !== 'string' || !(lit.type === 'date' ? Q_DATE : Q_TIME).test(a))
        return undefined;
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
