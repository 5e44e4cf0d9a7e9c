import { CityError, isDateTime } from '../../core/index.js';
import type { AggregationMethod, TimeProperty } from '../../store/index.js';
import { parseDuration } from './duration.js';

/** The temporal part of a query (clause 4.11), as query parameters or a Query's `temporalQ`. */
export interface TemporalParams {
  timerel?: unknown;
  timeAt?: unknown;
  endTimeAt?: unknown;
  timeproperty?: unknown;
  lastN?: unknown;
}

/** A parsed temporal window: half-open on the time property, [from, to). */
export interface TemporalWindow {
  timeproperty: TimeProperty;
  from?: number;
  to?: number;
  lastN?: number;
}

/** How the history is rendered (clauses 4.5.7, 4.5.9, 4.5.19). */
export type TemporalFormat = 'normalized' | 'temporalValues' | 'aggregatedValues';

/** What a client asked to see. */
export interface TemporalView {
  format: TemporalFormat;
  sysAttrs: boolean;
  /** With aggregatedValues: the methods and the period (ms; whole range when absent). */
  methods: AggregationMethod[];
  periodMs?: number;
}

const TIME_PROPERTIES: readonly TimeProperty[] = ['observedAt', 'createdAt', 'modifiedAt'];
const TIMERELS = ['before', 'after', 'between'];
const METHODS: readonly AggregationMethod[] = [
  'totalCount',
  'distinctCount',
  'sum',
  'avg',
  'min',
  'max',
  'stddev',
  'sumsq',
];

function bad(message: string): CityError {
  return new CityError('BadRequestData', message);
}

function instant(name: string, raw: unknown): number {
  if (!isDateTime(raw))
    throw bad(
      `${name} must be an ISO 8601 date-time such as 2024-05-01T12:00:00Z, got ${JSON.stringify(raw)}`,
    );
  return Date.parse(raw);
}

/** Reads lastN: a positive integer (a query string gives it as text). */
function positiveInteger(name: string, raw: unknown): number {
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1)
    throw bad(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * Parses timerel/timeAt/endTimeAt/timeproperty/lastN: before = [−∞, timeAt),
 * after = [timeAt, ∞), between = [timeAt, endTimeAt). Throws BadRequestData.
 */
export function parseTemporalWindow(p: TemporalParams): TemporalWindow {
  const timeproperty = p.timeproperty ?? 'observedAt';
  if (!TIME_PROPERTIES.includes(timeproperty as TimeProperty))
    throw bad(
      `timeproperty must be ${TIME_PROPERTIES.join(', ')}; got ${JSON.stringify(timeproperty)}`,
    );
  const window: TemporalWindow = { timeproperty: timeproperty as TimeProperty };
  if (p.lastN !== undefined) window.lastN = positiveInteger('lastN', p.lastN);
  if (p.timerel === undefined) {
    if (p.timeAt !== undefined || p.endTimeAt !== undefined)
      throw bad('timeAt and endTimeAt need timerel (before, after or between)');
    return window;
  }
  if (typeof p.timerel !== 'string' || !TIMERELS.includes(p.timerel))
    throw bad(`timerel must be before, after or between; got ${JSON.stringify(p.timerel)}`);
  if (p.timeAt === undefined) throw bad(`timerel=${p.timerel} needs timeAt`);
  const timeAt = instant('timeAt', p.timeAt);
  if (p.timerel !== 'between') {
    if (p.endTimeAt !== undefined) throw bad('endTimeAt is only used with timerel=between');
    if (p.timerel === 'before') window.to = timeAt;
    else window.from = timeAt;
    return window;
  }
  if (p.endTimeAt === undefined) throw bad('timerel=between needs endTimeAt');
  const endTimeAt = instant('endTimeAt', p.endTimeAt);
  if (endTimeAt <= timeAt) throw bad('endTimeAt must be later than timeAt');
  window.from = timeAt;
  window.to = endTimeAt;
  return window;
}

function list(raw: unknown): string[] {
  if (raw === undefined) return [];
  const items = Array.isArray(raw) ? raw : [raw];
  return items.flatMap((i) =>
    String(i)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );
}

/** Parses options/format/aggrMethods/aggrPeriodDuration; refuses anything unknown with 400. */
export function parseTemporalView(p: {
  options?: unknown;
  format?: unknown;
  aggrMethods?: unknown;
  aggrPeriodDuration?: unknown;
}): TemporalView {
  const view: TemporalView = { format: 'normalized', sysAttrs: false, methods: [] };
  const choose = (value: string, from: string): void => {
    if (value === 'temporalValues' || value === 'simplified' || value === 'keyValues')
      view.format = 'temporalValues';
    else if (value === 'aggregatedValues') view.format = 'aggregatedValues';
    else if (value === 'sysAttrs' && from === 'options') view.sysAttrs = true;
    else if (value !== 'normalized')
      throw bad(
        `${from}=${value} is not supported for temporal queries; use normalized, temporalValues, aggregatedValues${from === 'options' ? ' or sysAttrs' : ''}`,
      );
  };
  for (const option of list(p.options)) choose(option, 'options');
  for (const f of list(p.format)) choose(f, 'format');
  if (view.format !== 'aggregatedValues') {
    if (p.aggrMethods !== undefined || p.aggrPeriodDuration !== undefined)
      throw bad('aggrMethods and aggrPeriodDuration need options=aggregatedValues');
    return view;
  }
  const methods = list(p.aggrMethods);
  if (methods.length === 0)
    throw bad(`options=aggregatedValues needs aggrMethods, some of ${METHODS.join(', ')}`);
  for (const m of methods)
    if (!METHODS.includes(m as AggregationMethod))
      throw bad(`aggrMethods: ${m} is not one of ${METHODS.join(', ')}`);
  view.methods = [...new Set(methods)] as AggregationMethod[];
  if (p.aggrPeriodDuration !== undefined) {
    if (typeof p.aggrPeriodDuration !== 'string')
      throw bad('aggrPeriodDuration must be an ISO 8601 duration such as PT1H');
    const ms = parseDuration(p.aggrPeriodDuration);
    // P0D, as the specification's default, means the whole range.
    if (ms > 0) view.periodMs = ms;
  }
  return view;
}
