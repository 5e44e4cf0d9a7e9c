// Keeping a listed copy of incidents or tasks current from live changes (pure functions).

/** An item whose copies can be told apart by age. */
export interface LiveItem {
  id: string;
  /** Counts the item's changes on the server; absent on items stored before versions. */
  version?: number;
  modifiedAt: string;
}

/** How a list is ordered. */
export type ListOrder<T> = (a: T, b: T) => number;

/** True when `candidate` (a copy or a change) is newer than `held`, or nothing is held. */
export function isNewer(
  candidate: Pick<LiveItem, 'version' | 'modifiedAt'>,
  held: LiveItem | undefined,
): boolean {
  if (!held) return true;
  if (candidate.version !== undefined && held.version !== undefined)
    return candidate.version > held.version;
  return Date.parse(candidate.modifiedAt) > Date.parse(held.modifiedAt);
}

/** The list with `item` in it, in order, unless the list holds a newer copy. */
export function upsert<T extends LiveItem>(list: readonly T[], item: T, order: ListOrder<T>): T[] {
  const held = list.find((i) => i.id === item.id);
  if (held && !isNewer(item, held)) return [...list];
  return [...list.filter((i) => i.id !== item.id), item].sort(order);
}

/**
 * A list just loaded, with what came live while it loaded: `live` has the copies read live
 * since the load started (null: no longer visible), which win where they are newer.
 */
export function reconcile<T extends LiveItem>(
  loaded: readonly T[],
  live: ReadonlyMap<string, T | null>,
  order: ListOrder<T>,
): T[] {
  let out = loaded.filter((i) => live.get(i.id) !== null);
  for (const copy of live.values()) if (copy) out = upsert(out, copy, order);
  return out.sort(order);
}

/** Tasks: soonest due first (as the server lists them). */
export const bySoonestDue: ListOrder<{ id: string; due: string }> = (a, b) =>
  a.due.localeCompare(b.due) || a.id.localeCompare(b.id);

/** Incidents: newest first (as the server lists them). */
export const byNewest: ListOrder<{ id: string; createdAt: string }> = (a, b) =>
  b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id);
