import type { Evaluator, Evidence } from '../engine/evaluator.js';
import type { RateRule } from '../rule-schema.js';
import { hysteresis, newLatch, type Latch } from './hysteresis.js';
import { numberOf, oneKey, selects } from './select.js';

interface State {
  /** The entity's samples of the last `overSeconds`, and the newest one before them. */
  samples: Evidence[];
  latch: Latch;
}

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
    create: () => ({ samples: [], latch: newLatch() }),
    clone: (s) => ({ samples: [...s.samples], latch: { ...s.latch } }),
    advance() {},
    observe(s, fact, key, out) {
      const value = numberOf(fact, rule.attribute)!;
      const sample = { entityId: fact.entityId, attr: rule.attribute, observedAt: fact.t, value };
      const horizon = fact.t - overMs;
      while (s.samples.length > 1 && s.samples[1]!.observedAt <= horizon) s.samples.shift();
      const ref = s.samples[0];
      s.samples.push(sample);
      if (!ref || ref.observedAt > horizon) return;
      const rate = ((value - (ref.value as number)) * perMs) / (fact.t - ref.observedAt);
      const kind = h.decide(s.latch, rate, fact.t);
      if (kind)
        out.push({
          kind,
          key,
          at: fact.t,
          value: rate,
          evidence: [ref, sample],
          detail: { from: ref.observedAt, to: fact.t, perSeconds: perMs / 1000 },
        });
    },
    size: (s) => s.samples.length + 1,
  };
}
