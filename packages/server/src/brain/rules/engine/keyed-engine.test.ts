import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thresholdEvaluator } from '../kinds/threshold.js';
import type { ThresholdRule } from '../rule-schema.js';
import { ids, runIncremental, runTimed, standing } from '../kinds/testing/engine-check.js';
import type { Fact } from './evaluator.js';
import { evaluateBatch } from './evaluate-batch.js';
import { KeyedEngine, type EngineOutput } from './keyed-engine.js';

const RULE: ThresholdRule = {
  id: 'hot',
  name: 'hot',
  kind: 'threshold',
  status: 'active',
  severity: 'high',
  category: 'environment',
  select: { entityType: 'Sensor' },
  attribute: 'v',
  operator: '>',
  value: 5,
  forSeconds: 3,
  clear: { operator: '<', value: 3, forSeconds: 2 },
};
const INSTANT: ThresholdRule = { ...RULE, forSeconds: 0, clear: undefined };

const fact = (entity: string, t: number, v: number, seq: number): Fact => ({
  entityId: entity,
  entityType: 'Sensor',
  t: t * 1000,
  seq,
  attrs: { v },
});

describe('the keyed event-time engine', () => {
  it('raises at the deadline and clears with hysteresis, by event time', () => {
    const facts = [
      fact('a', 0, 6, 0),
      fact('a', 1, 7, 1),
      fact('a', 5, 4, 2), // raised at t=3 (deadline), 4 is not yet "clear" (< 3)
      fact('a', 6, 2, 3),
      fact('a', 9, 2, 4), // clear held 2 s: cleared at t=8
    ];
    const signals = evaluateBatch(thresholdEvaluator(RULE), facts, 20_000);
    expect(signals.map((s) => [s.kind, s.at / 1000])).toEqual([
      ['raise', 3],
      ['clear', 8],
    ]);
    expect(signals[0]!.evidence.map((e) => e.value)).toEqual([6, 7]);
  });

  it('replays a key when a fact comes late, taking back what no longer holds', () => {
    const engine = new KeyedEngine(
      thresholdEvaluator({ ...RULE, forSeconds: 2, clear: undefined }),
    );
    const out: EngineOutput[] = [];
    engine.ingest(fact('a', 0, 6, 0), out);
    engine.ingest(fact('a', 3, 6, 2), out); // raised at the deadline t=2
    expect(out.map((o) => [o.type, o.signal.kind, o.signal.at])).toEqual([['emit', 'raise', 2000]]);
    engine.ingest(fact('a', 1, 1, 1), out); // late: the value dropped at t=1
    expect(out.slice(1).map((o) => [o.type, o.signal.kind, o.signal.at])).toEqual([
      ['retract', 'raise', 2000],
    ]);
    expect(engine.stats.reordered).toBe(1);
    engine.advanceTo(10_000, out);
    // Breach again from t=3, held for 2 s: raised at t=5.
    expect(standing(out).map((s) => [s.kind, s.at])).toEqual([['raise', 5000]]);
  });

  it('revises a standing signal whose value a late fact changed, without raising it again', () => {
    const engine = new KeyedEngine(
      thresholdEvaluator({ ...RULE, forSeconds: 2, clear: undefined }),
    );
    const out: EngineOutput[] = [];
    engine.ingest(fact('a', 0, 6, 0), out);
    engine.ingest(fact('a', 3, 7, 2), out); // raised at the deadline t=2, the last value 6
    expect(out.map((o) => [o.type, o.signal.at, o.signal.value])).toEqual([['emit', 2000, 6]]);
    engine.ingest(fact('a', 1, 9, 1), out); // late: 9 at t=1, still breaching
    const revised = out.slice(1);
    expect(revised.map((o) => [o.type, o.signal.kind, o.signal.at, o.signal.value])).toEqual([
      ['revise', 'raise', 2000, 9],
    ]);
    expect(revised[0]!.type === 'revise' && revised[0]!.previous.value).toBe(6);
    expect(revised[0]!.signal.evidence.map((e) => e.value)).toEqual([6, 9]);
  });

  it('ignores facts older than the watermark and counts them', () => {
    const engine = new KeyedEngine(thresholdEvaluator(RULE));
    engine.ingest(fact('a', 10, 6, 0));
    engine.advanceTo(9_000);
    engine.ingest(fact('a', 8, 1, 1));
    expect(engine.stats.tooLate).toBe(1);
  });

  it('gives the signals of a batch evaluation when facts arrive out of order within the lag', () => {
    const lag = 4000;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            entity: fc.constantFrom('a', 'b', 'c'),
            step: fc.integer({ min: 0, max: 2 }),
            v: fc.integer({ min: 0, max: 9 }),
            delay: fc.integer({ min: 0, max: lag - 1 }),
          }),
          { maxLength: 80, size: 'max' },
        ),
        (items) => {
          let t = 0;
          const timed = items.map((item, seq) => {
            t += item.step * 1000;
            return { fact: fact(item.entity, t / 1000, item.v, seq), arrival: t + item.delay, seq };
          });
          const arrivals = [...timed]
            .sort((x, y) => x.arrival - y.arrival || x.seq - y.seq)
            .map((x) => x.fact);
          const end = t + 60_000;
          for (const rule of [RULE, INSTANT]) {
            const { out, engine } = runIncremental(thresholdEvaluator(rule), arrivals, lag, end);
            expect(engine.stats.tooLate).toBe(0);
            const facts = timed.map((x) => x.fact);
            const batch = evaluateBatch(thresholdEvaluator(rule), facts, end);
            expect(ids(standing(out))).toEqual(ids(batch));
            const arrived = timed.map((x) => ({ fact: x.fact, arrival: x.arrival }));
            arrived.sort((x, y) => x.arrival - y.arrival || x.fact.seq - y.fact.seq);
            const onClock = runTimed(thresholdEvaluator(rule), arrived, lag, end);
            expect(onClock.engine.stats.tooLate).toBe(0);
            expect(ids(standing(onClock.out))).toEqual(ids(batch));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
