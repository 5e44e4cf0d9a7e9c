import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fact, Signal } from '../engine/evaluator.js';
import { evaluateBatch } from '../engine/evaluate-batch.js';
import { KeyedEngine, type EngineOutput } from '../engine/keyed-engine.js';
import type { RateRule } from '../rule-schema.js';
import { rateEvaluator } from './rate.js';
import { brief, expectIncrementalAsBatch, standing, timedFacts } from './testing/engine-check.js';

const rule = (over: Partial<RateRule> = {}): RateRule => ({
  id: 'rising',
  name: 'rising',
  kind: 'rate',
  status: 'active',
  severity: 'high',
  category: 'environment',
  select: { entityType: 'Thing' },
  attribute: 'v',
  overSeconds: 10,
  perSeconds: 60,
  operator: '>',
  value: 30,
  ...over,
});

const fact = (t: number, v: number, seq: number): Fact => ({
  entityId: 'a',
  entityType: 'Thing',
  t: t * 1000,
  seq,
  attrs: { v },
});

describe('the rate rule', () => {
  it('keeps the right reference through a long dense series (old samples dropped in steps)', () => {
    // Every 100 ms for 60 s, v = t²/1000 (s): the slope over 10 s from t−10 to t is 2t − 10
    // per second. Every rate decided must be that of the sample exactly 10 s before.
    const input = Array.from({ length: 600 }, (_, i) => fact(i / 10, (i / 10) ** 2 / 1000, i));
    const r = rule({ perSeconds: 1, value: 0.05 });
    const ev = rateEvaluator(r);
    const s = ev.create('a');
    const out: Signal[] = [];
    for (const f of input) ev.observe(s, f, 'a', out);
    const rates = out.map((o) => [o.at, o.value!] as const);
    // Raised once the slope passes 0.05/s: (2t − 10)/1000 > 0.05 from t = 30 s on.
    expect(rates).toHaveLength(1);
    const [at, value] = rates[0]!;
    expect(at).toBe(30_100);
    expect(value).toBeCloseTo((2 * 30.1 - 10) / 1000, 9);
    // What is kept: the samples of the last 10 s and the one before them.
    expect(ev.size!(s)).toBe(102);
  });

  it('takes the slope from the newest sample at least overSeconds old, per perSeconds', () => {
    const input = [
      fact(0, 0, 0),
      fact(5, 2, 1), // no sample 10 s old yet: no rate
      fact(10, 6, 2), // from t=0: 6 in 10 s = 36/min
      fact(15, 8, 3), // from t=5: 36/min
      fact(20, 9, 4), // from t=10: 18/min
      fact(40, 30, 5), // from t=20, 20 s earlier: 63/min
    ];
    expect(brief(evaluateBatch(rateEvaluator(rule()), input, 100_000))).toEqual([
      ['raise', 10, 36],
      ['clear', 20, 18],
      ['raise', 40, 63],
    ]);
  });

  it('takes back a rate a late sample changed, and ignores what is older than the watermark', () => {
    const engine = new KeyedEngine(rateEvaluator(rule()));
    const out: EngineOutput[] = [];
    engine.ingest(fact(0, 0, 0), out);
    engine.ingest(fact(12, 12, 2), out); // 60/min from t=0
    expect(brief(standing(out))).toEqual([['raise', 12, 60]]);
    engine.ingest(fact(2, 10, 1), out); // late: from t=2 it is 12/min
    expect(out.at(-1)).toMatchObject({ type: 'retract', signal: { kind: 'raise', at: 12_000 } });
    engine.advanceTo(20_000, out);
    engine.ingest(fact(15, 100, 3), out); // older than the watermark
    engine.ingest(fact(30, 40, 4), out); // from t=12: 28 in 18 s
    expect(engine.stats).toMatchObject({ reordered: 1, tooLate: 1 });
    expect(standing(out).map((s) => [s.kind, s.at, s.value!.toFixed(2)])).toEqual([
      ['raise', 30_000, '93.33'],
    ]);
  });

  it('gives the signals of a batch evaluation when facts arrive out of order within the lag', () => {
    const lag = 4000;
    const rules = fc.record({
      overSeconds: fc.constantFrom(1, 2, 5),
      perSeconds: fc.constantFrom(1, 60),
      operator: fc.constantFrom('>' as const, '<' as const),
      value: fc.integer({ min: -5, max: 5 }),
    });
    const input = timedFacts({
      entities: ['a', 'b'],
      attrs: fc.record({ v: fc.integer({ min: 0, max: 9 }) }),
      maxStepSeconds: 2,
      lagMs: lag,
    });
    fc.assert(
      fc.property(rules, input, (over, timed) => {
        expectIncrementalAsBatch(() => rateEvaluator(rule(over)), timed, lag);
      }),
      { numRuns: 300 },
    );
  });
});
