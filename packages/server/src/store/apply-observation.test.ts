import { describe, expect, it } from 'vitest';
import type { Entity, Observation } from '../core/index.js';
import { applyObservation } from './apply-observation.js';

const obs = (t: number, attrs: Observation['attrs']): Observation => ({
  entityId: 'urn:ngsi-ld:T:1',
  entityType: 'T',
  deviceId: 'd',
  observedAt: t,
  attrs,
});

describe('applyObservation', () => {
  it('sets value, observedAt and unitCode on a copy, keeping other attributes', () => {
    const entity: Entity = {
      id: 'urn:ngsi-ld:T:1',
      type: 'T',
      name: { type: 'Property', value: 'x' },
    };
    const next = applyObservation(entity, obs(1000, { pm25: { value: 10, unitCode: 'GQ' } }));
    expect(next).toEqual({
      ...entity,
      pm25: {
        type: 'Property',
        value: 10,
        observedAt: new Date(1000).toISOString(),
        unitCode: 'GQ',
      },
    });
    expect(entity).not.toHaveProperty('pm25');
    expect(next.name).toBe(entity.name);
  });

  it('keeps the unit of the current value when the observation has none', () => {
    const first = applyObservation(
      { id: 'urn:ngsi-ld:T:1', type: 'T' },
      obs(1000, { t: { value: 1, unitCode: 'CEL' } }),
    );
    expect(applyObservation(first, obs(2000, { t: { value: 2 } })).t).toMatchObject({
      value: 2,
      unitCode: 'CEL',
    });
  });

  it('never lets late data overwrite a newer current value', () => {
    const newer = applyObservation(
      { id: 'urn:ngsi-ld:T:1', type: 'T' },
      obs(5000, { t: { value: 5 } }),
    );
    const late = applyObservation(newer, obs(1000, { t: { value: 1 }, u: { value: 9 } }));
    expect(late.t).toBe(newer.t);
    expect(late.u).toMatchObject({ value: 9 });
  });
});
