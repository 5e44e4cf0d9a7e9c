import type { Evaluator, Evidence } from '../engine/evaluator.js';
import type { GeofenceRule } from '../rule-schema.js';
import { hysteresis, newLatch, type Latch } from './hysteresis.js';
import { insideArea, pointOf, positionEvidence } from './position.js';
import { oneKey, selects } from './select.js';

interface State {
  inside: boolean;
  latch: Latch;
  last?: Evidence;
}

/** Inside as a number, for the latch of `on: 'both'`: raised while inside. */
const INSIDE = { operator: '==', value: 1 } as const;

/**
 * An entity's position (the GeoProperty `attribute`, a Point, of the fact or its context) crosses
 * the boundary of `area`, per entity, decided at the fact that shows it:
 * - `both`: raise on entering, clear on leaving; the signal stands while the entity is inside.
 * - `enter`: raise on each entry, and nothing on leaving: an entry is an event (its alert is
 *   resolved by people, a new entry while it is open repeats it).
 * - `leave`: raise on each exit (an asset leaving its depot), nothing on entering.
 * An entity not yet seen counts as outside: a first position inside is an entry. Inside is the
 * geo-query `within` (the boundary is outside). At most one signal of a kind per instant.
 * Memory per entity: 2 values and the last position.
 */
export function geofenceEvaluator(rule: GeofenceRule): Evaluator<State> {
  const attribute = rule.attribute ?? 'location';
  const on = rule.on ?? 'enter';
  const inside = insideArea(rule.area, attribute);
  const h = hysteresis(INSIDE, undefined);
  return {
    ...oneKey((fact) =>
      selects(rule.select, fact) && pointOf(fact, attribute) ? fact.entityId : undefined,
    ),
    create: () => ({ inside: false, latch: newLatch(), last: undefined }),
    clone: (s) => ({ ...s, latch: { ...s.latch } }),
    advance() {},
    observe(s, fact, key, out) {
      const point = pointOf(fact, attribute)!;
      const evidence = positionEvidence(fact, attribute, point);
      const was = s.inside;
      const before = s.last;
      s.inside = inside(point);
      s.last = evidence;
      let kind: 'raise' | 'clear' | undefined;
      if (on === 'both') kind = h.decide(s.latch, s.inside ? 1 : 0, fact.t);
      else if (was !== s.inside && s.inside === (on === 'enter') && s.latch.raisedAt !== fact.t) {
        s.latch.raisedAt = fact.t;
        kind = 'raise';
      }
      if (kind)
        out.push({
          kind,
          key,
          at: fact.t,
          evidence: before ? [before, evidence] : [evidence],
          detail: { transition: s.inside ? 'enter' : 'leave', on },
        });
    },
    size: () => 3,
  };
}
