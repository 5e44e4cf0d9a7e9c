import { describe, expect, it } from 'vitest';
import type { Entity, Observation } from '../core/index.js';
import { applyObservation, observationRefusal, observedType } from './apply-observation.js';

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

  it('makes an observed GeoJSON geometry a GeoProperty, and keeps a GeoProperty one', () => {
    const here = { type: 'Point', coordinates: [120.1, 30.2] };
    const there = { type: 'Point', coordinates: [120.2, 30.3] };
    const first = applyObservation(
      { id: 'urn:ngsi-ld:T:1', type: 'T' },
      obs(1000, { location: { value: here } }),
    );
    expect(first.location).toEqual({
      type: 'GeoProperty',
      value: here,
      observedAt: new Date(1000).toISOString(),
    });
    const moved = applyObservation(first, obs(2000, { location: { value: there } }));
    expect(moved.location).toEqual({
      type: 'GeoProperty',
      value: there,
      observedAt: new Date(2000).toISOString(),
    });
  });

  it('makes a Property of anything that is no valid geometry', () => {
    for (const value of [
      { lat: 30.2, lon: 120.1 },
      [120.1, 30.2],
      { type: 'Point', coordinates: [200, 30] },
      { type: 'GeometryCollection', geometries: [] },
      'Point',
    ]) {
      expect(observedType(value)).toBe('Property');
      const next = applyObservation(
        { id: 'urn:ngsi-ld:T:1', type: 'T' },
        obs(1000, { p: { value } }),
      );
      expect(next.p).toMatchObject({ type: 'Property', value });
    }
    expect(
      observedType({
        type: 'LineString',
        coordinates: [
          [0, 0],
          [1, 1],
        ],
      }),
    ).toBe('GeoProperty');
  });
});

describe('observationRefusal', () => {
  const here = { type: 'Point', coordinates: [120.1, 30.2] };
  const located: Entity = {
    id: 'urn:ngsi-ld:T:1',
    type: 'T',
    location: { type: 'GeoProperty', value: here, observedAt: new Date(5000).toISOString() },
    status: { type: 'Property', value: 'ok' },
  };

  it('refuses anything but a valid geometry for a GeoProperty, late data too, naming it', () => {
    for (const value of [
      'garage',
      7,
      { lat: 30.2, lon: 120.1 },
      { type: 'Point', coordinates: [200, 0] },
    ])
      for (const t of [1000, 9000])
        expect(
          observationRefusal(located, obs(t, { pm25: { value: 1 }, location: { value } })),
        ).toBe(
          'attribute location of urn:ngsi-ld:T:1 is a GeoProperty: a device may report it only as a valid GeoJSON geometry',
        );
    const multi: Entity = {
      ...located,
      location: [{ type: 'Property', value: 'x', datasetId: 'urn:ds:a' }, located.location],
    };
    expect(observationRefusal(multi, obs(9000, { location: { value: 'garage' } }))).toMatch(
      /location/,
    );
  });

  it('accepts a geometry for a GeoProperty and anything for other or new attributes', () => {
    const moved = { type: 'Point', coordinates: [0, 0] };
    expect(observationRefusal(located, obs(9000, { location: { value: moved } }))).toBeUndefined();
    expect(
      observationRefusal(located, obs(9000, { status: { value: here }, pm25: { value: 'x' } })),
    ).toBeUndefined();
    expect(
      observationRefusal({ id: 'urn:ngsi-ld:T:2', type: 'T' }, obs(1, { location: { value: 7 } })),
    ).toBeUndefined();
  });
});
