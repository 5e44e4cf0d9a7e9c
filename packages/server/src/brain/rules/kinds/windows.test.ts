import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fact } from '../engine/evaluator.js';
import { AGGREGATES } from '../rule-schema.js';
import { windowAggregator, type WindowedAggregate } from './windows.js';

const fact = (t: number, v: number, seq: number): Fact => ({
  entityId: 'e',
  entityType: 'Thing',
  t,
  seq,
  attrs: { v },
});

/** A window's value computed from the facts in it, the way the rule's words define it. */
function direct(spec: WindowedAggregate, facts: readonly Fact[], start: number, end: number) {
  const values = facts
    .filter((f) => f.t >= start && f.t < end)
    .map((f) => f.attrs.v as number)
    .sort((a, b) => a - b);
  const n = values.length;
  const sum = values.reduce((a, b) => a + b, 0);
  switch (spec.function) {
    case 'count':
      return { count: n, value: n };
    case 'sum':
      return { count: n, value: sum };
    case 'avg':
      return { count: n, value: n ? sum / n : undefined };
    case 'min':
      return { count: n, value: values[0] };
    case 'max':
      return { count: n, value: values.at(-1) };
    case 'percentile': {
      const rank = Math.max(1, Math.ceil((spec.percentile! * n) / 100));
      return { count: n, value: n ? values[rank - 1] : undefined };
    }
  }
}

const specs = fc.record({
  function: fc.constantFrom(...AGGREGATES),
  percentile: fc.integer({ min: 1, max: 100 }),
  size: fc.integer({ min: 1, max: 12 }),
  slide: fc.integer({ min: 1, max: 12 }),
  sliding: fc.boolean(),
});

describe('windows', () => {
  it('give every window the value of the facts in it, in order and late while it is open (property)', () => {
    fc.assert(
      fc.property(
        specs,
        fc.array(fc.tuple(fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: -50, max: 50 })), {
          maxLength: 60,
        }),
        fc.array(fc.integer({ min: 0, max: 8_000 }), { maxLength: 60 }),
        (s, points, lateness) => {
          const spec: WindowedAggregate = {
            attribute: 'v',
            function: s.function,
            percentile: s.percentile,
            window: s.sliding
              ? { type: 'sliding', sizeSeconds: s.size, slideSeconds: s.slide }
              : { type: 'tumbling', sizeSeconds: s.size },
          };
          const agg = windowAggregator(spec);
          const w = agg.create();
          // Facts come in event-time order, each held back by some lateness: a fact whose
          // windows are all still open is added late, the others are not added at all.
          const facts = points
            .map(([t, v], i) => ({ fact: fact(t, v, i), arrives: t + (lateness[i] ?? 0) }))
            .sort((a, b) => a.arrives - b.arrives || a.fact.seq - b.fact.seq);
          const added: Fact[] = [];
          const closed: ReturnType<typeof agg.closeNext>[] = [];
          let newest = -Infinity;
          for (const { fact: f } of facts) {
            if (f.t >= newest) {
              while (w.nextEnd !== undefined && w.nextEnd <= f.t - 1) closed.push(agg.closeNext(w));
              newest = f.t;
            } else if (!agg.absorbs(w, f)) continue;
            agg.add(w, f);
            added.push(f);
          }
          while (w.nextEnd !== undefined && w.nextEnd <= newest + 30_000)
            closed.push(agg.closeNext(w));
          for (const c of closed) {
            const { count, value } = direct(spec, added, c.start, c.end);
            expect({ start: c.start, count: c.count }).toEqual({ start: c.start, count });
            if (value === undefined) expect(c.value).toBeUndefined();
            else expect(c.value).toBeCloseTo(value, 9);
          }
          // Every window ending between the first fact and the last close was decided, in order.
          const ends = closed.map((c) => c.end);
          expect(ends).toEqual([...ends].sort((a, b) => a - b));
          expect(new Set(ends).size).toBe(ends.length);
        },
      ),
      { numRuns: 400 },
    );
  });
});
