import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluatorFor } from '../kinds/index.js';
import { expectIncrementalAsBatch, ids, timedFacts } from '../kinds/testing/engine-check.js';
import { aggregateFamilyEvaluator } from '../kinds/aggregate.js';
import type { AggregateRule, Rule } from '../rule-schema.js';
import type { Fact, Signal } from './evaluator.js';
import { groupEvaluator, type SingleKeyEvaluator } from './group-evaluator.js';
import { evaluateBatch } from './evaluate-batch.js';

const common = { name: 'r', severity: 'high', category: 'c' } as const;
const thing = (area?: string) => ({ entityType: 'Thing', ...(area && { area }) });

/** Rules of every kind keyed by entity, over one type, some of one area. */
const RULES: Rule[] = [
  {
    ...common,
    id: 't1',
    kind: 'threshold',
    select: thing(),
    attribute: 'v',
    operator: '>',
    value: 5,
  },
  {
    ...common,
    id: 't2',
    kind: 'threshold',
    select: thing('north'),
    attribute: 'v',
    operator: '>',
    value: 3,
    forSeconds: 2,
    clear: { operator: '<', value: 2, forSeconds: 1 },
  },
  {
    ...common,
    id: 'a1',
    kind: 'aggregate',
    select: thing(),
    attribute: 'w',
    function: 'avg',
    window: { type: 'sliding', sizeSeconds: 6, slideSeconds: 2 },
    operator: '>',
    value: 4,
  },
  { ...common, id: 'ab', kind: 'absence', select: thing('south'), silentForSeconds: 4 },
  {
    ...common,
    id: 'r1',
    kind: 'rate',
    select: thing(),
    attribute: 'w',
    overSeconds: 3,
    perSeconds: 1,
    operator: '>',
    value: 2,
  },
];
const AREAS: Record<string, string> = { a: 'north', b: 'north', c: 'south' };
const byEntity = (fact: Fact) => fact.entityId;
const members = () => RULES.map((r) => evaluatorFor(r) as SingleKeyEvaluator);
/** The area each member selects: the group offers a fact only to the members of its area. */
const AREA_OF_MEMBER = RULES.map((r) => ('select' in r ? r.select.area : undefined));

const FACTS = timedFacts({
  entities: ['a', 'b', 'c'],
  attrs: fc.oneof(
    fc.record({ v: fc.integer({ min: 0, max: 9 }) }),
    fc.record({ w: fc.integer({ min: 0, max: 9 }) }),
    fc.record({ v: fc.integer({ min: 0, max: 9 }), w: fc.integer({ min: 0, max: 9 }) }),
  ),
  context: (entity) => ({ areaServed: AREAS[entity] }),
  maxStepSeconds: 2,
  lagMs: 3000,
});

describe('a group of rules over the same keys', () => {
  it("gives each member's signals, as that rule alone would, marked with the member", () => {
    fc.assert(
      fc.property(FACTS, (timed) => {
        const facts = timed.map((x) => x.fact);
        const end = (facts.at(-1)?.t ?? 0) + 60_000;
        const grouped = evaluateBatch(
          groupEvaluator(members(), byEntity, AREA_OF_MEMBER),
          facts,
          end,
        );
        const alone = members().flatMap((m, i) =>
          evaluateBatch(m, facts, end).map((s) => ({ ...s, member: i })),
        );
        expect(ids(grouped)).toEqual(ids(alone));
      }),
      { numRuns: 200 },
    );
  });

  it('evaluated as facts arrive out of order, ends with the signals of the batch', () => {
    fc.assert(
      fc.property(FACTS, (timed) =>
        expectIncrementalAsBatch(
          () => groupEvaluator(members(), byEntity, AREA_OF_MEMBER),
          timed,
          3000,
        ),
      ),
      { numRuns: 200 },
    );
  });

  it('evaluates the levels of one aggregation over shared windows, each as it would alone', () => {
    const level = (id: string, value: number, clear?: number): AggregateRule => ({
      ...common,
      id,
      kind: 'aggregate',
      select: thing(),
      attribute: 'w',
      function: 'max',
      window: { type: 'sliding', sizeSeconds: 4, slideSeconds: 2 },
      operator: '>',
      value,
      ...(clear !== undefined && { clear: { operator: '<', value: clear, forSeconds: 2 } }),
    });
    // Two levels of one aggregation (a warning, an alarm that clears slowly), another alone.
    const rules = [level('warn', 4), level('other', 5), level('alarm', 7, 3)];
    rules[1] = { ...rules[1]!, function: 'avg' };
    const evaluator = () =>
      groupEvaluator(
        [
          aggregateFamilyEvaluator([rules[0]!, rules[2]!]),
          evaluatorFor(rules[1]!),
        ] as SingleKeyEvaluator[],
        byEntity,
        undefined,
        [[0, 2], [1]],
      );
    /** A signal as a reader sees it: what, when, which rule, its value and evidence. */
    const full = (signals: readonly Signal[]) =>
      signals
        .map((x) => JSON.stringify([x.key, x.at, x.kind, x.member, x.value, x.evidence, x.detail]))
        .sort();
    fc.assert(
      fc.property(FACTS, (timed) => {
        const facts = timed.map((x) => x.fact);
        const end = (facts.at(-1)?.t ?? 0) + 60_000;
        const alone = rules.flatMap((r, i) =>
          evaluateBatch(evaluatorFor(r), facts, end).map((x) => ({ ...x, member: i })),
        );
        expect(full(evaluateBatch(evaluator(), facts, end))).toEqual(full(alone));
        expectIncrementalAsBatch(evaluator, timed, 3000);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps no state for a key that no member reads', () => {
    const group = groupEvaluator(members().slice(1, 2), byEntity); // t2: the north only
    const south: Fact = {
      entityId: 'c',
      entityType: 'Thing',
      t: 0,
      seq: 0,
      attrs: { v: 9 },
      context: { areaServed: 'south' },
    };
    expect(group.keyOf(south)).toBeUndefined();
    expect(group.keyOf({ ...south, entityId: 'a', context: { areaServed: 'north' } })).toBe('a');
  });

  it('offers a fact only to the members of every area and of its own', () => {
    const seen: number[] = [];
    const spy = members().map((m, i) => ({
      ...m,
      keyOf: (fact: Fact) => (seen.push(i), m.keyOf(fact)),
    }));
    const group = groupEvaluator(spy, byEntity, AREA_OF_MEMBER);
    const fact = (entityId: string, areaServed?: string): Fact => ({
      entityId,
      entityType: 'Thing',
      t: 0,
      seq: 0,
      attrs: { v: 9, w: 1 },
      ...(areaServed && { context: { areaServed } }),
    });
    const asked = (f: Fact) => {
      seen.length = 0;
      group.observe(group.create(f.entityId), f, f.entityId, []);
      return [...new Set(seen)];
    };
    expect(asked(fact('a', 'north'))).toEqual([0, 1, 2, 4]); // not the south's absence
    expect(asked(fact('c', 'south'))).toEqual([0, 2, 3, 4]); // not the north's threshold
    expect(asked(fact('x', 'east'))).toEqual([0, 2, 4]);
    expect(asked(fact('y'))).toEqual([0, 2, 4]);
  });
});
