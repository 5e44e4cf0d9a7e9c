import { CityError } from '../../../core/index.js';
import type { Evidence, Fact } from '../engine/evaluator.js';
import type { AggregateRule } from '../rule-schema.js';
import { MAX_EVIDENCE, numberOf } from './select.js';

/** What a windowed aggregate is made of (an aggregate rule, a correlation's condition). */
export type WindowedAggregate = Pick<
  AggregateRule,
  'attribute' | 'function' | 'percentile' | 'window'
>;

/** One open window's running aggregate. */
interface Bucket {
  count: number;
  sum: number;
  min: number;
  max: number;
}

/**
 * The windows of one key. Memory: 5 numbers per open window (its start and the bucket), at most
 * ceil(size / slide) open windows; for `percentile` also 2 numbers per fact still in an open
 * window, kept once however many windows overlap; and MAX_EVIDENCE references to recent facts.
 */
export interface Windows {
  /** The end of the next window to close; undefined before the key's first fact. */
  nextEnd?: number;
  /** Open windows that hold facts, by start, in increasing order. */
  open: Map<number, Bucket>;
  /**
   * Times and values of the facts in open windows (percentile only), in arrival order: a late
   * fact is appended, not inserted (a city-wide window may hold a million values).
   */
  times: number[];
  values: number[];
  /** The key's latest facts (references: evidence is made of them when a window closes). */
  recent: Fact[];
}

/** A window that closed: its value is undefined when the function has none for no facts. */
export interface ClosedWindow {
  start: number;
  end: number;
  count: number;
  value: number | undefined;
  evidence: Evidence[];
}

const ms = (seconds: number) => Math.max(1, Math.round(seconds * 1000));

