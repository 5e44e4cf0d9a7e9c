// ETSI GS CIM 009 v1.8 clause 4.10 (NGSI-LD Geo-query language): georel near (maxDistance,
// minDistance), within, contains, intersects, equals, disjoint, overlaps; geometries Point,
// LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon; geoproperty.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, ids, useBroker } from './helpers/broker.js';

const b = useBroker({}, 'file');
const G = (value: unknown) => ({ type: 'GeoProperty', value });
const box = (x0: number, y0: number, x1: number, y1: number) => [
  [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
    [x0, y0],
  ],
];
const A1 = box(9.95, 49.95, 10.05, 50.05);
const id = (n: string) => `urn:ngsi-ld:Geo:${n}`;

beforeAll(async () => {
  const res = await b.api.post('/entityOperations/create', [
    // Points, ~716 m apart east-west at latitude 50.
    { id: id('P1'), type: 'GeoPoint', location: G({ type: 'Point', coordinates: [10, 50] }) },
    { id: id('P2'), type: 'GeoPoint', location: G({ type: 'Point', coordinates: [10.01, 50] }) },
    { id: id('P3'), type: 'GeoPoint', location: G({ type: 'Point', coordinates: [11, 50] }) },
    {
      id: id('L1'),
      type: 'GeoShape',
      location: G({
        type: 'LineString',
        coordinates: [
          [9.9, 49.9],
          [10.1, 50.1],
        ],
      }),
    },
    { id: id('A1'), type: 'GeoShape', location: G({ type: 'Polygon', coordinates: A1 }) },
    {
      id: id('A2'),
      type: 'GeoShape',
      location: G({ type: 'Polygon', coordinates: box(20, 20, 21, 21) }),
    },
    {
      id: id('MP'),
      type: 'GeoShape',
      location: G({
        type: 'MultiPoint',
        coordinates: [
          [10, 50],
          [30, 30],
        ],
      }),
    },
    {
      id: id('ML'),
      type: 'GeoShape',
      location: G({
        type: 'MultiLineString',
        coordinates: [
          [
            [0, 0],
            [1, 1],
          ],
          [
            [40, 40],
            [41, 41],
          ],
        ],
      }),
    },
    {
      id: id('MPoly'),
      type: 'GeoShape',
      location: G({
        type: 'MultiPolygon',
        coordinates: [box(29.5, 29.5, 30.5, 30.5), box(39.5, 39.5, 40.5, 40.5)],
      }),
    },
    {
      id: id('W1'),
      type: 'Worker',
      location: G({ type: 'Point', coordinates: [11, 50] }),
      workplace: G({ type: 'Point', coordinates: [10, 50] }),
    },
  ]);
  expect(res.status, res.text).toBe(201);
});

async function geo(
  type: string,
  georel: string,
  geometry: string,
  coordinates: unknown,
  extra = '',
) {
  const qs =
    `type=${type}&georel=${encodeURIComponent(georel)}&geometry=${geometry}` +
    `&coordinates=${encodeURIComponent(JSON.stringify(coordinates))}${extra}`;
  const res = await b.api.get(`/entities?${qs}`);
  expect(res.status, res.text).toBe(200);
  return ids(res.body);
}
const want = (...n: string[]) => n.map(id).sort();

describe('4.10 georel near', () => {
  it.each([
    ['near;maxDistance==1000', ['P1', 'P2']],
    ['near;maxDistance==100', ['P1']],
    ['near;minDistance==1000', ['P3']],
    ['near;minDistance==100', ['P2', 'P3']],
    ['near;maxDistance==100000', ['P1', 'P2', 'P3']],
  ])('4.10: %s (metres) around Point [10,50]', async (georel, expected) => {
    expect(await geo('GeoPoint', georel, 'Point', [10, 50])).toEqual(want(...expected));
  });
});

