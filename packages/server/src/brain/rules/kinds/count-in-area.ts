import type { Evaluator, Evidence, Signal } from '../engine/evaluator.js';
import { compare, type CountInAreaRule } from '../rule-schema.js';
import { hysteresis, newLatch, type Latch } from './hysteresis.js';
import { insideArea, pointOf, positionEvidence } from './position.js';
import { MAX_EVIDENCE, numberOf, selects } from './select.js';

/** What is known of one entity: whether its last position is inside, whether `where` holds. */
interface Member {
  inside: boolean;
  ok: boolean;
}

interface State {
  /** The entities whose state differs from the default (outside, `where` unknown). */
  members: Map<string, Member>;
  count: number;
  latch: Latch;
  /** The latest facts that changed the count. */
  recent: Evidence[];
}

/** The single key of a rule over the whole selection. */
export const ALL = 'all';

/**
 * How many entities of the selected type have their last known position inside `area` (and, with
 * `where`, their last known value meeting it), decided at each fact: raised when the count meets
 * the condition, cleared when the clear condition has held for its `forSeconds` (a deadline).
 * One key for the rule. Memory: an entry per entity inside the area (with `where`: per entity
 * whose `where` value is known), plus MAX_EVIDENCE facts.
 */
export function countInAreaEvaluator(rule: CountInAreaRule): Evaluator<State> {
  const attribute = rule.attribute ?? 'location';
  const inside = insideArea(rule.area, attribute);
  const where = rule.where;
  const h = hysteresis(rule, rule.clear);
  const signal = (kind: Signal['kind'], key: string, at: number, s: State): Signal => ({
    kind,
    key,
    at,
    value: s.count,
    evidence: kind === 'raise' ? [...s.recent] : s.recent.slice(-1),
    detail: { count: s.count, ...(where && { where }) },
  });
  return {
    keysOf: (fact) =>
      selects(rule.select, fact) &&
      (pointOf(fact, attribute) || (where && numberOf(fact, where.attribute) !== undefined))
        ? [ALL]
        : [],
    create: () => ({ members: new Map(), count: 0, latch: newLatch(), recent: [] }),
    clone: (s) => ({
      ...s,
      members: new Map(s.members),
      latch: { ...s.latch },
      recent: [...s.recent],
    }),
    advance(s, t, key, out) {
      const due = h.clearDue(s.latch);
      if (due !== undefined && t >= due && h.clearAt(s.latch, due))
        out.push(signal('clear', key, due, s));
    },
    observe(s, fact, key, out) {
      const prev = s.members.get(fact.entityId) ?? { inside: false, ok: where === undefined };
      const point = pointOf(fact, attribute);
      const v = where && numberOf(fact, where.attribute);
      const next: Member = {
        inside: point ? inside(point) : prev.inside,
        ok: where && v !== undefined ? compare(v, where.operator, where.value) : prev.ok,
      };
      if (next.inside || next.ok !== (where === undefined)) s.members.set(fact.entityId, next);
      else s.members.delete(fact.entityId);
      const was = prev.inside && prev.ok;
      const now = next.inside && next.ok;
      if (was !== now) {
        s.count += now ? 1 : -1;
        s.recent.push(
          point
            ? positionEvidence(fact, attribute, point)
            : { entityId: fact.entityId, attr: where!.attribute, observedAt: fact.t, value: v },
        );
        if (s.recent.length > MAX_EVIDENCE) s.recent.shift();
      }
      const kind = h.decide(s.latch, s.count, fact.t);
      if (kind) out.push(signal(kind, key, fact.t, s));
    },
    size: (s) => 2 * s.members.size + s.recent.length + 2,
  };
}
