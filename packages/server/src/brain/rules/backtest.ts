import { CityError } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { Fact, Signal } from './engine/evaluator.js';
import { evaluateBatch } from './engine/evaluate-batch.js';
import { evaluatorFor } from './kinds/index.js';
import { historyReadsOf, readHistory, warmupMs } from './rule-history.js';
import type { Rule } from './rule-schema.js';

export { warmupMs } from './rule-history.js';

/** What a rule would have decided over a past period. */
export interface Backtest {
  signals: Signal[];
  /** Facts read from the history (the warm-up before `from` included). */
  facts: number;
  entities: number;
  /** Where the evaluation began, to warm the rule's windows and durations up. */
  warmupFrom: number;
}

/** The most facts one backtest reads. */
export const MAX_BACKTEST_FACTS = 2_000_000;

/**
 * Runs a rule over the stored history of [from, to) as it would have run then (the batch
 * evaluation, which the live engine agrees with): what would it have raised last week? Reads
 * the history from the warm-up before `from`; signals before `from` are left out.
 */
export async function backtest(
  store: Store,
  rule: Rule,
  from: number,
  to: number,
): Promise<Backtest> {
  if (!(to > from)) throw new CityError('BadRequestData', 'to must follow from');
  const evaluator = evaluatorFor(rule);
  const warmupFrom = from - warmupMs(rule);
  const facts: Fact[] = [];
  let entities = 0;
  for (const read of historyReadsOf(rule)) {
    const history = await readHistory(store, read, {
      from: warmupFrom,
      to,
      maxFacts: MAX_BACKTEST_FACTS - facts.length,
    });
    entities += history.entities;
    for (const fact of history.facts) facts.push(fact);
    if (history.truncated || facts.length > MAX_BACKTEST_FACTS)
      throw new CityError(
        'BadRequestData',
        `the period holds more than ${MAX_BACKTEST_FACTS.toLocaleString('en-US')} facts: choose a shorter one`,
      );
  }
  const signals = evaluateBatch(evaluator, facts, to).filter((s) => s.at >= from && s.at < to);
  return { signals, facts: facts.length, entities, warmupFrom };
}
