import type { Evaluator, Fact, Signal } from '../engine/evaluator.js';
import type { AggregateRule } from '../rule-schema.js';
import { hysteresis, newLatch, type Latch } from './hysteresis.js';
import { areaOf, oneKey, selects } from './select.js';
import { windowAggregator, type ClosedWindow, type Windows } from './windows.js';

interface State {
  w: Windows;
  /** One latch per rule of the family (see `aggregateFamilyEvaluator`). */
  latches: Latch[];
  /** The last window value: a window without facts holds it (avg, min, max, percentile). */
  held?: number;
}

/** The one key of a fact for a `groupBy`; undefined when it has no area to group by. */
export function groupOf(
  groupBy: AggregateRule['groupBy'] | undefined,
  fact: Fact,
): string | undefined {
  switch (groupBy ?? 'entity') {
    case 'entity':
      return fact.entityId;
    case 'area':
      return areaOf(fact);
    case 'all':
      return 'all';
  }
}

/**
 * `function(attribute) over a window op value`, per entity, area or city: each window is decided
 * when event time reaches its end (the signal's time), raising when the condition holds and
 * clearing when the clear condition has held on the windows of its `forSeconds` (hysteresis).
 * A window without facts has count and sum 0; for the other functions it holds the last value.
 * Memory per key: see `Windows` (5 numbers per pane holding facts, percentile values once per fact).
 */
export function aggregateEvaluator(rule: AggregateRule): Evaluator<State> {
  return aggregateFamilyEvaluator([rule]);
}

/** What makes aggregate rules share their windows: all they read and how they aggregate it. */
export const aggregationOf = (rule: AggregateRule): string =>
  JSON.stringify([
    rule.select,
    rule.groupBy ?? 'entity',
    rule.attribute,
    rule.function,
    rule.percentile,
    rule.window,
  ]);

/**
 * Aggregate rules of one aggregation (see `aggregationOf`: they differ in their conditions, the
 * levels of a warning, say) evaluated over one set of windows: a fact is added once, a window's
 * value computed once, and each rule's latch decides on it. Gives each rule's signals as it
 * would alone; with more than one rule, each signal carries its rule's index as `member`.
 */
export function aggregateFamilyEvaluator(rules: readonly AggregateRule[]): Evaluator<State> {
  const rule = rules[0]!;
  const agg = windowAggregator(rule);
  const levels = rules.map((r) => hysteresis(r, r.clear));
  const tagged = rules.length > 1;
  const signal = (
    kind: Signal['kind'],
    key: string,
    w: ClosedWindow,
    value: number,
    member: number,
  ): Signal => ({
    kind,
    key,
    at: w.end,
    value,
    evidence: tagged ? [...w.evidence] : w.evidence,
    detail: {
      function: rule.function,
      ...(rule.percentile !== undefined && { percentile: rule.percentile }),
      window: { start: w.start, end: w.end },
      count: w.count,
    },
    ...(tagged && { member }),
  });
  /** The first pending clear of the rules, if one is pending. */
  const clearDue = (s: State): number | undefined => {
    let due: number | undefined;
    levels.forEach((h, i) => {
      const d = h.clearDue(s.latches[i]!);
      if (d !== undefined && (due === undefined || d < due)) due = d;
    });
    return due;
  };
  return {
    ...oneKey((fact) =>
      selects(rule.select, fact) && agg.accepts(fact) ? groupOf(rule.groupBy, fact) : undefined,
    ),
    create: () => ({ w: agg.create(), latches: rules.map(() => newLatch()), held: undefined }),
    clone: (s) => ({ ...s, w: agg.clone(s.w), latches: s.latches.map((l) => ({ ...l })) }),
    observe(s, fact) {
      agg.add(s.w, fact);
    },
    absorbsLate: (s, fact) => agg.absorbs(s.w, fact),
    advance(s, t, key, out) {
      while (s.w.nextEnd !== undefined && s.w.nextEnd <= t) {
        const closed = agg.closeNext(s.w);
        const value = closed.value ?? s.held;
        if (value !== undefined) {
          s.held = value;
          levels.forEach((h, i) => {
            const kind = h.decide(s.latches[i]!, value, closed.end);
            if (kind) out.push(signal(kind, key, closed, value, i));
          });
        }
        if (closed.count > 0) continue;
        // The empty windows up to the next one with facts give the same value: only a pending
        // clear can still change something, at its due window.
        const due = clearDue(s);
        agg.skipEmpty(s.w, due === undefined ? Infinity : agg.endAtOrAfter(due), t);
      }
    },
    size: (s) => agg.size(s.w) + 1 + rules.length,
  };
}
