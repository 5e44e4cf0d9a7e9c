import { destination } from '@turf/turf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CityError } from './errors.js';
import type { Geometry } from './geo.js';
import {
  geoQueryBounds,
  geoQueryFromParams,
  matchesGeoQuery,
  parseGeoQuery,
  type GeoQuery,
} from './geo-query.js';

const SOL: [number, number] = [-3.7038, 40.4168]; // Madrid, Puerta del Sol
const point = (lon: number, lat: number): Geometry => ({ type: 'Point', coordinates: [lon, lat] });
const square = (lon: number, lat: number, size: number): Geometry => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon, lat],
      [lon + size, lat],
      [lon + size, lat + size],
      [lon, lat + size],
      [lon, lat],
    ],
  ],
});
const query = (georel: string, geometry: Geometry): GeoQuery =>
  parseGeoQuery({
    georel,
    geometry: geometry.type,
    coordinates: JSON.stringify(geometry.coordinates),
  });

const badRequest = (f: () => unknown): string => {
  let error: unknown;
  try {
    f();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(CityError);
  expect((error as CityError).code).toBe('BadRequestData');
  return (error as CityError).message;
};

describe('parseGeoQuery', () => {
  it('reads URL parameters, coordinates as a JSON string', () => {
    expect(
      parseGeoQuery({
        georel: 'near;maxDistance==2000',
        geometry: 'Point',
        coordinates: '[-3.7038,40.4168]',
      }),
    ).toEqual({
      georel: 'near',
      maxDistance: 2000,
      geometry: { type: 'Point', coordinates: SOL },
      geoproperty: 'location',
    });
  });

  it('reads a geoQ body with array coordinates and renames the geoproperty', () => {
    const q = parseGeoQuery(
      {
        georel: 'within',
        geometry: 'Polygon',
        coordinates: square(0, 0, 1).coordinates,
        geoproperty: 'area',
      },
      (n) => `https://ex.org/${n}`,
    );
    expect(q.geoproperty).toBe('https://ex.org/area');
    expect(q.geometry.type).toBe('Polygon');
  });

  it('takes min and max distance together', () => {
    const q = parseGeoQuery({
      georel: 'near;minDistance==10;maxDistance==1.5e3',
      geometry: 'Point',
      coordinates: [0, 0],
    });
    expect([q.minDistance, q.maxDistance]).toEqual([10, 1500]);
  });

  it('names what is missing', () => {
    expect(badRequest(() => parseGeoQuery({ georel: 'within' }))).toMatch(
      /missing geometry, coordinates/,
    );
    expect(geoQueryFromParams({ geoproperty: 'location' })).toBeUndefined();
    expect(badRequest(() => geoQueryFromParams({ geometry: 'Point' }))).toMatch(
      /missing georel, coordinates/,
    );
  });

  it.each([
    [{ georel: 'near', geometry: 'Point', coordinates: '[0,0]' }, /needs a distance/],
    [{ georel: 'near;maxDistance==-1', geometry: 'Point', coordinates: '[0,0]' }, /modifier/],
    [{ georel: 'near;maxDistance=1', geometry: 'Point', coordinates: '[0,0]' }, /modifier/],
    [
      { georel: 'near;maxDistance==1;maxDistance==2', geometry: 'Point', coordinates: '[0,0]' },
      /twice/,
    ],
    [{ georel: 'within;maxDistance==1', geometry: 'Point', coordinates: '[0,0]' }, /no distance/],
    [{ georel: 'inside', geometry: 'Point', coordinates: '[0,0]' }, /georel must start/],
    [{ georel: 'within', geometry: 'Circle', coordinates: '[0,0]' }, /geometry must be one of/],
    [{ georel: 'within', geometry: 'Point', coordinates: '[0,0' }, /JSON array/],
    [{ georel: 'within', geometry: 'Point', coordinates: '[[0,0]]' }, /geometry.coordinates/],
    [{ georel: 'within', geometry: 'Point', coordinates: '[0,95]' }, /latitude/],
    [{ georel: 'within', geometry: 'LineString', coordinates: '[[0,0]]' }, /at least 2/],
    [
      { georel: 'within', geometry: 'Polygon', coordinates: '[[[0,0],[1,0],[1,1],[0,1]]]' },
      /end where it starts/,
    ],
    [{ georel: 'within', geometry: 'Polygon', coordinates: '[[[0,0],[1,0],[0,0]]]' }, /at least 4/],
    [
      { georel: 'within', geometry: 'Point', coordinates: '[0,0]', geoproperty: 'a b' },
      /geoproperty/,
    ],
  ])('refuses %j', (raw, message) => {
    expect(badRequest(() => parseGeoQuery(raw))).toMatch(message);
  });
});

describe('matchesGeoQuery (clause 4.10)', () => {
  const north1112 = point(SOL[0], SOL[1] + 0.01); // ≈ 1112 m north of Sol

  it('near compares great-circle distances in metres', () => {
    expect(matchesGeoQuery(north1112, query('near;maxDistance==1000', point(...SOL)))).toBe(false);
    expect(matchesGeoQuery(north1112, query('near;maxDistance==1200', point(...SOL)))).toBe(true);
    expect(matchesGeoQuery(north1112, query('near;minDistance==1000', point(...SOL)))).toBe(true);
    expect(matchesGeoQuery(north1112, query('near;minDistance==1200', point(...SOL)))).toBe(false);
    expect(
      matchesGeoQuery(north1112, query('near;minDistance==1000;maxDistance==1200', point(...SOL))),
    ).toBe(true);
  });

  it('near measures to the nearest edge of a line or polygon, and 0 inside', () => {
    const plaza = square(SOL[0] - 0.001, SOL[1] + 0.009, 0.002); // south edge ≈ 1000 m north
    expect(matchesGeoQuery(plaza, query('near;maxDistance==1050', point(...SOL)))).toBe(true);
    expect(matchesGeoQuery(plaza, query('near;maxDistance==950', point(...SOL)))).toBe(false);
    const street: Geometry = {
      type: 'LineString',
      coordinates: [
        [SOL[0] - 0.01, SOL[1] + 0.01],
        [SOL[0] + 0.01, SOL[1] + 0.01],
      ],
    };
    expect(matchesGeoQuery(street, query('near;maxDistance==1200', point(...SOL)))).toBe(true);
    expect(matchesGeoQuery(street, query('near;maxDistance==1000', point(...SOL)))).toBe(false);
    expect(matchesGeoQuery(point(...SOL), query('near;maxDistance==0', square(-4, 40, 1)))).toBe(
      true,
    );
  });

  it('within: the entity geometry lies inside the query geometry', () => {
    const area = square(0, 0, 10);
    expect(matchesGeoQuery(point(5, 5), query('within', area))).toBe(true);
    expect(matchesGeoQuery(point(15, 5), query('within', area))).toBe(false);
    expect(matchesGeoQuery(square(1, 1, 2), query('within', area))).toBe(true);
    expect(matchesGeoQuery(square(5, 5, 10), query('within', area))).toBe(false);
    expect(matchesGeoQuery(area, query('within', point(5, 5)))).toBe(false);
    const lines: Geometry = {
      type: 'MultiLineString',
      coordinates: [
        [
          [1, 1],
          [2, 2],
        ],
        [
          [3, 3],
          [4, 4],
        ],
      ],
    };
    expect(matchesGeoQuery(lines, query('within', area))).toBe(true);
    expect(matchesGeoQuery(lines, query('within', square(0, 0, 3)))).toBe(false);
  });

  it('contains: the entity geometry holds the query geometry', () => {
    expect(matchesGeoQuery(square(0, 0, 10), query('contains', point(5, 5)))).toBe(true);
    expect(matchesGeoQuery(square(0, 0, 10), query('contains', point(15, 5)))).toBe(false);
    expect(matchesGeoQuery(point(5, 5), query('contains', square(0, 0, 10)))).toBe(false);
    expect(matchesGeoQuery(square(0, 0, 10), query('contains', square(1, 1, 1)))).toBe(true);
  });

  it('intersects, disjoint, equals and overlaps', () => {
    const line: Geometry = {
      type: 'LineString',
      coordinates: [
        [-5, 5],
        [5, 5],
      ],
    };
    expect(matchesGeoQuery(line, query('intersects', square(0, 0, 10)))).toBe(true);
    expect(matchesGeoQuery(line, query('disjoint', square(0, 0, 10)))).toBe(false);
    expect(matchesGeoQuery(line, query('disjoint', square(20, 20, 1)))).toBe(true);
    expect(matchesGeoQuery(point(1, 2), query('equals', point(1, 2)))).toBe(true);
    expect(matchesGeoQuery(point(1, 2), query('equals', point(1, 2.0001)))).toBe(false);
    expect(matchesGeoQuery(square(0, 0, 2), query('overlaps', square(1, 1, 2)))).toBe(true);
    expect(matchesGeoQuery(square(0, 0, 2), query('overlaps', square(5, 5, 2)))).toBe(false);
    expect(matchesGeoQuery(point(1, 1), query('overlaps', square(0, 0, 2)))).toBe(false);
  });

  it('never matches (and never throws on) a malformed entity geometry', () => {
    const open = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
        ],
      ],
    } as Geometry;
    for (const georel of [
      'within',
      'contains',
      'intersects',
      'equals',
      'overlaps',
      'near;maxDistance==10',
    ])
      expect(matchesGeoQuery(open, query(georel, square(0, 0, 5)))).toBe(false);
  });
});

