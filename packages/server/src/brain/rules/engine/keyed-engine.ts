import { justBefore } from './evaluate-batch.js';
import { byTime, signalId, type Evaluator, type Fact, type Signal } from './evaluator.js';
import { upperBound, upperTime } from './fact-search.js';

/** How far a key's watermark moves before its past is settled again, ms. */
const SETTLE_STEP_MS = 1000;

/** What the engine tells its owner: a signal to act on, or one taken back. */
export type EngineOutput =
  | { type: 'emit'; signal: Signal }
  /** A late fact changed the past: this signal, emitted before, no longer holds. */
  | { type: 'retract'; signal: Signal }
  /**
   * A late fact changed what a signal emitted before says (its value, its evidence), not
   * whether or when it holds: `signal` is the new word, `previous` the old.
   */
  | { type: 'revise'; signal: Signal; previous: Signal };

interface KeyState<S> {
  /** The state after every fact up to `settledAt`, time advanced to it (final). */
  settled: S;
  settledAt: number;
  /**
   * The key's watermark: facts at or before it are ignored. The settled state may lag it (it
   * moves in steps, see `checkpoint`); the pending facts between them are final already.
   */
  lateBefore: number;
  /**
   * A copy of `live` taken between two facts, when it held every fact up to `at` and no later
   * one: it becomes the settled state once the watermark passes `at`, instead of the pending
   * facts being applied to the settled state a second time. Dropped when a fact older than
   * `at` reaches `live` (a replay, an absorbed late fact).
   */
  checkpoint?: { at: number; state: S };
  /** The state after every fact so far, and time advanced to `liveAt`. */
  live: S;
  liveAt: number;
  /** The last fact applied to `live`, for the in-order test. */
  last?: Fact;
  /** Facts after the watermark, in (t, seq) order: replayed when a late one slots in. */
  pending: Fact[];
  /** Signals after the watermark that were emitted: compared with a replay's. */
  emitted: Signal[];
  /** The newest event time of the key's facts, and when (wall clock) the last one came. */
  newest: number;
  arrivedAt: number;
  /**
   * A fact came out of order and was put in `pending` without being applied: `live` is behind
   * until the key is replayed (at the next `flush`), once for all the facts of a batch.
   */
  dirty: boolean;
}

/** How the engine lets event time pass per key. */
export interface EngineTiming {
  /** How late a key's fact may come: the key's watermark lags its newest event time by it, ms. */
  latenessMs: number;
  /**
   * A silent key's event time is taken to go on with the clock from its last fact, after this
   * grace, ms: its deadlines (a silence, a window's end) fall due.
   */
  idleGraceMs: number;
  clock: () => number;
}

/** Counters of the engine, all zero. */
export const noEngineStats = (): EngineStats => ({
  facts: 0,
  reordered: 0,
  replays: 0,
  absorbed: 0,
  tooLate: 0,
  keys: 0,
});

/** Counters of the engine. */
export interface EngineStats {
  facts: number;
  /** Facts that came out of order but within the allowed lateness (the key was replayed). */
  reordered: number;
  /** Replays of a key (one for all the facts of a batch that came out of order for it). */
  replays: number;
  /** Facts out of order that the key's state took as they were, without a replay. */
  absorbed: number;
  /** Facts not after the watermark: ignored. */
  tooLate: number;
  keys: number;
}

/**
 * Evaluates one rule incrementally by event time, with a watermark: a fact in order for its key
 * is applied at once (signals go out without waiting); a fact out of order but after the
 * watermark makes the key replay its pending facts from the settled state, and the signals
 * that no longer hold are retracted, the new ones emitted; a fact older than the watermark is
 * counted and ignored. Fed facts with less disorder than the watermark's lag, the signals that stand
 * are those of a batch evaluation of the same facts in event-time order (see `evaluateBatch`).
 */
export class KeyedEngine<S> {
  private readonly keys = new Map<string, KeyState<S>>();
  private watermark = Number.NEGATIVE_INFINITY;
  /** Signals of one step, reused: most steps decide nothing. */
  private readonly scratch: Signal[] = [];
  /** Signals of the settled state's steps: already emitted by `live`. */
  private readonly discard: Signal[] = [];
  /** The keys to replay at the next `flush`, with their state. */
  private readonly dirty: [string, KeyState<S>][] = [];
  readonly stats = noEngineStats();

  /**
   * Without `timing`, event time passes only through `advanceTo` (tests, batch-like use); with
   * it, each key has its own watermark, so that a source whose clock is off (ahead, behind)
   * moves only its own keys' time.
   */
  constructor(
    private readonly evaluator: Evaluator<S>,
    private readonly timing?: EngineTiming,
  ) {}

  /** The event time before which facts are ignored. */
  get currentWatermark(): number {
    return this.watermark;
  }

  /** Applies a fact to each key it feeds; answers what to emit or retract. */
  ingest(fact: Fact, out: EngineOutput[] = []): EngineOutput[] {
    this.offer(fact, out);
    return this.flush(out);
  }

