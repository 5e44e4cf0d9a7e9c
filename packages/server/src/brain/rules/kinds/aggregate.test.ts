import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fact } from '../engine/evaluator.js';
import { evaluateBatch } from '../engine/evaluate-batch.js';
import { KeyedEngine, type EngineOutput } from '../engine/keyed-engine.js';
import { AGGREGATES, type AggregateRule } from '../rule-schema.js';
import { aggregateEvaluator } from './aggregate.js';
import { brief, expectIncrementalAsBatch, standing, timedFacts } from './testing/engine-check.js';

const rule = (over: Partial<AggregateRule>): AggregateRule => ({
  id: 'agg',
  name: 'agg',
  kind: 'aggregate',
  status: 'active',
  severity: 'high',
  category: 'environment',
  select: { entityType: 'Thing' },
  attribute: 'v',
  function: 'avg',
  window: { type: 'tumbling', sizeSeconds: 10 },
  groupBy: 'entity',
  operator: '>',
  value: 5,
  ...over,
});

const AREAS: Record<string, string> = { a: 'north', b: 'north', c: 'south' };

const fact = (entity: string, t: number, v: number, seq: number): Fact => ({
  entityId: entity,
  entityType: 'Thing',
  t: t * 1000,
  seq,
  attrs: { v },
  ...(AREAS[entity] && { context: { areaServed: AREAS[entity] } }),
});

const facts = (entity: string, points: [number, number][]) =>
  points.map(([t, v], i) => fact(entity, t, v, i));

