import type { QExpression, QLiteral, QOperand, QPath } from '../../core/index.js';

/** A SQL expression with its positional parameters. */
export interface SqlPart {
  sql: string;
  params: unknown[];
}

/** The SQL of "unknown": the row is a candidate and the core evaluator decides. */
export const UNKNOWN: SqlPart = { sql: 'NULL', params: [] };

/** The JSON path of a top-level member, quoted so full IRIs (`https://…#x`) stay one key. */
export function memberPath(name: string, ...rest: string[]): string | undefined {
  if ([name, ...rest].some((n) => n.includes('"') || n.includes('\\'))) return undefined;
  return ['$', ...[name, ...rest].map((n) => `"${n}"`)].join('.');
}

const ORDER_OPS: Record<string, string> = { '>': '>', '>=': '>=', '<': '<', '<=': '<=' };

/** The SQL type test and parameter of a literal SQL can compare exactly, if any. */
function literal(
  lit: QLiteral,
  ordering: boolean,
): { jsonTypes: string; value: unknown } | undefined {
  if (lit.type === 'number') return { jsonTypes: `('integer','real')`, value: lit.value };
  // Strings only for equality: ordering of strings is left to the core evaluator's rules.
  if ((lit.type === 'string' || lit.type === 'uri') && !ordering)
    return { jsonTypes: `('text')`, value: lit.value };
  return undefined;
}

/** `v OP operand` when every literal is of one SQL-comparable kind, else undefined. */
function comparison(
  doc: string,
  valuePath: string,
  op: string,
  operand: QOperand,
): SqlPart | undefined {
  const v = `(${doc} ->> ?)`;
  if (operand.kind === 'value') {
    const ordering = op in ORDER_OPS;
    const lit = literal(operand.value, ordering);
    if (!lit) return undefined;
    const sqlOp = ordering ? ORDER_OPS[op] : op === '==' ? '=' : op === '!=' ? '<>' : undefined;
    if (!sqlOp) return undefined;
    return {
      sql: `CASE WHEN json_type(${doc}, ?) IN ${lit.jsonTypes} THEN ${v} ${sqlOp} ? END`,
      params: [valuePath, valuePath, lit.value],
    };
  }
  if (op !== '==' && op !== '!=') return undefined;
  const lits = operand.kind === 'list' ? operand.values : [operand.min, operand.max];
  const parsed = lits.map((l) => literal(l, operand.kind === 'range'));
  const first = parsed[0];
  if (!first || parsed.some((p) => p?.jsonTypes !== first.jsonTypes)) return undefined;
  const values = parsed.map((p) => p!.value);
  const test =
    operand.kind === 'list'
      ? `${v} IN (${values.map(() => '?').join(',')})`
      : `${v} BETWEEN ? AND ?`;
  return {
    sql: `CASE WHEN json_type(${doc}, ?) IN ${first.jsonTypes} THEN ${op === '==' ? '' : 'NOT '}(${test}) END`,
    params: [valuePath, valuePath, ...values],
  };
}

function simplePath(path: QPath): boolean {
  return (path.subAttrs?.length ?? 0) === 0 && path.compound.length === 0;
}

/** The SQL of one instance's main value, by attribute type (see core `mainValue`). */
function byType(
  doc: string,
  attr: string,
  decide: (valuePath: string) => SqlPart | undefined,
): SqlPart | undefined {
  const value = decide(memberPath(attr, 'value')!);
  const object = decide(memberPath(attr, 'object')!);
  if (!value && !object) return undefined;
  const typePath = memberPath(attr, 'type')!;
  return {
    sql: `CASE ${doc} ->> ? ${value ? `WHEN 'Property' THEN ${value.sql}` : ''} ${object ? `WHEN 'Relationship' THEN ${object.sql}` : ''} END`,
    params: [typePath, ...(value?.params ?? []), ...(object?.params ?? [])],
  };
}

const SCALARS = `('integer','real','text','true','false')`;

function term(doc: string, expr: Exclude<QExpression, { kind: 'and' | 'or' }>): SqlPart {
  const attrPath = memberPath(expr.path.attr);
  if (attrPath === undefined) return UNKNOWN;
  // Whatever the term, an entity without the attribute never matches it.
  const absent = `WHEN json_type(${doc}, ?) IS NULL THEN 0`;
  let known: SqlPart | undefined;
  if (expr.kind === 'exists' && simplePath(expr.path))
    known = byType(doc, expr.path.attr, (path) => ({
      sql: `CASE WHEN json_type(${doc}, ?) IN ${SCALARS} THEN 1 END`,
      params: [path],
    }));
  else if (expr.kind === 'compare' && simplePath(expr.path)) {
    const { op, operand } = expr;
    known = byType(doc, expr.path.attr, (path) => comparison(doc, path, op, operand));
  }
  // Only a single-instance attribute (an object, not a list of instances) is decided here.
  return known
    ? {
        sql: `(CASE ${absent} WHEN json_type(${doc}, ?) = 'object' THEN ${known.sql} END)`,
        params: [attrPath, attrPath, ...known.params],
      }
    : { sql: `(CASE ${absent} END)`, params: [attrPath] };
}

/**
 * Translates a q expression into a three-valued SQL expression over the JSONB document `doc`:
 * 1 when the entity surely matches, 0 when it surely does not, NULL when only the core
 * evaluator (`matchesQ`) can tell. SQL's AND/OR treat NULL as "unknown", so the combination
 * stays sound: a row is never 0 when `matchesQ` would accept it.
 */
export function qToSql(expr: QExpression, doc: string): SqlPart {
  if (expr.kind === 'and' || expr.kind === 'or') {
    const parts = expr.terms.map((t) => qToSql(t, doc));
    return {
      sql: `(${parts.map((p) => p.sql).join(expr.kind === 'and' ? ' AND ' : ' OR ')})`,
      params: parts.flatMap((p) => p.params),
    };
  }
  return term(doc, expr);
}
