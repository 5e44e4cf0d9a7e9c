import fc from 'fast-check';
import { expect } from 'vitest';
import {
  byTime,
  signalId,
  type Evaluator,
  type Fact,
  type Signal,
} from '../../engine/evaluator.js';
import { evaluateBatch } from '../../engine/evaluate-batch.js';
import { KeyedEngine, type EngineOutput } from '../../engine/keyed-engine.js';

/** The signals that stand after a run: those emitted and not retracted. */
export function standing(outputs: readonly EngineOutput[]): Signal[] {
  const held = new Map<string, Signal>();
  for (const o of outputs)
    if (o.type === 'retract') held.delete(signalId(o.signal));
    else held.set(signalId(o.signal), o.signal);
  return [...held.values()];
}

/** Signals as sorted ids, to compare runs. */
export const ids = (signals: readonly Signal[]) => signals.map(signalId).sort();

/** Signals as [kind, at in seconds, value], in order, to read in an example. */
export const brief = (signals: readonly Signal[]) =>
  signals.map((s) => [s.kind, s.at / 1000, ...(s.value === undefined ? [] : [s.value])]);

/** Feeds facts in the order given, the watermark lagging `lagMs` behind the newest event time. */
export function runIncremental<S>(
  evaluator: Evaluator<S>,
  arrivals: readonly Fact[],
  lagMs: number,
  end: number,
) {
  const engine = new KeyedEngine(evaluator);
  const out: EngineOutput[] = [];
  let newest = -Infinity;
  for (const f of arrivals) {
    engine.ingest(f, out);
    newest = Math.max(newest, f.t);
    engine.advanceTo(newest - lagMs, out);
  }
  engine.advanceTo(end, out);
  return { engine, out };
}

/**
 * Feeds facts as they arrive on a clock (`arrival`, ms), as the server does: each key's watermark
 * lags its own newest event time by `lagMs`, and every second of the clock lets silent keys'
 * time go on (`tick`, after a grace of half the lag); at last every key is advanced to `end`.
 * With `batchMs`, the facts that arrive within each such span are taken as one batch in
 * event-time order, out-of-order keys replayed once at its end (as FactQueue does).
 */
export function runTimed<S>(
  evaluator: Evaluator<S>,
  arrivals: readonly { fact: Fact; arrival: number }[],
  lagMs: number,
  end: number,
  batchMs?: number,
) {
  let now = arrivals[0]?.arrival ?? 0;
  const engine = new KeyedEngine(evaluator, {
    latenessMs: lagMs,
    idleGraceMs: lagMs / 2,
    clock: () => now,
  });
  const out: EngineOutput[] = [];
  let nextTick = now + 1000;
  let batch: Fact[] = [];
  const flush = () => {
    for (const f of batch.sort(byTime)) engine.offer(f, out);
    engine.flush(out);
    batch = [];
  };
  let batchEnd = now + (batchMs ?? 0);
  for (const { fact, arrival } of arrivals) {
    if (batchMs !== undefined && arrival >= batchEnd) {
      flush();
      batchEnd = arrival + batchMs;
    }
    for (; nextTick <= arrival; nextTick += 1000) {
      now = nextTick;
      engine.tick(out);
    }
    now = arrival;
    if (batchMs === undefined) engine.ingest(fact, out);
    else batch.push(fact);
  }
  flush();
  engine.advanceTo(end, out);
  return { engine, out };
}

/** Evaluates key by key, event time advanced every second between facts: as fine as a test needs. */
function steppedRun<S>(evaluator: Evaluator<S>, timed: readonly Timed[], end: number): Signal[] {
  const byKey = new Map<string, Fact[]>();
  for (const f of timed.map((x) => x.fact).sort(byTime))
    for (const key of evaluator.keysOf(f)) byKey.set(key, [...(byKey.get(key) ?? []), f]);
  const out: Signal[] = [];
  for (const [key, facts] of byKey) {
    const state = evaluator.create(key);
    let at = facts[0]!.t;
    const reach = (t: number) => {
      for (; at < t; at = Math.min(t, at + 1000)) evaluator.advance(state, at, key, out);
      evaluator.advance(state, t, key, out);
    };
    for (const f of facts) {
      reach(f.t - 1); // what falls due at a fact's own time is decided with it (see keyed-engine)
      evaluator.observe(state, f, key, out);
    }
    reach(end);
  }
  return out;
}

/** A fact and how long after its event time it arrives. */
export interface Timed {
  fact: Fact;
  delay: number;
}

/** Facts at event times that step by whole seconds, each delayed up to the lag. */
export function timedFacts(options: {
  entities: string[];
  attrs: fc.Arbitrary<Record<string, unknown>>;
  context?: (entity: string) => Record<string, unknown>;
  /** The entity's type; `Thing` by default. */
  typeOf?: (entity: string) => string;
  maxStepSeconds: number;
  lagMs: number;
  maxLength?: number;
}): fc.Arbitrary<Timed[]> {
  const item = fc.record({
    entity: fc.constantFrom(...options.entities),
    step: fc.integer({ min: 0, max: options.maxStepSeconds }),
    attrs: options.attrs,
    delay: fc.integer({ min: 0, max: options.lagMs - 1 }),
  });
  // `size: 'max'`: without it fast-check keeps arrays to about ten items.
  return fc.array(item, { maxLength: options.maxLength ?? 60, size: 'max' }).map((items) => {
    let t = 0;
    return items.map((x, seq) => {
      t += x.step * 1000;
      const context = options.context?.(x.entity);
      const fact: Fact = {
        entityId: x.entity,
        entityType: options.typeOf?.(x.entity) ?? 'Thing',
        t,
        seq,
        attrs: x.attrs,
        ...(context && { context }),
      };
      return { fact, delay: x.delay };
    });
  });
}

/**
 * Asserts that the engine, fed the facts as they arrive (bounded disorder, none beyond the lag),
 * ends with the signals of a batch evaluation of the same facts.
 */
export function expectIncrementalAsBatch<S>(
  make: () => Evaluator<S>,
  timed: readonly Timed[],
  lagMs: number,
): void {
  const arrived = timed
    .map((x) => ({ ...x, arrival: x.fact.t + x.delay }))
    .sort((a, b) => a.arrival - b.arrival || a.fact.seq - b.fact.seq);
  const arrivals = arrived.map((x) => x.fact);
  const end = (timed.at(-1)?.fact.t ?? 0) + 600_000;
  const { out, engine } = runIncremental(make(), arrivals, lagMs, end);
  expect(engine.stats.tooLate).toBe(0);
  // The same with a watermark per key and silent keys' time going on with the clock.
  const onClock = runTimed(make(), arrived, lagMs, end);
  expect(onClock.engine.stats.tooLate).toBe(0);
  // The same taken in batches, each in event-time order, replays deferred to a batch's end.
  const batched = runTimed(make(), arrived, lagMs, end, lagMs / 4);
  expect(batched.engine.stats.tooLate).toBe(0);
  const batch = evaluateBatch(
    make(),
    timed.map((x) => x.fact),
    end,
  );
  expect(ids(steppedRun(make(), timed, end))).toEqual(ids(batch));
  // Identities never repeat: a repeat would hide a signal from the comparison.
  expect(new Set(ids(batch)).size).toBe(batch.length);
  expect(ids(standing(out))).toEqual(ids(batch));
  expect(ids(standing(onClock.out))).toEqual(ids(batch));
  expect(ids(standing(batched.out))).toEqual(ids(batch));
}
