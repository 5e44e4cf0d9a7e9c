import type { AggregationMethod } from '../port.js';

/**
 * The value of an instance as aggregations compare it, over a `history` row aliased `h`: as
 * SQLite (../sqlite/temporal-table.ts) picks it, `coalesce(num, $.value, $.object, json)`;
 * here the JSON part (`p`, NULL when `num` holds the value), split below by kind because one
 * SQL column has one type.
 */
export const PICKED_SQL = `CASE WHEN h.num IS NULL THEN coalesce(
  CASE WHEN json_typeof(h.json -> 'value') <> 'null' THEN h.json -> 'value' END,
  CASE WHEN json_typeof(h.json -> 'object') <> 'null' THEN h.json -> 'object' END,
  h.json) END`;

/** The picked value when it is a number (JSON true/false count as 1/0, as in SQLite), over `num` and `p`. */
export const VN_SQL = `coalesce(num, CASE json_typeof(p)
  WHEN 'number' THEN p::text::float8 WHEN 'boolean' THEN (p::text = 'true')::int END)`;

/** The picked value when it is text (a JSON string unquoted, any other JSON as its text), over `p`. */
export const VT_SQL = `CASE json_typeof(p) WHEN 'number' THEN NULL WHEN 'boolean' THEN NULL
  WHEN 'string' THEN p #>> '{}' ELSE p::text END`;

/**
 * The SQL columns of each method over rows with `num`, `vn` and `vt`, and how to read the
 * answer: min and max take two columns, because SQLite sorts numbers before text (byte-wise,
 * hence COLLATE "C"): a number wins a min, a text a max.
 */
const METHOD_SQL: Record<AggregationMethod, string[]> = {
  totalCount: ['count(*)::float8'],
  distinctCount: ['(count(DISTINCT vn) + count(DISTINCT vt))::float8'],
  sum: ['sum(num)'],
  avg: ['avg(num)'],
  min: ['min(vn)', 'min(vt COLLATE "C")'],
  max: ['max(vt COLLATE "C")', 'max(vn)'],
  // The sample standard deviation (NULL below two values), as SQLite's formula computes it.
  stddev: ['stddev_samp(num)'],
  // Squares as IEEE arithmetic (and SQLite) give them: PostgreSQL refuses to underflow to 0
  // or overflow to Infinity, and one such value would break the series' aggregation for good.
  sumsq: [
    `sum(CASE WHEN abs(num) < 1e-160 THEN 0
      WHEN abs(num) > 1.3407807929942596e154 THEN 'Infinity'::float8 ELSE num * num END)`,
  ],
};

/** Whether the methods compare values (and need vn / vt), or read numbers only. */
export function comparesValues(methods: readonly AggregationMethod[]): boolean {
  return methods.some((m) => m === 'distinctCount' || m === 'min' || m === 'max');
}

/** The aggregate columns of the methods, named m<i>_<j>. */
export function methodColumns(methods: readonly AggregationMethod[]): string {
  return methods
    .flatMap((m, i) => METHOD_SQL[m].map((sql, j) => `${sql} AS m${i}_${j}`))
    .join(', ');
}

/** The value of method `i` in a result row: the first non-NULL of its columns. */
export function methodValue(
  row: Record<string, unknown>,
  methods: readonly AggregationMethod[],
  i: number,
): number | string | null {
  const method = methods[i]!;
  for (let j = 0; j < METHOD_SQL[method].length; j++) {
    const v = row[`m${i}_${j}`];
    if (v !== null && v !== undefined) return v as number | string;
  }
  return null;
}
