import {
  encodeInstanceColumns,
  type InstanceColumns,
  type StoredInstanceColumns,
} from '../instance-columns.js';
import type { AttributeInstance, TimeProperty } from '../port.js';

/**
 * One instance as the history stores it (see history-schema.ts), keyed by names: the SQL
 * turns the names into dictionary integers. The same encoding as SQLite's `series` rows.
 */
export interface WriteRow extends InstanceColumns {
  entity: string;
  attr: string;
  /** The datasetId; null for the default instance. */
  dataset: string | null;
  modified: number | null;
}

/** One stored row as read back (times as numbers, `json` as text). */
export type ReadRow = StoredInstanceColumns;

/** The row of one instance (`createdAt` keys an instance without observedAt). */
export function encodeInstance(i: AttributeInstance): WriteRow {
  const created = Math.floor(i.createdAt);
  const columns = encodeInstanceColumns(i.attribute, created);
  return {
    entity: i.entityId,
    attr: i.attr,
    dataset: i.datasetId ?? i.attribute.datasetId ?? null,
    ...columns,
    t: Math.floor(columns.t),
    modified: Math.floor(i.modifiedAt),
  };
}

/** SQL of each time property over a `history` row aliased `h`. */
export const TIME_SQL: Record<TimeProperty, string> = {
  observedAt: 'h.t',
  createdAt: 'coalesce(h.created, h.t)',
  modifiedAt: 'coalesce(h.modified, h.created, h.t)',
};

const keyOf = (r: WriteRow) => JSON.stringify([r.entity, r.attr, r.dataset, r.t]);

/**
 * Rows with distinct keys (one INSERT … ON CONFLICT may not touch a row twice), each as the
 * batch leaves it when applied in order: the last content wins; `keepFirstCreated` keeps the
 * first row's createdAt, as an upsert of an existing instance does.
 */
export function lastPerKey(rows: readonly WriteRow[], keepFirstCreated: boolean): WriteRow[] {
  const byKey = new Map<string, WriteRow>();
  for (const row of rows) {
    const key = keyOf(row);
    const first = byKey.get(key);
    byKey.set(key, first && keepFirstCreated ? { ...row, created: first.created } : row);
  }
  return [...byKey.values()];
}

/** Splits rows whose key repeats an earlier row's of the batch: those are placed one by one. */
export function splitRepeats(rows: readonly WriteRow[]): { first: WriteRow[]; later: WriteRow[] } {
  const seen = new Set<string>();
  const first: WriteRow[] = [];
  const later: WriteRow[] = [];
  for (const row of rows) {
    const key = keyOf(row);
    (seen.has(key) ? later : first).push(row);
    seen.add(key);
  }
  return { first, later };
}

/** Whether two rows hold the same instance content (what makes a resent instance). */
export function sameContent(
  a: Pick<WriteRow, 'num' | 'json' | 'unit'>,
  b: Pick<WriteRow, 'num' | 'json' | 'unit'>,
): boolean {
  return a.num === b.num && a.json === b.json && a.unit === b.unit;
}
