import { CityError, isDateTime, type Entity, type SeriesPoint } from '../core/index.js';
import type { SeriesQuery } from '../store/index.js';
import { splitList } from './params.js';

/** The query parameters of GET /temporal/entities/{id}. */
export interface TemporalParams {
  attrs?: string;
  timerel?: 'before' | 'after' | 'between';
  timeAt?: string;
  endTimeAt?: string;
  lastN?: number;
  options?: string;
  format?: string;
}

/** The temporal representations: normalized instances, or temporalValues pairs. */
export type TemporalRepresentation = 'normalized' | 'temporalValues';

function instant(name: string, raw: string): number {
  if (!isDateTime(raw))
    throw new CityError(
      'BadRequestData',
      `${name} must be an ISO 8601 date-time such as 2024-05-01T12:00:00Z, got ${JSON.stringify(raw)}`,
    );
  return Date.parse(raw);
}

/**
 * The time window of a temporal query. Windows are half-open on observedAt:
 * before = [-∞, timeAt), after = [timeAt, ∞), between = [timeAt, endTimeAt).
 */
export function parseTemporalQuery(entityId: string, p: TemporalParams): SeriesQuery {
  const query: SeriesQuery = { entityId };
  const attrs = splitList(p.attrs);
  if (attrs) query.attrs = attrs;
  if (p.lastN !== undefined) query.lastN = p.lastN;
  if (p.timerel === undefined) {
    if (p.timeAt !== undefined || p.endTimeAt !== undefined)
      throw new CityError('BadRequestData', 'timeAt and endTimeAt need timerel');
    return query;
  }
  if (p.timeAt === undefined)
    throw new CityError('BadRequestData', `timerel=${p.timerel} needs timeAt`);
  const timeAt = instant('timeAt', p.timeAt);
  if (p.timerel !== 'between') {
    if (p.endTimeAt !== undefined)
      throw new CityError('BadRequestData', 'endTimeAt is only used with timerel=between');
    if (p.timerel === 'before') query.to = timeAt;
    else query.from = timeAt;
    return query;
  }
  if (p.endTimeAt === undefined)
    throw new CityError('BadRequestData', 'timerel=between needs endTimeAt');
  const endTimeAt = instant('endTimeAt', p.endTimeAt);
  if (endTimeAt <= timeAt)
    throw new CityError('BadRequestData', 'endTimeAt must be later than timeAt');
  query.from = timeAt;
  query.to = endTimeAt;
  return query;
}

/** Reads `options`/`format` of a temporal query (temporalValues or normalized; 400 otherwise). */
export function parseTemporalRepresentation(p: TemporalParams): TemporalRepresentation {
  const values = [p.format, ...(splitList(p.options) ?? [])].filter((v) => v !== undefined);
  let chosen: TemporalRepresentation = 'normalized';
  for (const v of values) {
    if (v === 'temporalValues') chosen = v;
    else if (v !== 'normalized')
      throw new CityError(
        'BadRequestData',
        `${v} is not supported for temporal queries; use temporalValues or normalized`,
      );
  }
  return chosen;
}

/** Renders time series points as the temporal representation of an entity (clause 4.5.7, 4.5.9). */
export function renderTemporal(
  head: { id: string; type: string },
  points: readonly SeriesPoint[],
  representation: TemporalRepresentation,
  current?: Entity,
): Record<string, unknown> {
  const out: Record<string, unknown> = { id: head.id, type: head.type };
  const byAttr = new Map<string, SeriesPoint[]>();
  for (const p of points) {
    const series = byAttr.get(p.attr);
    if (series) series.push(p);
    else byAttr.set(p.attr, [p]);
  }
  for (const [attr, series] of byAttr) {
    if (representation === 'temporalValues') {
      out[attr] = {
        type: 'Property',
        values: series.map((p) => [p.value, new Date(p.observedAt).toISOString()]),
      };
      continue;
    }
    // The unit is kept on the entity, not per point: the current one applies to all instances.
    const unitCode = (current?.[attr] as { unitCode?: unknown } | undefined)?.unitCode;
    out[attr] = series.map((p) => ({
      type: 'Property',
      value: p.value,
      observedAt: new Date(p.observedAt).toISOString(),
      ...(typeof unitCode === 'string' && { unitCode }),
    }));
  }
  return out;
}
