import { byTime, type Fact } from './engine/evaluator.js';

/** How long one slice of the queue may hold the event loop, ms. */
const SLICE_MS = 10;
/** Facts per batch: a run replays its out-of-order keys once per batch. */
const BATCH = 128;

/**
 * The facts waiting for the rules, applied in event-time order in batches, a few batches per
 * turn of the event loop: between slices the node reads its sockets, commits and acknowledges
 * the next observations, so the rules never hold the ingest up. Facts that wait are sorted
 * together (what came out of order among them needs no replay); the longer they wait, the more
 * of the disorder of the stream a sort takes away.
 */
export class FactQueue {
  private facts: Fact[] = [];
  private scheduled = false;
  private idle: (() => void)[] = [];
  /** The most facts that waited at once (a sign of rules that cannot keep up). */
  peak = 0;
  /**
   * Since when (clock) facts have been waiting without the queue running dry; undefined when
   * none waits. The rules behind by that much must not take their sources for silent.
   */
  waitingSince: number | undefined;

  constructor(
    private readonly apply: (batch: readonly Fact[]) => void,
    private readonly onError: (err: unknown) => void,
    private readonly clock: () => number = Date.now,
    /** Facts per batch (Infinity: all that wait, at once). */
    private readonly batch = BATCH,
  ) {}

  /** Facts waiting. */
  get length(): number {
    return this.facts.length;
  }

  push(fact: Fact): void {
    if (this.facts.length === 0) this.waitingSince = this.clock();
    this.facts.push(fact);
    if (this.facts.length > this.peak) this.peak = this.facts.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.slice);
    }
  }

  /** Resolves when no fact waits. */
  drained(): Promise<void> {
    if (this.facts.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Applies the waiting facts for up to `ms`; answers how many are left, and drops them. */
  finish(ms: number): number {
    this.run(ms);
    const left = this.facts.length;
    this.facts = [];
    this.waitingSince = undefined;
    for (const resolve of this.idle.splice(0)) resolve();
    return left;
  }

  private readonly slice = (): void => {
    this.scheduled = false;
    this.run(SLICE_MS);
    if (this.facts.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.slice);
    }
  };

  private run(budgetMs: number): void {
    const facts = this.facts;
    if (facts.length === 0) return;
    facts.sort(byTime);
    const started = performance.now();
    let done = 0;
    while (done < facts.length) {
      const batch = facts.slice(done, done + this.batch);
      done += batch.length;
      try {
        this.apply(batch);
      } catch (err) {
        this.onError(err);
      }
      if (performance.now() - started >= budgetMs) break;
    }
    this.facts = done === facts.length ? [] : facts.slice(done);
    if (this.facts.length > 0) return;
    this.waitingSince = undefined;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