/** The index after the last fact at or before `t` (facts in event-time order). */
function upperFact(facts: readonly Fact[], t: number): number {
  let lo = 0;
  let hi = facts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (facts[mid]!.t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Windows by event time, aligned to epoch multiples of the slide: [k·slide, k·slide + size).
 * A fact goes into every window containing its time; a window closes when event time reaches
 * its end. Empty windows close too, in order: `count` and `sum` are then 0, the other
 * functions have no value.
 */
export function windowAggregator(spec: WindowedAggregate) {
  const size = ms(spec.window.sizeSeconds);
  // A sliding window without a slide slides by its size: it is a tumbling one.
  const slide =
    spec.window.type === 'tumbling'
      ? size
      : ms(spec.window.slideSeconds ?? spec.window.sizeSeconds);
  const fn = spec.function;
  const attr = spec.attribute;
  if (fn !== 'count' && attr === undefined)
    throw new CityError('BadRequestData', `the aggregate ${fn} needs an attribute`);
  if (fn === 'percentile' && spec.percentile === undefined)
    throw new CityError('BadRequestData', 'the aggregate percentile needs `percentile` (0–100)');
  const p = spec.percentile ?? 50;

  /** The first window end after `t`. */
  const firstEndAfter = (t: number) => (Math.floor((t - size) / slide) + 1) * slide + size;
  /** The first window end at or after `t`. */
  const endAtOrAfter = (t: number) => Math.ceil((t - size) / slide) * slide + size;
  /** What a fact adds: 1 to a count (of the facts carrying `attribute`, if given), else its number. */
  const valueOf = (fact: Fact): number | undefined => {
    if (fn !== 'count') return numberOf(fact, attr!);
    return attr === undefined || fact.attrs[attr] !== undefined ? 1 : undefined;
  };

  const percentileOf = (w: Windows, start: number): number | undefined => {
    const sorted: number[] = [];
    const end = start + size;
    for (let i = 0; i < w.times.length; i++) {
      const t = w.times[i]!;
      if (t >= start && t < end) sorted.push(w.values[i]!);
    }
    sorted.sort((a, b) => a - b);
    if (sorted.length === 0) return undefined;
    // Nearest rank: the smallest value with at least p % of the values at or below it.
    const rank = Math.max(1, Math.ceil((p * sorted.length) / 100));
    return sorted[rank - 1];
  };

  const valueOfBucket = (w: Windows, b: Bucket | undefined, start: number) => {
    if (fn === 'count') return b?.count ?? 0;
    if (fn === 'sum') return b?.sum ?? 0;
    if (!b) return undefined;
    switch (fn) {
      case 'avg':
        return b.sum / b.count;
      case 'min':
        return b.min;
      case 'max':
        return b.max;
      case 'percentile':
        return percentileOf(w, start);
    }
  };

  const evidenceOf = (fact: Fact): Evidence => ({
    entityId: fact.entityId,
    attr: attr ?? 'type',
    observedAt: fact.t,
    value: attr === undefined ? fact.entityType : fact.attrs[attr],
  });

  /** The end of the first open window that holds facts. */
  const nextDataEnd = (w: Windows): number | undefined => {
    const first = w.open.keys().next();
    return first.done ? undefined : first.value + size;
  };

  return {
    endAtOrAfter,
    /** True when the fact carries what the function reads. */
    accepts: (fact: Fact) => valueOf(fact) !== undefined,
    create: (): Windows => ({
      nextEnd: undefined,
      open: new Map(),
      times: [],
      values: [],
      recent: [],
    }),
    clone: (w: Windows): Windows => ({
      ...w,
      open: new Map([...w.open].map(([start, b]) => [start, { ...b }])),
      times: [...w.times],
      values: [...w.values],
      recent: [...w.recent],
    }),
    /**
     * True when every window holding the fact is still open: adding it then gives what adding
     * the facts in event-time order would (see `add`).
     */
    absorbs: (w: Windows, fact: Fact): boolean =>
      w.nextEnd !== undefined && firstEndAfter(fact.t) >= w.nextEnd,
    /**
     * Adds a fact: after every window ending at or before its time has closed, or (late) while
     * every window holding it is still open (`absorbs`).
     */
    add(w: Windows, fact: Fact): void {
      const v = valueOf(fact)!;
      const t = fact.t;
      w.nextEnd ??= firstEndAfter(t);
      let inAny = false;
      let created = false;
      for (let start = (Math.floor((t - size) / slide) + 1) * slide; start <= t; start += slide) {
        inAny = true;
        const b = w.open.get(start);
        if (!b) {
          w.open.set(start, { count: 1, sum: v, min: v, max: v });
          created = true;
        } else {
          b.count++;
          b.sum += v;
          b.min = Math.min(b.min, v);
          b.max = Math.max(b.max, v);
        }
      }
      const late = w.recent.length > 0 && w.recent.at(-1)!.t > t;
      // The open windows stay in order of their start (a late fact may open an earlier one).
      if (late && created) w.open = new Map([...w.open].sort((a, b) => a[0] - b[0]));
      if (inAny && fn === 'percentile') {
        w.times.push(t);
        w.values.push(v);
      }
      if (late) w.recent.splice(upperFact(w.recent, t), 0, fact);
      else w.recent.push(fact);
      if (w.recent.length > MAX_EVIDENCE) w.recent.shift();
    },
    /** Closes the window ending at `nextEnd` (defined) and answers it. */
    closeNext(w: Windows): ClosedWindow {
      const end = w.nextEnd!;
      const start = end - size;
      const bucket = w.open.get(start);
      w.open.delete(start);
      const closed: ClosedWindow = {
        start,
        end,
        count: bucket?.count ?? 0,
        value: valueOfBucket(w, bucket, start),
        evidence: bucket ? w.recent.filter((f) => f.t >= start).map(evidenceOf) : [],
      };
      w.nextEnd = end + slide;
      // The facts of no open window any more go (in place: the arrays are in arrival order).
      const from = w.nextEnd - size;
      let kept = 0;
      for (let i = 0; i < w.times.length; i++)
        if (w.times[i]! >= from) {
          w.times[kept] = w.times[i]!;
          w.values[kept++] = w.values[i]!;
        }
      w.times.length = kept;
      w.values.length = kept;
      return closed;
    },
    /**
     * Skips the empty windows before `until` (a window end), none past the first end after `t`:
     * the caller knows they change nothing, and a later fact must still find its windows open.
     */
    skipEmpty(w: Windows, until: number, t: number): void {
      const limit = Math.min(until, nextDataEnd(w) ?? Infinity, firstEndAfter(t));
      if (w.nextEnd !== undefined && limit > w.nextEnd) w.nextEnd = limit;
    },
    /** Roughly how many values the windows hold. */
    size: (w: Windows) => 5 * w.open.size + 2 * w.times.length + w.recent.length + 1,
  };
}
