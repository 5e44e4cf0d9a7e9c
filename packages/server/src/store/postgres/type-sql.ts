import type { TypeExpression } from '../../core/index.js';
import type { SqlParams } from './sql-params.js';

/**
 * A type expression (clause 4.17) over the `types` array column, with the GIN-indexed array
 * operators: an OR of names is one `&&`, an AND of names one `@>`.
 */
export function typeToSql(expr: TypeExpression, types: string, p: SqlParams): string {
  if (expr.kind === 'type') return `${types} @> ${p.add([expr.name], 'text[]')}`;
  const names = expr.terms.flatMap((t) => (t.kind === 'type' ? [t.name] : []));
  const nested = expr.terms.filter((t) => t.kind !== 'type').map((t) => typeToSql(t, types, p));
  const join = expr.kind === 'and' ? ' AND ' : ' OR ';
  const flat = names.length
    ? [`${types} ${expr.kind === 'and' ? '@>' : '&&'} ${p.add(names, 'text[]')}`]
    : [];
  return `(${[...flat, ...nested].join(join)})`;
}
