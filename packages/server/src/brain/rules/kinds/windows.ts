import { CityError } from '../../../core/index.js';
import type { Evidence, Fact } from '../engine/evaluator.js';
import type { AggregateRule } from '../rule-schema.js';
import { MAX_EVIDENCE, numberOf } from './select.js';
import { upperTime } from '../engine/fact-search.js';

/** What a windowed aggregate is made of (an aggregate rule, a correlation's condition). */
export type WindowedAggregate = Pick<
  AggregateRule,
  'attribute' | 'function' | 'percentile' | 'window'
>;

/** Numbers per pane in `Windows.panes`: its start, then count, sum, min and max of its facts. */
const PANE = 5;

/**
 * The windows of one key, kept as panes: stretches of gcd(size, slide) ms that every window
 * either holds whole or not at all, so a fact updates the one pane holding it however many
 * windows overlap it, and a window's value is made of its panes when it closes. Memory: 5
 * numbers per pane holding facts, at most size / gcd(size, slide) + 1 of them; for `percentile`
 * also 2 numbers per fact still in an open window, kept once however many windows overlap;
 * and MAX_EVIDENCE references to recent facts.
 */
export interface Windows {
  /** The end of the next window to close; undefined before the key's first fact. */
  nextEnd?: number;
  /**
   * The panes that hold facts of open windows, by start, in increasing order, flat (see PANE):
   * one array of numbers, cheap to copy when the engine settles a key.
   */
  panes: number[];
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

/** Count, sum, min and max of a window's facts. */
interface Aggregate {
  count: number;
  sum: number;
  min: number;
  max: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The index of the pane starting at `start`, or else of the last one before it (-PANE: none). */
function paneIndex(panes: readonly number[], start: number): number {
  let lo = 0;
  let hi = panes.length / PANE;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (panes[mid * PANE]! <= start) lo = mid + 1;
    else hi = mid;
  }
  return (lo - 1) * PANE;
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
  // Every window boundary falls on a pane boundary.
  const pane = gcd(size, slide);
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

  /** The value of a window from its count, sum, min and max (count 0: no fact in it). */
  const valueOfWindow = (w: Windows, agg: Aggregate, start: number) => {
    if (fn === 'count') return agg.count;
    if (fn === 'sum') return agg.sum;
    if (agg.count === 0) return undefined;
    switch (fn) {
      case 'avg':
        return agg.sum / agg.count;
      case 'min':
        return agg.min;
      case 'max':
        return agg.max;
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
  const nextDataEnd = (w: Windows): number | undefined =>
    w.panes.length === 0 ? undefined : Math.max(firstEndAfter(w.panes[0]!), w.nextEnd ?? -Infinity);

  /** Adds a value to the pane starting at `start`, made (in its place) if it holds nothing yet. */
  const addToPane = (panes: number[], start: number, v: number) => {
    let at = panes.length - PANE;
    // In order, a fact goes to the last pane or one after it; a late one is looked for.
    if (at >= 0 && panes[at]! > start) at = paneIndex(panes, start);
    if (at < 0 || panes[at] !== start) {
      at += at < 0 || panes[at]! < start ? PANE : 0;
      panes.splice(at, 0, start, 1, v, v, v);
      return;
    }
    panes[at + 1]!++;
    panes[at + 2]! += v;
    if (v < panes[at + 3]!) panes[at + 3] = v;
    if (v > panes[at + 4]!) panes[at + 4] = v;
  };

  return {
    endAtOrAfter,
    /** True when the fact carries what the function reads. */
    accepts: (fact: Fact) => valueOf(fact) !== undefined,
    create: (): Windows => ({
      nextEnd: undefined,
      panes: [],
      times: [],
      values: [],
      recent: [],
    }),
    clone: (w: Windows): Windows => ({
      nextEnd: w.nextEnd,
      panes: w.panes.slice(),
      times: w.times.slice(),
      values: w.values.slice(),
      recent: w.recent.slice(),
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
      // In a window when one starts within `size` before it (a slide longer than the size
      // leaves gaps between windows).
      const inAny = t - Math.floor(t / slide) * slide < size;
      if (inAny) {
        addToPane(w.panes, Math.floor(t / pane) * pane, v);
        if (fn === 'percentile') {
          w.times.push(t);
          w.values.push(v);
        }
      }
      const recent = w.recent;
      if (recent.length > 0 && recent[recent.length - 1]!.t > t)
        recent.splice(upperTime(recent, t), 0, fact);
      else recent.push(fact);
      if (recent.length > MAX_EVIDENCE) recent.shift();
    },
    /** Closes the window ending at `nextEnd` (defined) and answers it. */
    closeNext(w: Windows): ClosedWindow {
      const end = w.nextEnd!;
      const start = end - size;
      const panes = w.panes;
      const agg: Aggregate = { count: 0, sum: 0, min: Infinity, max: -Infinity };
      // The panes before `start` went with earlier windows: the window's are the first ones.
      for (let i = 0; i < panes.length && panes[i]! < end; i += PANE) {
        agg.count += panes[i + 1]!;
        agg.sum += panes[i + 2]!;
        if (panes[i + 3]! < agg.min) agg.min = panes[i + 3]!;
        if (panes[i + 4]! > agg.max) agg.max = panes[i + 4]!;
      }
      const closed: ClosedWindow = {
        start,
        end,
        count: agg.count,
        value: valueOfWindow(w, agg, start),
        evidence: agg.count > 0 ? w.recent.filter((f) => f.t >= start).map(evidenceOf) : [],
      };
      w.nextEnd = end + slide;
      // What no open window holds any more goes (the arrays are in arrival order, kept so).
      const from = w.nextEnd - size;
      let gone = 0;
      while (gone < panes.length && panes[gone]! < from) gone += PANE;
      if (gone > 0) panes.splice(0, gone);
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
    size: (w: Windows) => w.panes.length + 2 * w.times.length + w.recent.length + 1,
  };
}
