import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fact } from '../engine/evaluator.js';
import { evaluateBatch } from '../engine/evaluate-batch.js';
import { KeyedEngine, type EngineOutput } from '../engine/keyed-engine.js';
import type { AggregateCondition, CorrelationRule } from '../rule-schema.js';
import { correlationEvaluator } from './correlation.js';
import { brief, expectIncrementalAsBatch, standing, timedFacts } from './testing/engine-check.js';

const NOISY: AggregateCondition = {
  label: 'noisy',
  select: { entityType: 'Noise' },
  function: 'count',
  window: { type: 'tumbling', sizeSeconds: 10 },
  groupBy: 'area',
  operator: '>',
  value: 1,
};
const SMOGGY: AggregateCondition = {
  label: 'smoggy',
  select: { entityType: 'Air' },
  attribute: 'pm25',
  function: 'avg',
  window: { type: 'tumbling', sizeSeconds: 10 },
  groupBy: 'area',
  operator: '>',
  value: 50,
};

const rule = (withinSeconds: number, conditions = [NOISY, SMOGGY]): CorrelationRule => ({
  id: 'smog-and-noise',
  name: 'smog and noise',
  kind: 'correlation',
  status: 'active',
  severity: 'high',
  category: 'environment',
  conditions,
  withinSeconds,
});

const AREAS: Record<string, string> = { n1: 'north', s1: 'north', n2: 'south', s2: 'south' };
const typeOf = (entity: string) => (entity.startsWith('n') ? 'Noise' : 'Air');

const fact = (entity: string, t: number, pm25: number, seq: number): Fact => ({
  entityId: entity,
  entityType: typeOf(entity),
  t: t * 1000,
  seq,
  attrs: { pm25 },
  context: { areaServed: AREAS[entity] },
});

describe('the correlation rule', () => {
  it('raises an area when every condition held within withinSeconds, clears when one lapses', () => {
    const input = [
      fact('n1', 1, 0, 0),
      fact('n1', 2, 0, 1), // noisy in [0,10)
      fact('n2', 3, 0, 2),
      fact('n2', 4, 0, 3), // noisy in the south, which is not smoggy
      fact('s1', 5, 60, 4), // smoggy in [0,10): raised at 10
      fact('n1', 12, 0, 5), // not noisy in [10,20)
      fact('s1', 15, 70, 6), // smoggy at 20, but noisy last at 10: lapses just after 20
    ];
    const signals = evaluateBatch(correlationEvaluator(rule(10)), input, 100_000);
    expect(signals.map((s) => [s.key, ...brief([s])[0]!])).toEqual([
      ['north', 'raise', 10],
      ['north', 'clear', 20.001],
    ]);
    expect(signals[0]!.evidence.map((e) => e.entityId)).toEqual(['n1', 'n1', 's1']);
    expect(signals[0]!.detail).toMatchObject({
      conditions: [
        { label: 'noisy', value: 2, trueAt: 10_000 },
        { label: 'smoggy', value: 60, trueAt: 10_000 },
      ],
    });
  });

  it('counts conditions withinSeconds apart as together, and farther apart as not', () => {
    const input = [fact('n1', 1, 0, 0), fact('n1', 2, 0, 1), fact('s1', 25, 60, 2)];
    expect(evaluateBatch(correlationEvaluator(rule(19)), input, 100_000)).toEqual([]);
    expect(brief(evaluateBatch(correlationEvaluator(rule(20)), input, 100_000))).toEqual([
      ['raise', 30],
      ['clear', 30.001],
    ]);
  });

  it('raises when a late fact makes a condition true, and ignores what is older than the watermark', () => {
    const engine = new KeyedEngine(correlationEvaluator(rule(10)));
    const out: EngineOutput[] = [];
    engine.ingest(fact('n1', 1, 0, 0), out);
    engine.ingest(fact('s1', 5, 60, 2), out);
    engine.ingest(fact('s1', 12, 10, 3), out); // [0,10) closed: smoggy, but one noise only
    expect(out).toEqual([]);
    engine.ingest(fact('n1', 2, 0, 1), out); // late: two noises in [0,10)
    expect(brief(standing(out))).toEqual([['raise', 10]]);
    engine.advanceTo(15_000, out);
    engine.ingest(fact('n1', 14, 0, 4), out); // older than the watermark
    engine.advanceTo(60_000, out);
    expect(engine.stats).toMatchObject({ reordered: 1, tooLate: 1 });
    expect(brief(standing(out))).toEqual([
      ['raise', 10],
      ['clear', 20.001],
    ]);
  });

  it('gives the signals of a batch evaluation when facts arrive out of order within the lag', () => {
    const lag = 4000;
    const windows = fc.oneof(
      fc.record({ type: fc.constant('tumbling' as const), sizeSeconds: fc.constantFrom(2, 5) }),
      fc.record({
        type: fc.constant('sliding' as const),
        sizeSeconds: fc.constant(4),
        slideSeconds: fc.constantFrom(1, 3),
      }),
    );
    const noisy = fc.record({
      window: windows,
      operator: fc.constantFrom('>' as const, '<' as const),
      value: fc.integer({ min: 0, max: 2 }),
    });
    const smoggy = fc.record({
      window: windows,
      function: fc.constantFrom('avg' as const, 'max' as const, 'sum' as const),
      value: fc.integer({ min: 20, max: 80 }),
    });
    const input = timedFacts({
      entities: ['n1', 'n2', 's1', 's2'],
      attrs: fc.record({ pm25: fc.integer({ min: 0, max: 99 }) }),
      context: (e) => ({ areaServed: AREAS[e] }),
      typeOf,
      maxStepSeconds: 2,
      lagMs: lag,
    });
    fc.assert(
      fc.property(noisy, smoggy, fc.integer({ min: 1, max: 8 }), input, (n, s, within, timed) => {
        const r = rule(within, [
          { ...NOISY, ...n },
          { ...SMOGGY, ...s },
        ]);
        expectIncrementalAsBatch(() => correlationEvaluator(r), timed, lag);
      }),
      { numRuns: 300 },
    );
  });
});
