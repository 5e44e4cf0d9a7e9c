import type { Evaluator, Evidence, Fact } from '../engine/evaluator.js';
import type { AbsenceRule } from '../rule-schema.js';
import { oneKey, selects } from './select.js';

interface State {
  /** The event time of the entity's last fact. */
  last?: number;
  raised: boolean;
}

const seen = (fact: Fact): Evidence => ({
  entityId: fact.entityId,
  attr: 'observedAt',
  observedAt: fact.t,
  value: new Date(fact.t).toISOString(),
});

/**
 * No fact from an entity for `silentForSeconds` (a device's heartbeat), by event time: raised at
 * the deadline (last fact + silence) when event time reaches it, cleared by the entity's next
 * fact. An entity is watched from its first fact on: one never heard of is not missing.
 * Memory per entity: 2 values.
 */
export function absenceEvaluator(rule: AbsenceRule): Evaluator<State> {
  const silentMs = rule.silentForSeconds * 1000;
  return {
    ...oneKey((fact) => (selects(rule.select, fact) ? fact.entityId : undefined)),
    create: () => ({ last: undefined, raised: false }),
    clone: (s) => ({ ...s }),
    advance(s, t, key, out) {
      if (s.raised || s.last === undefined || t < s.last + silentMs) return;
      s.raised = true;
      out.push({
        kind: 'raise',
        key,
        at: s.last + silentMs,
        value: rule.silentForSeconds,
        evidence: [
          {
            entityId: key,
            attr: 'observedAt',
            observedAt: s.last,
            value: new Date(s.last).toISOString(),
          },
        ],
        detail: { lastSeen: s.last, silentForSeconds: rule.silentForSeconds },
      });
    },
    observe(s, fact, key, out) {
      if (s.raised && s.last !== undefined) {
        s.raised = false;
        out.push({
          kind: 'clear',
          key,
          at: fact.t,
          value: (fact.t - s.last) / 1000,
          evidence: [seen(fact)],
          detail: { lastSeen: s.last, silentForSeconds: (fact.t - s.last) / 1000 },
        });
      }
      s.last = fact.t;
    },
    size: () => 2,
  };
}
