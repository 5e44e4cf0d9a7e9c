import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fact } from '../engine/evaluator.js';
import { evaluateBatch } from '../engine/evaluate-batch.js';
import { KeyedEngine, type EngineOutput } from '../engine/keyed-engine.js';
import type { GeofenceRule } from '../rule-schema.js';
import { geofenceEvaluator } from './geofence.js';
import { brief, expectIncrementalAsBatch, standing, timedFacts } from './testing/engine-check.js';

const SQUARE = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
      [0, 0],
    ],
  ],
};
const IN = { type: 'Point', coordinates: [5, 5] };
const OUT = { type: 'Point', coordinates: [20, 5] };
const EDGE = { type: 'Point', coordinates: [10, 5] };

const rule = (on: GeofenceRule['on']): GeofenceRule => ({
  id: 'zone',
  name: 'zone',
  kind: 'geofence',
  status: 'active',
  severity: 'high',
  category: 'mobility',
  select: { entityType: 'Thing' },
  attribute: 'location',
  area: SQUARE,
  on,
});

const fact = (entity: string, t: number, location: unknown, seq: number): Fact => ({
  entityId: entity,
  entityType: 'Thing',
  t: t * 1000,
  seq,
  attrs: { location },
});

// a: out, in, in, out, in; b: first seen inside; c: on the boundary.
const TRIP = [
  fact('a', 1, OUT, 0),
  fact('a', 2, IN, 1),
  fact('a', 3, IN, 2),
  fact('a', 4, OUT, 3),
  fact('a', 5, IN, 4),
  fact('b', 1, IN, 5),
  fact('c', 1, EDGE, 6),
];
const run = (on: GeofenceRule['on']) =>
  evaluateBatch(geofenceEvaluator(rule(on)), TRIP, 60_000).map((s) => [s.key, ...brief([s])[0]!]);

describe('the geofence rule', () => {
  it('on both, raises on entering and clears on leaving', () => {
    expect(run('both')).toEqual([
      ['b', 'raise', 1],
      ['a', 'raise', 2],
      ['a', 'clear', 4],
      ['a', 'raise', 5],
    ]);
  });

  it('on enter or on leave, raises on each such crossing only', () => {
    expect(run('enter')).toEqual([
      ['b', 'raise', 1],
      ['a', 'raise', 2],
      ['a', 'raise', 5],
    ]);
    expect(run('leave')).toEqual([['a', 'raise', 4]]);
  });

  it('reads the position from the entity context when the fact has none', () => {
    const parked: Fact = { ...fact('d', 1, undefined, 0), attrs: {}, context: { location: IN } };
    const signals = evaluateBatch(geofenceEvaluator(rule('enter')), [parked], 60_000);
    expect(signals.map((s) => [s.key, s.kind, s.evidence[0]!.value])).toEqual([['d', 'raise', IN]]);
  });

  it('refuses an area that is no polygon', () => {
    expect(() =>
      geofenceEvaluator({ ...rule('enter'), area: { type: 'Polygon', coordinates: [[[0, 0]]] } }),
    ).toThrow(/polygon ring/);
  });

  it('moves a crossing a late fact reveals, and ignores what is older than the watermark', () => {
    const engine = new KeyedEngine(geofenceEvaluator(rule('both')));
    const out: EngineOutput[] = [];
    engine.ingest(fact('a', 1, OUT, 0), out);
    engine.ingest(fact('a', 3, IN, 2), out);
    expect(brief(standing(out))).toEqual([['raise', 3]]);
    engine.ingest(fact('a', 2, IN, 1), out); // late: it was inside at 2 already
    engine.advanceTo(10_000, out);
    engine.ingest(fact('a', 5, OUT, 3), out); // older than the watermark
    expect(engine.stats).toMatchObject({ reordered: 1, tooLate: 1 });
    expect(brief(standing(out))).toEqual([['raise', 2]]);
  });

  it('gives the signals of a batch evaluation when facts arrive out of order within the lag', () => {
    const lag = 4000;
    const input = timedFacts({
      entities: ['a', 'b'],
      attrs: fc.record({ location: fc.constantFrom(IN, OUT, EDGE) }),
      maxStepSeconds: 2,
      lagMs: lag,
    });
    const on = fc.constantFrom('enter' as const, 'leave' as const, 'both' as const);
    fc.assert(
      fc.property(on, input, (mode, timed) => {
        expectIncrementalAsBatch(() => geofenceEvaluator(rule(mode)), timed, lag);
      }),
      { numRuns: 300 },
    );
  });
});