describe('4.10 georel within / contains / intersects / equals / disjoint / overlaps', () => {
  it('4.10: within a Polygon', async () => {
    expect(await geo('GeoPoint', 'within', 'Polygon', A1)).toEqual(want('P1', 'P2'));
  });

  it('4.10: within a MultiPolygon', async () => {
    expect(
      await geo('GeoPoint', 'within', 'MultiPolygon', [A1, box(10.9, 49.9, 11.1, 50.1)]),
    ).toEqual(want('P1', 'P2', 'P3'));
  });

  it('4.10: within a large Polygon selects only shapes entirely inside it', async () => {
    expect(await geo('GeoShape', 'within', 'Polygon', box(-1, -1, 45, 45))).toEqual(
      want('A2', 'ML', 'MPoly'),
    );
  });

  it('4.10: contains a Point (the entity geometry contains the query geometry)', async () => {
    expect(await geo('GeoShape', 'contains', 'Point', [10.02, 49.98])).toEqual(want('A1'));
  });

  it('4.10: intersects a Polygon (points inside it)', async () => {
    expect(await geo('GeoPoint', 'intersects', 'Polygon', A1)).toEqual(want('P1', 'P2'));
  });

  it('4.10: intersects a LineString', async () => {
    expect(
      await geo('GeoShape', 'intersects', 'LineString', [
        [9.9, 50.1],
        [10.1, 49.9],
      ]),
    ).toEqual(want('A1', 'L1', 'MP'));
  });

  it('4.10: intersects a Polygon (multi-geometries with a part inside)', async () => {
    expect(await geo('GeoShape', 'intersects', 'Polygon', box(29, 29, 31, 31))).toEqual(
      want('MP', 'MPoly'),
    );
  });

  it('4.10: intersects a MultiPoint', async () => {
    expect(
      await geo('GeoShape', 'intersects', 'MultiPoint', [
        [30, 30],
        [100, 0],
      ]),
    ).toEqual(want('MP', 'MPoly'));
  });

  it('4.10: intersects a MultiLineString', async () => {
    expect(
      await geo('GeoShape', 'intersects', 'MultiLineString', [
        [
          [0, 1],
          [1, 0],
        ],
      ]),
    ).toEqual(want('ML'));
  });

  it('4.10: equals a Point', async () => {
    expect(await geo('GeoPoint', 'equals', 'Point', [10, 50])).toEqual(want('P1'));
  });

  it('4.10: equals a Polygon', async () => {
    expect(await geo('GeoShape', 'equals', 'Polygon', A1)).toEqual(want('A1'));
  });

  it('4.10: disjoint from a Polygon (points)', async () => {
    expect(await geo('GeoPoint', 'disjoint', 'Polygon', A1)).toEqual(want('P3'));
  });

  it('4.10: disjoint from a Polygon (shapes)', async () => {
    expect(await geo('GeoShape', 'disjoint', 'Polygon', box(19, 19, 22, 22))).toEqual(
      want('A1', 'L1', 'MP', 'ML', 'MPoly'),
    );
  });

  it('4.10: overlaps a Polygon (same dimension, partial overlap)', async () => {
    expect(await geo('GeoShape', 'overlaps', 'Polygon', box(10, 50, 10.1, 50.1))).toEqual(
      want('A1'),
    );
  });
});

describe('4.10 geoproperty', () => {
  it('4.10: without geoproperty the location GeoProperty is used', async () => {
    expect(await geo('Worker', 'near;maxDistance==1000', 'Point', [10, 50])).toEqual([]);
  });

  it('4.10: geoproperty=workplace queries that GeoProperty instead', async () => {
    expect(
      await geo('Worker', 'near;maxDistance==1000', 'Point', [10, 50], '&geoproperty=workplace'),
    ).toEqual(want('W1'));
  });

  it('5.7.2: a geo-query alone (no type) is a sufficient selector', async () => {
    const res = await b.api.get(
      `/entities?georel=${encodeURIComponent('near;maxDistance==100')}&geometry=Point&coordinates=${encodeURIComponent('[10,50]')}`,
    );
    expect(res.status, res.text).toBe(200);
    expect(ids(res.body)).toEqual(expect.arrayContaining([id('P1')]));
    expect(ids(res.body)).not.toContain(id('P3'));
  });
});

describe('4.10 geo-query errors', () => {
  const base = '/entities?type=GeoPoint';
  it.each([
    [
      'georel without geometry',
      `${base}&georel=within&coordinates=${encodeURIComponent(JSON.stringify(A1))}`,
    ],
    [
      'geometry without georel',
      `${base}&geometry=Point&coordinates=${encodeURIComponent('[10,50]')}`,
    ],
    [
      'an unknown georel',
      `${base}&georel=around&geometry=Point&coordinates=${encodeURIComponent('[10,50]')}`,
    ],
    [
      'near without a distance',
      `${base}&georel=near&geometry=Point&coordinates=${encodeURIComponent('[10,50]')}`,
    ],
    [
      'an unknown geometry',
      `${base}&georel=within&geometry=Circle&coordinates=${encodeURIComponent('[10,50]')}`,
    ],
    [
      'coordinates that are not JSON',
      `${base}&georel=within&geometry=Polygon&coordinates=${encodeURIComponent('[[[1,2]')}`,
    ],
    [
      'coordinates that do not fit the geometry',
      `${base}&georel=within&geometry=Polygon&coordinates=${encodeURIComponent('[10,50]')}`,
    ],
  ])('4.10/5.5.2: 400 BadRequestData for %s', async (_why, url) => {
    expectProblem(await b.api.get(url), 400, 'BadRequestData');
  });
});
