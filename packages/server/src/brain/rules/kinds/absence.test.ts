import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fact } from '../engine/evaluator.js';
import { evaluateBatch } from '../engine/evaluate-batch.js';
import { KeyedEngine, type EngineOutput } from '../engine/keyed-engine.js';
import type { AbsenceRule } from '../rule-schema.js';
import { absenceEvaluator } from './absence.js';
import { brief, expectIncrementalAsBatch, standing, timedFacts } from './testing/engine-check.js';

const rule = (silentForSeconds: number): AbsenceRule => ({
  id: 'silent',
  name: 'silent',
  kind: 'absence',
  status: 'active',
  severity: 'medium',
  category: 'devices',
  select: { entityType: 'Thing' },
  silentForSeconds,
});

const fact = (entity: string, t: number, seq: number): Fact => ({
  entityId: entity,
  entityType: 'Thing',
  t: t * 1000,
  seq,
  attrs: {},
});

describe('the absence rule', () => {
  it('raises at the deadline and clears at the next fact', () => {
    const input = [fact('a', 0, 0), fact('b', 2, 1), fact('a', 5, 2), fact('a', 30, 3)];
    const signals = evaluateBatch(absenceEvaluator(rule(10)), input, 100_000);
    expect(signals.map((s) => [s.key, ...brief([s])[0]!])).toEqual([
      ['a', 'raise', 15, 10],
      ['a', 'clear', 30, 25],
      ['a', 'raise', 40, 10],
      ['b', 'raise', 12, 10],
    ]);
    expect(signals[0]!.detail).toMatchObject({ lastSeen: 5000 });
  });

  it('moves the deadline when a late fact comes, and ignores what is older than the watermark', () => {
    const engine = new KeyedEngine(absenceEvaluator(rule(10)));
    const out: EngineOutput[] = [];
    engine.ingest(fact('a', 0, 0), out);
    engine.ingest(fact('a', 20, 2), out); // silent from 0: raised at 10, cleared at 20
    expect(brief(standing(out))).toEqual([
      ['raise', 10, 10],
      ['clear', 20, 20],
    ]);
    engine.ingest(fact('a', 8, 1), out); // late: silent only from 8
    engine.advanceTo(25_000, out);
    engine.ingest(fact('a', 22, 3), out); // older than the watermark
    engine.advanceTo(60_000, out);
    expect(engine.stats).toMatchObject({ reordered: 1, tooLate: 1 });
    // The clear at 20 stands as emitted: the engine reconciles signals by (key, kind, at).
    const byTime = standing(out).sort((x, y) => x.at - y.at);
    expect(byTime.map((s) => [s.kind, s.at / 1000])).toEqual([
      ['raise', 18],
      ['clear', 20],
      ['raise', 30],
    ]);
  });

  it('gives the signals of a batch evaluation when facts arrive out of order within the lag', () => {
    const lag = 4000;
    const input = timedFacts({
      entities: ['a', 'b', 'c'],
      attrs: fc.constant({}),
      maxStepSeconds: 3,
      lagMs: lag,
    });
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 3, 5), input, (silent, timed) => {
        expectIncrementalAsBatch(() => absenceEvaluator(rule(silent)), timed, lag);
      }),
      { numRuns: 300 },
    );
  });
});
