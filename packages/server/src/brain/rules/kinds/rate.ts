import type { Evaluator } from '../engine/evaluator.js';
import type { RateRule } from '../rule-schema.js';
import { hysteresis, newLatch, type Latch } from './hysteresis.js';
import { numberOf, oneKey, selects } from './select.js';

interface State {
  /**
   * The entity's samples of the last `overSeconds`, and the newest one before them, from
   * `head` on: times and values apart, and the old ones dropped in steps, not one by one (an
   * entity reporting every 100 ms holds hundreds).
   */
  times: number[];
  values: number[];
  head: number;
  latch: Latch;
}

/** How many samples gone may stay ahead of `head` before the arrays are compacted. */
const SLACK = 64;

/**
 * The change of `attribute` over the last `overSeconds`, per `perSeconds`, per entity, decided at
 * each fact: the slope from the newest sample at least `overSeconds` old (the reference) to the
 * fact, so a sparse series is not over-counted. No rate until the entity has that much
 * history; no fact, no new rate (a silent entity keeps its state: pair with an absence rule).
 * Raised when the condition holds, cleared when it no longer does.
 * Memory per entity: the samples within `overSeconds`, plus one.
 */
export function rateEvaluator(rule: RateRule): Evaluator<State> {
  const overMs = rule.overSeconds * 1000;
  const perMs = (rule.perSeconds ?? 60) * 1000;
  const h = hysteresis(rule, undefined);
  return {
    ...oneKey((fact) =>
      selects(rule.select, fact) && numberOf(fact, rule.attribute) !== undefined
        ? fact.entityId
        : undefined,
    ),
    create: () => ({ times: [], values: [], head: 0, latch: newLatch() }),
    clone: (s) => ({
      times: s.times.slice(s.head),
      values: s.values.slice(s.head),
      head: 0,
      latch: { ...s.latch },
    }),
    advance() {},
    observe(s, fact, key, out) {
      const value = numberOf(fact, rule.attribute)!;
      const horizon = fact.t - overMs;
      const { times, values } = s;
      while (times.length - s.head > 1 && times[s.head + 1]! <= horizon) s.head++;
      if (s.head > SLACK && s.head * 2 > times.length) {
        times.splice(0, s.head);
        values.splice(0, s.head);
        s.head = 0;
      }
      const refAt = times[s.head];
      const refValue = values[s.head]!;
      times.push(fact.t);
      values.push(value);
      if (refAt === undefined || refAt > horizon) return;
      const rate = ((value - refValue) * perMs) / (fact.t - refAt);
      const kind = h.decide(s.latch, rate, fact.t);
      if (kind)
        out.push({
          kind,
          key,
          at: fact.t,
          value: rate,
          evidence: [
            { entityId: fact.entityId, attr: rule.attribute, observedAt: refAt, value: refValue },
            { entityId: fact.entityId, attr: rule.attribute, observedAt: fact.t, value },
          ],
          detail: { from: refAt, to: fact.t, perSeconds: perMs / 1000 },
        });
    },
    size: (s) => s.times.length - s.head + 1,
  };
}