  /**
   * Takes a fact of a batch: applied at once when it is in order for its key (or the key's state
   * absorbs it); otherwise it is put in its place and the key is replayed at the next `flush`,
   * once however many facts of the batch came out of order for it. A batch in event-time order
   * (see RuleEngine) leaves only the disorder between batches.
   */
  offer(fact: Fact, out: EngineOutput[]): void {
    const ev = this.evaluator;
    if (ev.keyOf) {
      const key = ev.keyOf(fact);
      if (key === undefined) return;
      this.stats.facts++;
      this.ingestKey(key, fact, out);
      return;
    }
    const keys = ev.keysOf(fact);
    if (keys.length === 0) return;
    this.stats.facts++;
    for (const key of keys) this.ingestKey(key, fact, out);
  }

  /** Replays the keys that facts of the batch came out of order for. */
  flush(out: EngineOutput[] = []): EngineOutput[] {
    for (const [key, state] of this.dirty) if (state.dirty) this.replay(state, key, out);
    this.dirty.length = 0;
    return out;
  }

  private ingestKey(key: string, fact: Fact, out: EngineOutput[]): void {
    const state = this.stateOf(key);
    if (fact.t <= state.lateBefore) {
      this.stats.tooLate++;
      return;
    }
    if (state.dirty) this.putInPlace(state, fact);
    else if (!state.last || byTime(fact, state.last) >= 0) this.applyInOrder(state, key, fact, out);
    else if (this.evaluator.absorbsLate?.(state.live, fact, key))
      this.absorb(state, key, fact, out);
    else {
      this.putInPlace(state, fact);
      state.dirty = true;
      this.dirty.push([key, state]);
    }
    if (this.timing) {
      if (fact.t > state.newest) state.newest = fact.t;
      state.arrivedAt = this.timing.clock();
      // Settled in steps, not at every fact: to the checkpoint, or by re-applying the step's facts.
      const watermark = state.newest - this.timing.latenessMs;
      if (watermark >= state.lateBefore + SETTLE_STEP_MS)
        this.advanceKey(state, key, watermark, out);
    }
  }

  /** Puts a fact among the pending ones, in (t, seq) order, for the key's replay. */
  private putInPlace(state: KeyState<S>, fact: Fact): void {
    const pending = state.pending;
    if (pending.length === 0 || byTime(fact, pending.at(-1)!) >= 0) pending.push(fact);
    else {
      this.stats.reordered++;
      pending.splice(upperBound(pending, fact), 0, fact);
    }
  }

  /** Lets each silent key's event time go on with the clock (see EngineTiming). */
  tick(out: EngineOutput[] = []): EngineOutput[] {
    if (!this.timing) return out;
    this.flush(out);
    const { latenessMs, idleGraceMs, clock } = this.timing;
    const now = clock();
    for (const [key, state] of this.keys) {
      const idle = now - state.arrivedAt - idleGraceMs;
      if (idle > 0) this.advanceKey(state, key, state.newest + idle - latenessMs, out);
    }
    return out;
  }

  /**
   * Event time reached `watermark` everywhere: timers due by then fire, and what came before it
   * becomes final (facts older than it will be ignored).
   */
  advanceTo(watermark: number, out: EngineOutput[] = []): EngineOutput[] {
    if (!(watermark > this.watermark)) return out;
    this.flush(out);
    this.watermark = watermark;
    for (const [key, state] of this.keys) this.advanceKey(state, key, watermark, out);
    return out;
  }

  /** One key's watermark reached `watermark`: its deadlines fall due, its past is settled. */
  private advanceKey(
    state: KeyState<S>,
    key: string,
    watermark: number,
    out: EngineOutput[],
  ): void {
    if (!(watermark > state.lateBefore)) return;
    if (state.dirty) this.replay(state, key, out);
    if (watermark > state.liveAt) {
      const signals = this.scratch;
      this.evaluator.advance(state.live, watermark, key, signals);
      state.liveAt = watermark;
      this.emitAll(state, signals, out);
    }
    this.settle(state, key, watermark);
  }

  /** Roughly how many values the states hold. */
  size(): number {
    let n = 0;
    // live, settled and, while one waits, the checkpoint: three copies of much the same state.
    for (const s of this.keys.values())
      n += s.pending.length + (this.evaluator.size?.(s.live) ?? 1) * (s.checkpoint ? 3 : 2);
    return n;
  }

  private stateOf(key: string): KeyState<S> {
    let state = this.keys.get(key);
    if (!state) {
      const settled = this.evaluator.create(key);
      state = {
        settled,
        settledAt: this.watermark,
        lateBefore: this.watermark,
        checkpoint: undefined,
        live: this.evaluator.clone(settled),
        liveAt: this.watermark,
        last: undefined,
        pending: [],
        emitted: [],
        newest: Number.NEGATIVE_INFINITY,
        arrivedAt: this.timing?.clock() ?? 0,
        dirty: false,
      };
      this.keys.set(key, state);
      this.stats.keys++;
    }
    return state;
  }