describe('the aggregate rule', () => {
  it('decides each tumbling window at its end, clearing with hysteresis', () => {
    const r = rule({ clear: { operator: '<', value: 3 } });
    const input = facts('a', [
      [1, 6],
      [4, 8],
      [12, 4],
      [25, 1],
      [27, 2],
    ]);
    const signals = evaluateBatch(aggregateEvaluator(r), input, 100_000);
    // [0,10) avg 7: raised; [10,20) avg 4 is not below 3; [20,30) avg 1.5 clears.
    expect(brief(signals)).toEqual([
      ['raise', 10, 7],
      ['clear', 30, 1.5],
    ]);
    expect(signals[0]!.evidence.map((e) => e.value)).toEqual([6, 8]);
    expect(signals[0]!.detail).toMatchObject({ window: { start: 0, end: 10_000 }, count: 2 });
  });

  it('takes the nearest-rank percentile of overlapping sliding windows', () => {
    const r = rule({
      function: 'percentile',
      percentile: 90,
      window: { type: 'sliding', sizeSeconds: 10, slideSeconds: 5 },
      groupBy: 'all',
      operator: '>=',
      value: 50,
    });
    const input = facts('a', [
      [1, 10],
      [3, 20],
      [6, 60],
      [8, 30],
      [12, 40],
      [17, 10],
    ]);
    // [0,10): 10 20 30 60 → 60; [5,15): 30 40 60 → 60; [10,20): 10 40 → 40.
    expect(brief(evaluateBatch(aggregateEvaluator(r), input, 100_000))).toEqual([
      ['raise', 10, 60],
      ['clear', 20, 40],
    ]);
  });

  it('ranks percentiles without rounding errors', () => {
    const r = rule({ function: 'percentile', percentile: 14, operator: '>=', value: 0 });
    const input = facts(
      'a',
      Array.from({ length: 50 }, (_, i) => [i / 10, i + 1] as [number, number]),
    );
    // Nearest rank: ceil(14 % of 50) = the 7th value (0.14 × 50 is 7.000000000000001 in floats).
    expect(brief(evaluateBatch(aggregateEvaluator(r), input, 20_000))).toEqual([['raise', 10, 7]]);
  });

  it('counts per area, an empty window counting 0, and clears after the clear has held', () => {
    const r = rule({
      function: 'count',
      attribute: undefined,
      groupBy: 'area',
      value: 2,
      clear: { operator: '<', value: 1, forSeconds: 20 },
    });
    const input = [
      fact('a', 1, 0, 0),
      fact('b', 2, 0, 1),
      fact('a', 3, 0, 2),
      fact('c', 4, 0, 3),
      fact('d', 5, 0, 4), // no area: not counted anywhere
      fact('b', 35, 0, 5), // [30,40) is not empty: the clear starts again at 50
    ];
    const signals = evaluateBatch(aggregateEvaluator(r), input, 3_600_000);
    expect(signals.map((s) => [s.key, ...brief([s])[0]!])).toEqual([
      ['north', 'raise', 10, 3],
      ['north', 'clear', 70, 0],
    ]);
  });

  it('takes back a window a late fact changed, and ignores what is older than the watermark', () => {
    const engine = new KeyedEngine(aggregateEvaluator(rule({})));
    const out: EngineOutput[] = [];
    engine.ingest(fact('a', 1, 6, 0), out);
    engine.ingest(fact('a', 12, 6, 1), out); // [0,10) closes: avg 6
    expect(out.map((o) => [o.type, o.signal.kind, o.signal.at])).toEqual([
      ['emit', 'raise', 10_000],
    ]);
    engine.ingest(fact('a', 5, 0, 2), out); // late, inside the lag: [0,10) is avg 3
    expect(out.slice(1).map((o) => [o.type, o.signal.kind, o.signal.at])).toEqual([
      ['retract', 'raise', 10_000],
    ]);
    engine.ingest(fact('a', 15, 9, 3), out);
    engine.advanceTo(30_000, out); // [10,20) avg 7.5
    engine.ingest(fact('a', 25, 100, 4), out); // older than the watermark
    engine.advanceTo(60_000, out);
    expect(engine.stats).toMatchObject({ reordered: 1, tooLate: 1 });
    expect(brief(standing(out))).toEqual([['raise', 20, 7.5]]);
  });

  it('refuses an aggregate that cannot be computed', () => {
    expect(() => aggregateEvaluator(rule({ attribute: undefined }))).toThrow(/needs an attribute/);
    expect(() => aggregateEvaluator(rule({ function: 'percentile' }))).toThrow(/percentile/);
  });

  it('gives the signals of a batch evaluation when facts arrive out of order within the lag', () => {
    const lag = 4000;
    const rules = fc.record({
      function: fc.constantFrom(...AGGREGATES),
      percentile: fc.integer({ min: 0, max: 100 }),
      window: fc.oneof(
        fc.record({ type: fc.constant('tumbling' as const), sizeSeconds: fc.constantFrom(2, 5) }),
        fc.record({
          type: fc.constant('sliding' as const),
          sizeSeconds: fc.constantFrom(3, 6),
          slideSeconds: fc.constantFrom(1, 2, 4, 8),
        }),
      ),
      groupBy: fc.constantFrom('entity' as const, 'area' as const, 'all' as const),
      operator: fc.constantFrom('>' as const, '<=' as const),
      value: fc.integer({ min: 0, max: 12 }),
      clear: fc.option(
        fc.record({
          operator: fc.constant('<' as const),
          value: fc.integer({ min: 0, max: 6 }),
          forSeconds: fc.constantFrom(0, 3),
        }),
        { nil: undefined },
      ),
    });
    const input = timedFacts({
      entities: ['a', 'b', 'c', 'd'],
      attrs: fc.record({ v: fc.integer({ min: 0, max: 9 }) }),
      context: (e) => (AREAS[e] ? { areaServed: AREAS[e] } : {}),
      maxStepSeconds: 3,
      lagMs: lag,
    });
    fc.assert(
      fc.property(rules, input, (over, timed) => {
        const r = rule(over);
        if (r.operator === '>' && r.clear) r.clear.value = Math.min(r.clear.value, r.value);
        expectIncrementalAsBatch(() => aggregateEvaluator(r), timed, lag);
      }),
      { numRuns: 400 },
    );
  });
});
