import type { Evaluator, Evidence, Fact, Signal } from '../engine/evaluator.js';
import { compare, type ThresholdRule } from '../rule-schema.js';
import { MAX_EVIDENCE, numberOf, oneKey, selects } from './select.js';

interface State {
  /** Since when the raise condition has held (while not raised). */
  since?: number;
  /** Since when the clear condition has held (while raised). */
  clearSince?: number;
  raised: boolean;
  /** When the last raise and clear were: a signal's identity (key, kind, at) never repeats. */
  raisedAt?: number;
  clearedAt?: number;
  /** The last value and its time (kept as numbers: most values decide nothing). */
  lastAt?: number;
  lastValue?: number;
  evidence: Evidence[];
}

/**
 * `attribute op value` for `forSeconds`, per entity, the last value holding until the next
 * (sample and hold): raised when the deadline passes with no contrary value, cleared by the
 * clear condition (held for its own duration; the negated raise condition by default).
 */
export function thresholdEvaluator(rule: ThresholdRule): Evaluator<State> {
  const forMs = (rule.forSeconds ?? 0) * 1000;
  const clearMs = (rule.clear?.forSeconds ?? 0) * 1000;
  const breaches = (v: number) => compare(v, rule.operator, rule.value);
  const clears = (v: number) =>
    rule.clear ? compare(v, rule.clear.operator, rule.clear.value) : !breaches(v);
  const last = (s: State, entityId: string): Evidence[] =>
    s.lastAt === undefined
      ? []
      : [{ entityId, attr: rule.attribute, observedAt: s.lastAt, value: s.lastValue }];
  const raise = (s: State, key: string, at: number, out: Signal[]) => {
    // A second raise at the same instant (6, 0, 6 at one time) waits for the key's next value.
    if (s.raisedAt === at) return;
    s.raisedAt = at;
    s.raised = true;
    out.push({
      kind: 'raise',
      key,
      at,
      ...(s.lastValue !== undefined && { value: s.lastValue }),
      evidence: [...s.evidence],
      detail: { since: s.since },
    });
    s.since = undefined;
    s.evidence = [];
  };
  const clear = (s: State, key: string, at: number, out: Signal[]) => {
    if (s.clearedAt === at) return;
    s.clearedAt = at;
    s.raised = false;
    out.push({
      kind: 'clear',
      key,
      at,
      ...(s.lastValue !== undefined && { value: s.lastValue }),
      evidence: last(s, key),
    });
    s.clearSince = undefined;
  };
  return {
    ...oneKey((fact: Fact) =>
      selects(rule.select, fact) && numberOf(fact, rule.attribute) !== undefined
        ? fact.entityId
        : undefined,
    ),
    // Every field set, in one order: states share one shape, so the hot paths stay monomorphic.
    create: () => ({
      since: undefined,
      clearSince: undefined,
      raised: false,
      raisedAt: undefined,
      clearedAt: undefined,
      lastAt: undefined,
      lastValue: undefined,
      evidence: [],
    }),
    clone: (s) => ({ ...s, evidence: [...s.evidence] }),
    advance(s, t, key, out) {
      if (!s.raised && s.since !== undefined && t >= s.since + forMs)
        raise(s, key, s.since + forMs, out);
      else if (s.raised && s.clearSince !== undefined && t >= s.clearSince + clearMs)
        clear(s, key, s.clearSince + clearMs, out);
    },
    observe(s, fact, key, out) {
      const value = numberOf(fact, rule.attribute)!;
      s.lastAt = fact.t;
      s.lastValue = value;
      if (!s.raised) {
        if (!breaches(value)) {
          if (s.since !== undefined) {
            s.since = undefined;
            s.evidence = [];
          }
          return;
        }
        s.since ??= fact.t;
        s.evidence.push({
          entityId: fact.entityId,
          attr: rule.attribute,
          observedAt: fact.t,
          value,
        });
        if (s.evidence.length > MAX_EVIDENCE) s.evidence.shift();
        if (fact.t >= s.since + forMs) raise(s, key, fact.t, out);
      } else {
        if (!clears(value)) {
          s.clearSince = undefined;
          return;
        }
        s.clearSince ??= fact.t;
        if (fact.t >= s.clearSince + clearMs) clear(s, key, fact.t, out);
      }
    },
    size: (s) => s.evidence.length + 1,
  };
}