  private applyInOrder(state: KeyState<S>, key: string, fact: Fact, out: EngineOutput[]): void {
    const signals = this.scratch;
    if (justBefore(fact) > state.liveAt) {
      this.evaluator.advance(state.live, justBefore(fact), key, signals);
      state.liveAt = justBefore(fact);
    }
    // Between two facts of different times, `live` holds exactly the facts up to `liveAt`.
    if (
      this.timing &&
      state.checkpoint === undefined &&
      state.liveAt >= state.settledAt + SETTLE_STEP_MS &&
      (!state.last || state.last.t <= state.liveAt)
    )
      state.checkpoint = { at: state.liveAt, state: this.evaluator.clone(state.live) };
    this.evaluator.observe(state.live, fact, key, signals);
    state.last = fact;
    state.pending.push(fact);
    this.emitAll(state, signals, out);
  }

  /** A fact out of order that the state takes as it is (see Evaluator.absorbsLate). */
  private absorb(state: KeyState<S>, key: string, fact: Fact, out: EngineOutput[]): void {
    this.stats.absorbed++;
    if (state.checkpoint && fact.t <= state.checkpoint.at) state.checkpoint = undefined;
    state.pending.splice(upperBound(state.pending, fact), 0, fact);
    const signals = this.scratch;
    this.evaluator.observe(state.live, fact, key, signals);
    this.emitAll(state, signals, out);
  }

  /** Facts came out of order: the pending facts again, from the settled state, all in place. */
  private replay(state: KeyState<S>, key: string, out: EngineOutput[]): void {
    state.dirty = false;
    state.checkpoint = undefined;
    this.stats.replays++;
    const ev = this.evaluator;
    const live = ev.clone(state.settled);
    const signals: Signal[] = [];
    let liveAt = state.settledAt;
    for (const f of state.pending) {
      if (justBefore(f) > liveAt) {
        ev.advance(live, justBefore(f), key, signals);
        liveAt = justBefore(f);
      }
      ev.observe(live, f, key, signals);
    }
    if (state.liveAt > liveAt) {
      ev.advance(live, state.liveAt, key, signals);
      liveAt = state.liveAt;
    }
    state.live = live;
    state.liveAt = liveAt;
    state.last = state.pending.at(-1);
    // What held before and no longer does is taken back; what holds now and did not goes out.
    const now = new Map(signals.map((s) => [signalId(s), s]));
    const before = new Map(state.emitted.map((s) => [signalId(s), s]));
    for (const [id, s] of before) if (!now.has(id)) out.push({ type: 'retract', signal: s });
    for (const [id, s] of now) {
      const previous = before.get(id);
      if (!previous) out.push({ type: 'emit', signal: s });
      else if (saysOtherwise(previous, s)) out.push({ type: 'revise', signal: s, previous });
    }
    state.emitted = signals;
  }

  /** Emits the step's signals and empties the scratch list. */
  private emitAll(state: KeyState<S>, signals: Signal[], out: EngineOutput[]): void {
    if (signals.length === 0) return;
    for (const signal of signals) {
      state.emitted.push(signal);
      out.push({ type: 'emit', signal });
    }
    signals.length = 0;
  }

  /**
   * The watermark moved: what is before it is final. The settled state moves up to the key's
   * checkpoint if the watermark passed it (the facts up to it leave the pending ones), or else
   * to the watermark by applying the pending facts before it.
   */
  private settle(state: KeyState<S>, key: string, watermark: number): void {
    state.lateBefore = watermark;
    const ev = this.evaluator;
    const pending = state.pending;
    const last = pending.at(-1);
    const checkpoint = state.checkpoint;
    if (!last || last.t <= watermark) {
      // Every pending fact is before the watermark and live has advanced to it: live is settled.
      state.settled = ev.clone(state.live);
      state.settledAt = watermark;
      state.checkpoint = undefined;
      if (pending.length > 0) pending.length = 0;
    } else if (checkpoint) {
      if (checkpoint.at > watermark) return;
      state.settled = checkpoint.state;
      state.settledAt = checkpoint.at;
      state.checkpoint = undefined;
      pending.splice(0, upperTime(pending, checkpoint.at));
    } else {
      const ignored = this.discard;
      let n = 0;
      let at = state.settledAt;
      for (const f of pending) {
        if (f.t > watermark) break;
        if (justBefore(f) > at) {
          ev.advance(state.settled, justBefore(f), key, ignored);
          at = justBefore(f);
        }
        ev.observe(state.settled, f, key, ignored);
        n++;
      }
      ev.advance(state.settled, watermark, key, ignored);
      ignored.length = 0;
      if (n > 0) pending.splice(0, n);
      state.settledAt = watermark;
    }
    // A replay starts from the settled state: what was emitted before it is not compared.
    const base = state.settledAt;
    if (state.emitted.length > 0) state.emitted = state.emitted.filter((s) => s.at > base);
  }
}

/** True when two signals of one identity differ in what they report: value or evidence. */
function saysOtherwise(a: Signal, b: Signal): boolean {
  if (a.value !== b.value || a.evidence.length !== b.evidence.length) return true;
  return a.evidence.some((e, i) => {
    const f = b.evidence[i]!;
    return e.entityId !== f.entityId || e.observedAt !== f.observedAt || e.value !== f.value;
  });
}
