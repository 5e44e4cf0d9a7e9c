import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Device } from '../store/index.js';
import { decodeObservations, IngestRefusal } from './decode-observation.js';

const device: Device = {
  id: 'aq-1',
  entityId: 'urn:ngsi-ld:AirQualityObserved:aq-1',
  entityType: 'AirQualityObserved',
  secretHash: '',
  units: { pm25: 'GQ' },
  createdAt: 0,
};
const decode = (payload: string) => decodeObservations(payload, device, 1_000);
const reasonOf = (payload: string) => {
  try {
    decode(payload);
    return 'accepted';
  } catch (err) {
    return (err as IngestRefusal).reason;
  }
};

describe('decodeObservations', () => {
  it('decodes a flat observation with the registered units and the time given', () => {
    expect(decode('{"observedAt":"2026-11-23T08:00:00Z","pm25":31.5,"status":"ok"}')).toEqual([
      {
        entityId: device.entityId,
        entityType: 'AirQualityObserved',
        deviceId: 'aq-1',
        observedAt: Date.parse('2026-11-23T08:00:00Z'),
        attrs: { pm25: { value: 31.5, unitCode: 'GQ' }, status: { value: 'ok' } },
      },
    ]);
  });

  it('takes the time of receipt when observedAt is absent, epoch ms when numeric, and explicit units', () => {
    const [a, b] = decode(
      '[{"no2":{"value":20,"unitCode":"GQ"}},{"observedAt":5000,"pm25":{"value":1}}]',
    );
    expect(a).toMatchObject({ observedAt: 1_000, attrs: { no2: { value: 20, unitCode: 'GQ' } } });
    expect(b).toMatchObject({ observedAt: 5_000, attrs: { pm25: { value: 1, unitCode: 'GQ' } } });
  });

  it('gives each refusal its reason', () => {
    expect(reasonOf('')).toBe('malformed-payload');
    expect(reasonOf('{"pm25":')).toBe('malformed-payload');
    expect(reasonOf('[]')).toBe('invalid-observation');
    expect(reasonOf('42')).toBe('invalid-observation');
    expect(reasonOf('{}')).toBe('invalid-observation');
    expect(reasonOf('{"observedAt":"yesterday","pm25":1}')).toBe('invalid-observation');
    expect(reasonOf('{"id":"urn:x:y","pm25":1}')).toBe('invalid-observation');
    expect(reasonOf('{"pm25":null}')).toBe('invalid-observation');
    expect(reasonOf('{"bad name":1}')).toBe('invalid-observation');
  });

  it('takes a GeoJSON geometry as the value, bare or explicit', () => {
    const point = { type: 'Point', coordinates: [120.1, 30.2] };
    const [bare, explicit] = decode(
      JSON.stringify([{ location: point }, { location: { value: point } }]),
    );
    expect(bare?.attrs.location).toEqual({ value: point });
    expect(explicit?.attrs.location).toEqual({ value: point });
    // An object whose "type" names no geometry is any other value.
    expect(decode('{"reading":{"type":"raw","v":1}}')[0]?.attrs.reading).toEqual({
      value: { type: 'raw', v: 1 },
    });
  });

  it('refuses a value that says it is a geometry but is none, saying what is wrong', () => {
    const refusal = (location: unknown) => {
      try {
        decode(JSON.stringify({ pm25: 1, location }));
      } catch (err) {
        expect(err).toBeInstanceOf(IngestRefusal);
        return `${(err as IngestRefusal).reason}: ${(err as IngestRefusal).message}`;
      }
      return 'accepted';
    };
    const open = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ];
    expect(refusal({ type: 'Point', coordinates: [200, 30] })).toBe(
      'invalid-observation: attribute location is not a valid GeoJSON geometry: location.coordinates is outside longitude ±180 / latitude ±90',
    );
    expect(refusal({ value: { type: 'Point', coordinates: ['120', '30'] } })).toMatch(
      /^invalid-observation: attribute location .*position \[longitude, latitude\]/,
    );
    expect(refusal({ type: 'Polygon', coordinates: [open] })).toMatch(/must end where it starts/);
    expect(refusal({ type: 'GeometryCollection', geometries: [] })).toMatch(/type must be one of/);
    expect(refusal({ type: 'Point' })).toMatch(/coordinates must be an array/);
  });

  it('accepts a Point exactly when its position is on the globe', () => {
    const coordinate = fc.oneof(fc.double({ noNaN: true }), fc.integer({ min: -200, max: 200 }));
    fc.assert(
      fc.property(coordinate, coordinate, (lon, lat) => {
        const payload = JSON.stringify({ location: { type: 'Point', coordinates: [lon, lat] } });
        const onGlobe = Number.isFinite(lon) && Number.isFinite(lat);
        const inRange = onGlobe && Math.abs(lon) <= 180 && Math.abs(lat) <= 90;
        expect(reasonOf(payload)).toBe(inRange ? 'accepted' : 'invalid-observation');
      }),
      { numRuns: 1000 },
    );
  });

  it('either accepts or refuses with a reason, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (payload) => {
        try {
          const out = decode(payload);
          expect(out.length).toBeGreaterThan(0);
        } catch (err) {
          expect(err).toBeInstanceOf(IngestRefusal);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
