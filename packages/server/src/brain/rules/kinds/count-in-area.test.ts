import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fact } from '../engine/evaluator.js';
import { evaluateBatch } from '../engine/evaluate-batch.js';
import { KeyedEngine, type EngineOutput } from '../engine/keyed-engine.js';
import type { CountInAreaRule } from '../rule-schema.js';
import { countInAreaEvaluator } from './count-in-area.js';
import { brief, expectIncrementalAsBatch, standing, timedFacts } from './testing/engine-check.js';

const SQUARE = {
  type: 'MultiPolygon' as const,
  coordinates: [
    [
      [
        [0, 0],
        [10, 0],
        [10, 10],
        [0, 10],
        [0, 0],
      ],
    ],
  ],
};
const IN = { type: 'Point', coordinates: [5, 5] };
const OUT = { type: 'Point', coordinates: [20, 5] };

const rule = (over: Partial<CountInAreaRule> = {}): CountInAreaRule => ({
  id: 'crowd',
  name: 'crowd',
  kind: 'countInArea',
  status: 'active',
  severity: 'high',
  category: 'mobility',
  select: { entityType: 'Thing' },
  attribute: 'location',
  area: SQUARE,
  operator: '>',
  value: 1,
  ...over,
});

const fact = (entity: string, t: number, attrs: Record<string, unknown>, seq: number): Fact => ({
  entityId: entity,
  entityType: 'Thing',
  t: t * 1000,
  seq,
  attrs,
});

describe('the count-in-area rule', () => {
  it('counts last known positions inside, clearing once the clear has held', () => {
    const r = rule({ clear: { operator: '<', value: 1, forSeconds: 5 } });
    const input = [
      fact('a', 1, { location: IN }, 0),
      fact('b', 2, { location: IN }, 1), // 2 inside: raised
      fact('a', 3, { location: OUT }, 2),
      fact('b', 4, { location: OUT }, 3), // 0 inside: clearing from 4
      fact('c', 6, { location: IN }, 4), // 1: the clear starts again
      fact('c', 7, { location: OUT }, 5), // 0 from 7: cleared at 12
    ];
    const signals = evaluateBatch(countInAreaEvaluator(r), input, 60_000);
    expect(signals.map((s) => [s.key, ...brief([s])[0]!])).toEqual([
      ['all', 'raise', 2, 2],
      ['all', 'clear', 12, 0],
    ]);
  });

  it('counts only the entities whose last known value meets `where`', () => {
    const r = rule({ value: 0, where: { attribute: 'v', operator: '>=', value: 5 } });
    const input = [
      fact('a', 1, { location: IN, v: 3 }, 0),
      fact('b', 2, { location: OUT, v: 9 }, 1),
      fact('a', 3, { v: 7 }, 2), // still inside, now meets it: 1
      fact('a', 4, { v: 1 }, 3), // 0
    ];
    expect(brief(evaluateBatch(countInAreaEvaluator(r), input, 60_000))).toEqual([
      ['raise', 3, 1],
      ['clear', 4, 0],
    ]);
  });

  it('takes back a count a late fact changed, and ignores what is older than the watermark', () => {
    const engine = new KeyedEngine(countInAreaEvaluator(rule()));
    const out: EngineOutput[] = [];
    engine.ingest(fact('a', 1, { location: IN }, 0), out);
    engine.ingest(fact('b', 3, { location: IN }, 2), out);
    expect(brief(standing(out))).toEqual([['raise', 3, 2]]);
    engine.ingest(fact('a', 2, { location: OUT }, 1), out); // late: a had left
    expect(standing(out)).toEqual([]);
    engine.advanceTo(10_000, out);
    engine.ingest(fact('c', 5, { location: IN }, 3), out); // older than the watermark
    expect(engine.stats).toMatchObject({ reordered: 1, tooLate: 1 });
    expect(standing(out)).toEqual([]);
  });

  it('gives the signals of a batch evaluation when facts arrive out of order within the lag', () => {
    const lag = 4000;
    const rules = fc.record({
      operator: fc.constantFrom('>' as const, '>=' as const, '<' as const),
      value: fc.integer({ min: 0, max: 3 }),
      where: fc.option(
        fc.record({
          attribute: fc.constant('v'),
          operator: fc.constant('>' as const),
          value: fc.constant(4),
        }),
        { nil: undefined },
      ),
      clear: fc.option(
        fc.record({
          operator: fc.constant('<=' as const),
          value: fc.integer({ min: 0, max: 2 }),
          forSeconds: fc.constantFrom(0, 2),
        }),
        { nil: undefined },
      ),
    });
    const input = timedFacts({
      entities: ['a', 'b', 'c', 'd'],
      attrs: fc.record(
        { location: fc.constantFrom(IN, OUT), v: fc.integer({ min: 0, max: 9 }) },
        { requiredKeys: [] },
      ),
      maxStepSeconds: 2,
      lagMs: lag,
    });
    fc.assert(
      fc.property(rules, input, (over, timed) => {
        expectIncrementalAsBatch(() => countInAreaEvaluator(rule(over)), timed, lag);
      }),
      { numRuns: 300 },
    );
  });
});
