import { byTime, type Fact } from './evaluator.js';

/** The index after the last fact at or before `t` (facts in event-time order). */
export function upperTime(facts: readonly Fact[], t: number): number {
  let lo = 0;
  let hi = facts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (facts[mid]!.t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index after the last fact that sorts at or before `fact`. */
export function upperBound(facts: readonly Fact[], fact: Fact): number {
  let lo = 0;
  let hi = facts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byTime(facts[mid]!, fact) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
