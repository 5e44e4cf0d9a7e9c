import type { Evaluator, Evidence, Fact, Signal } from '../engine/evaluator.js';
import { compare, type CorrelationRule } from '../rule-schema.js';
import { areaOf, MAX_EVIDENCE, selects } from './select.js';
import { windowAggregator, type Windows } from './windows.js';

/** One condition in one area. */
interface Condition {
  w: Windows;
  /** The end of the last window in which the condition held. */
  lastTrue?: number;
  value?: number;
  evidence: Evidence[];
}

interface State {
  conditions: Condition[];
  raised: boolean;
}

/**
 * Several aggregate conditions, each on its own selection and windows, grouped by area (a
 * condition's `groupBy` is not used). A condition is true at the end of each window where it
 * holds; the area is raised at a window end when every condition has been true within
 * `withinSeconds` of it (the latest true window ends of all conditions at most that far apart),
 * and cleared at the first millisecond at which that no longer holds: the oldest of those ends
 * more than `withinSeconds` ago. A condition's windows start at its first fact in the area.
 * Memory per area: per condition, its windows (see `Windows`) and its last true window's
 * evidence. Runs of empty windows are skipped unless their value (count, sum 0) meets the
 * condition: those refresh it at every slide.
 */
export function correlationEvaluator(rule: CorrelationRule): Evaluator<State> {
  const specs = rule.conditions.map((c) => ({
    c,
    agg: windowAggregator(c),
    label: c.label ?? `${c.function}(${c.attribute ?? c.select.entityType})`,
  }));
  const withinMs = Math.round(rule.withinSeconds * 1000);
  const evidencePer = Math.max(1, Math.floor(MAX_EVIDENCE / specs.length));
  const feeds = (fact: Fact) =>
    specs.map(({ c, agg }) => selects(c.select, fact) && agg.accepts(fact));

  /** When the raised area falls due for clearing: one ms past the oldest true end's reach. */
  const expiry = (s: State) =>
    Math.min(...s.conditions.map((c) => (c.lastTrue ?? -Infinity) + withinMs + 1));

  const signal = (kind: Signal['kind'], key: string, at: number, s: State): Signal => ({
    kind,
    key,
    at,
    evidence: kind === 'raise' ? s.conditions.flatMap((c) => c.evidence.slice(-evidencePer)) : [],
    detail: {
      area: key,
      withinSeconds: rule.withinSeconds,
      conditions: specs.map(({ label }, i) => ({
        label,
        value: s.conditions[i]!.value,
        trueAt: s.conditions[i]!.lastTrue,
      })),
    },
  });

  /** Closes every condition's window that ends at `end`; true when one became true. */
  const closeAt = (s: State, end: number, t: number): boolean => {
    let refreshed = false;
    specs.forEach(({ c, agg }, i) => {
      const cond = s.conditions[i]!;
      if (cond.w.nextEnd !== end) return;
      const closed = agg.closeNext(cond.w);
      const holds = closed.value !== undefined && compare(closed.value, c.operator, c.value);
      if (holds) {
        cond.lastTrue = end;
        cond.value = closed.value;
        if (closed.count > 0) cond.evidence = closed.evidence;
        refreshed = true;
      }
      // Empty windows that do not meet the condition change nothing.
      if (closed.count === 0 && !holds) agg.skipEmpty(cond.w, Infinity, t);
    });
    return refreshed;
  };

  return {
    keysOf(fact) {
      const area = areaOf(fact);
      return area !== undefined && feeds(fact).some(Boolean) ? [area] : [];
    },
    create: () => ({
      conditions: specs.map(({ agg }) => ({ w: agg.create(), evidence: [] })),
      raised: false,
    }),
    clone: (s) => ({
      raised: s.raised,
      conditions: s.conditions.map((c, i) => ({ ...c, w: specs[i]!.agg.clone(c.w) })),
    }),
    observe(s, fact) {
      feeds(fact).forEach((fed, i) => {
        if (fed) specs[i]!.agg.add(s.conditions[i]!.w, fact);
      });
    },
    absorbsLate: (s, fact) =>
      feeds(fact).every((fed, i) => !fed || specs[i]!.agg.absorbs(s.conditions[i]!.w, fact)),
    advance(s, t, key, out) {
      for (;;) {
        const next = Math.min(...s.conditions.map((c) => c.w.nextEnd ?? Infinity));
        // A window end at the very time of the expiry is looked at first: it may refresh.
        const due = s.raised ? expiry(s) : Infinity;
        if (due < next && due <= t) {
          s.raised = false;
          out.push(signal('clear', key, due, s));
          continue;
        }
        if (next > t) return;
        if (!closeAt(s, next, t) || s.raised) continue;
        if (s.conditions.every((c) => c.lastTrue !== undefined && next - c.lastTrue <= withinMs)) {
          s.raised = true;
          out.push(signal('raise', key, next, s));
        }
      }
    },
    size: (s) =>
      s.conditions.reduce((n, c, i) => n + specs[i]!.agg.size(c.w) + c.evidence.length + 2, 1),
  };
}
