import type { HistoryEntry } from '../alerts/alert-model.js';

/** A document whose every write is counted, so that readers can tell newer from older. */
export interface Versioned {
  /** 1 when created, + 1 at every change; absent on documents stored before versions. */
  version?: number;
  /** What the latest change was: the action of its history entry, or a change without one. */
  lastChange?: string;
  history: HistoryEntry[];
}

/**
 * `after` with its version counted on from `before`'s and `lastChange` set: the action of the
 * history entry the change added, else `silent` (a change that leaves no history entry, such as
 * a new participant or photo).
 */
export function nextVersion<T extends Versioned>(before: T, after: T, silent: string): T {
  const newest = after.history.at(-1);
  const added = newest !== undefined && newest !== before.history.at(-1);
  return {
    ...after,
    version: (before.version ?? 0) + 1,
    lastChange: added ? newest.action : silent,
  };
}