describe('geoQueryBounds', () => {
  it('is the query bbox for relations that need the geometries to meet, none for disjoint', () => {
    expect(geoQueryBounds(query('within', square(1, 2, 3)))).toEqual([1, 2, 4, 5]);
    expect(geoQueryBounds(query('intersects', point(1, 2)))).toEqual([1, 2, 1, 2]);
    expect(geoQueryBounds(query('disjoint', point(1, 2)))).toBeUndefined();
    expect(geoQueryBounds(query('near;minDistance==5', point(1, 2)))).toBeUndefined();
  });

  it('widens near;maxDistance by the distance, more in longitude far from the equator', () => {
    const [minLon, minLat, maxLon, maxLat] = geoQueryBounds(
      query('near;maxDistance==10000', point(10, 60)),
    )!;
    const dLat = (maxLat - minLat) / 2;
    const dLon = (maxLon - minLon) / 2;
    expect(dLat).toBeGreaterThan(0.0899);
    expect(dLat).toBeLessThan(0.0902);
    expect(dLon / dLat).toBeGreaterThan(1.99);
    expect(dLon / dLat).toBeLessThan(2.02);
    expect(geoQueryBounds(query('near;maxDistance==300000', point(0, 89)))).toEqual([
      -180,
      expect.closeTo(86.3, 1),
      180,
      90,
    ]);
  });

  it('holds every geometry that matches near;maxDistance', () => {
    // Integers scaled down: fc.double would mostly draw values near 0.
    const scaled = (min: number, max: number, scale: number) =>
      fc.integer({ min: min * scale, max: max * scale }).map((n) => n / scale);
    let outerHalf = 0;
    fc.assert(
      fc.property(
        scaled(-179, 179, 1000),
        scaled(-85, 85, 1000),
        scaled(1, 500_000, 1),
        scaled(-180, 180, 10),
        scaled(0, 1, 1000),
        (lon, lat, max, bearing, fraction) => {
          const q = query(`near;maxDistance==${max}`, point(lon, lat));
          const target = destination([lon, lat], max * fraction * 0.999, bearing, {
            units: 'meters',
          });
          const [x, y] = target.geometry.coordinates as [number, number];
          expect(matchesGeoQuery(point(x, y), q)).toBe(true);
          const [minLon, minLat, maxLon, maxLat] = geoQueryBounds(q)!;
          const inside = (x >= minLon && x <= maxLon) || minLon === -180;
          expect(inside && y >= minLat && y <= maxLat).toBe(true);
          if (Math.abs(x - lon) > (maxLon - minLon) / 4) outerHalf++;
        },
      ),
      { numRuns: 2000 },
    );
    expect(outerHalf).toBeGreaterThan(100); // the box is tight, not just large
  });
});
