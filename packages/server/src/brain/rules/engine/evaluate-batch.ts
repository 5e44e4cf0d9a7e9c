import { byTime, type Evaluator, type Fact, type Signal } from './evaluator.js';

/**
 * How far time is let pass before a fact is applied: to just before it (event times are whole
 * ms), so that what falls due at the fact's own time is decided with the fact (a threshold held
 * until a value at its deadline counts that value), and after it when no fact comes then.
 */
export const justBefore = (fact: Fact): number => fact.t - 1;

/**
 * The signals of a batch evaluation: every fact in (t, seq) order, each key advanced to just
 * before a fact's time before it is applied, and every key advanced to `end` at last.
 */
export function evaluateBatch<S>(
  evaluator: Evaluator<S>,
  facts: readonly Fact[],
  end: number,
): Signal[] {
  const states = new Map<string, { state: S; at: number }>();
  const signals: Signal[] = [];
  for (const fact of [...facts].sort(byTime))
    for (const key of evaluator.keysOf(fact)) {
      let entry = states.get(key);
      if (!entry) states.set(key, (entry = { state: evaluator.create(key), at: -Infinity }));
      if (justBefore(fact) > entry.at) {
        evaluator.advance(entry.state, justBefore(fact), key, signals);
        entry.at = justBefore(fact);
      }
      evaluator.observe(entry.state, fact, key, signals);
    }
  for (const [key, entry] of states)
    if (end > entry.at) evaluator.advance(entry.state, end, key, signals);
  return signals;
}
