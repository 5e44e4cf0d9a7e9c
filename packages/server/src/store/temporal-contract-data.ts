import type { Attribute } from '../core/index.js';
import type { AggregationMethod, AttributeInstance, TemporalQuery } from './port.js';

/** The entities, the dataset and the times of the temporal contract's data (both halves). */
export const E = 'urn:ngsi-ld:Vehicle:v1';
export const F = 'urn:ngsi-ld:Vehicle:v2';
export const GPS = 'urn:ngsi-ld:Dataset:gps';
export const t0 = Date.parse('2024-05-01T00:00:00Z');
export const MIN = 60_000;
export const NOW = Date.parse('2024-06-01T00:00:00Z');
/** An ISO 8601 time. */
export const iso = (ms: number) => new Date(ms).toISOString();

/** An instance of attribute `attr` of `entityId` stored at `createdAt`. */
export function instance(
  attr: string,
  attribute: Attribute,
  createdAt = NOW,
  entityId = E,
): AttributeInstance {
  return { entityId, attr, instanceId: '', attribute, createdAt, modifiedAt: createdAt };
}
/** A `speed` instance observed `minute` minutes after t0. */
export const speed = (minute: number, value: unknown, datasetId?: string, entityId = E) =>
  instance(
    'speed',
    {
      type: 'Property',
      value,
      observedAt: iso(t0 + minute * MIN),
      ...(datasetId && { datasetId }),
    },
    NOW,
    entityId,
  );
/** A query on E's history by observedAt. */
export const q = (extra: Partial<TemporalQuery> = {}): TemporalQuery => ({
  entityIds: [E],
  timeproperty: 'observedAt',
  ...extra,
});
/** Every aggregation method. */
export const ALL: AggregationMethod[] = [
  'totalCount',
  'distinctCount',
  'sum',
  'avg',
  'min',
  'max',
  'stddev',
  'sumsq',
];
