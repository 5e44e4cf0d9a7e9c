import { compare, type ClearCondition, type Operator } from '../rule-schema.js';

/** A raised/cleared state (part of a key's state: cloned with it). */
export interface Latch {
  raised: boolean;
  /** Since when the clear condition has held (while raised). */
  clearSince?: number;
  /** When the last raise and the last clear were: a signal's identity is never repeated. */
  raisedAt?: number;
  clearedAt?: number;
}

/** A fresh, cleared latch. */
export const newLatch = (): Latch => ({
  raised: false,
  clearSince: undefined,
  raisedAt: undefined,
  clearedAt: undefined,
});

/**
 * Raised when `value op threshold` holds, cleared when the clear condition (the negated raise
 * condition by default) has held for its `forSeconds`; the clear condition counts only while the
 * raise condition does not hold, so the two never alternate on one value. Never two raises in a
 * row; and since a signal is identified by (key, kind, at), a second raise (or clear) at the same
 * event time is held back: the next decision of the key makes it.
 */
export function hysteresis(
  condition: { operator: Operator; value: number },
  clear: ClearCondition | undefined,
) {
  const breaches = (v: number) => compare(v, condition.operator, condition.value);
  const clearing = (v: number) =>
    !breaches(v) && (clear === undefined || compare(v, clear.operator, clear.value));
  const clearMs = (clear?.forSeconds ?? 0) * 1000;
  /** Clears at `at` unless a clear was already signalled then. */
  const clearAt = (l: Latch, at: number): 'clear' | undefined => {
    if (l.clearedAt === at) return undefined;
    l.raised = false;
    l.clearedAt = at;
    l.clearSince = undefined;
    return 'clear';
  };

  return {
    breaches,
    clearing,
    clearMs,
    /** Decides on a value at event time `at`: what to signal, if anything. */
    decide(l: Latch, v: number, at: number): 'raise' | 'clear' | undefined {
      if (!l.raised) {
        if (!breaches(v) || l.raisedAt === at) return undefined;
        l.raised = true;
        l.raisedAt = at;
        l.clearSince = undefined;
        return 'raise';
      }
      if (!clearing(v)) {
        l.clearSince = undefined;
        return undefined;
      }
      l.clearSince ??= at;
      return at >= l.clearSince + clearMs ? clearAt(l, at) : undefined;
    },
    /** When a pending clear falls due (the clear condition held long enough), if one is pending. */
    clearDue: (l: Latch): number | undefined =>
      l.raised && l.clearSince !== undefined ? l.clearSince + clearMs : undefined,
    clearAt,
  };
}
