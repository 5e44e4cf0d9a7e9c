import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceAvailable, SERVICES } from '../../../tests/helpers/services.js';
import { matchesGeoQuery, type Entity, type GeoQuery, type Geometry } from '../../core/index.js';
import { PostgresStore } from './postgres-store.js';
import { dropSchemas, randomSchema } from './test-schema.js';

const pgUp = await serviceAvailable('postgres');

// Points on an integer grid; reference shapes with half-integer edges, so that no point lies on a
// boundary, where floating point would make either side's answer a coin toss.
const coord = fc.integer({ min: 0, max: 4 });
const point = fc
  .tuple(coord, coord)
  .map(([x, y]): Geometry => ({ type: 'Point', coordinates: [x, y] }));
const half = fc.integer({ min: 0, max: 4 }).map((n) => n + 0.5);
const box = fc
  .tuple(half, half, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
  .map(([x, y, w, h]): Geometry => ({
    type: 'Polygon',
    coordinates: [
      [
        [x, y],
        [x + w, y],
        [x + w, y + h],
        [x, y + h],
        [x, y],
      ],
    ],
  }));
const line = fc
  .tuple(coord, half, coord, half)
  .filter(([a, , c]) => a !== c)
  .map(([a, b, c, d]): Geometry => ({
    type: 'LineString',
    coordinates: [
      [a, b],
      [c, d],
    ],
  }));
const query = fc
  .oneof(
    fc.tuple(fc.constantFrom('within', 'intersects', 'disjoint', 'overlaps'), box),
    fc.tuple(fc.constantFrom('equals', 'intersects', 'disjoint', 'contains', 'within'), point),
    fc.tuple(fc.constantFrom('intersects', 'disjoint'), line),
  )
  .map(([georel, geometry]): GeoQuery => ({
    georel,
    geometry,
    geoproperty: 'location',
  }));
const near = fc
  .tuple(point, fc.integer({ min: 50_000, max: 400_000 }), fc.boolean())
  .map(([geometry, d, max]): GeoQuery => ({
    georel: 'near',
    geometry,
    geoproperty: 'location',
    ...(max ? { maxDistance: d } : { minDistance: d }),
  }));

describe.skipIf(!pgUp)('geo-queries on PostGIS', () => {
  const schema = randomSchema();
  let store: PostgresStore;
  beforeAll(async () => {
    store = await PostgresStore.open({ url: SERVICES.postgres, schema, pool: 2 });
  });
  afterAll(async () => {
    await store?.close();
    await dropSchemas(SERVICES.postgres, schema);
  });

  it('agree with the core evaluator away from boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(point, { minLength: 1, maxLength: 8 }),
        fc.oneof(query, near),
        async (points, geo) => {
          const entities = points.map((value, i): Entity => ({
            id: `urn:g:${i}`,
            type: 'G',
            location: { type: 'GeoProperty', value },
          }));
          await store.entities.write(entities.map((e) => ({ id: e.id, mutate: () => e })));
          const page = await store.entities.query({ geo, limit: 100, offset: 0 });
          await store.entities.write(entities.map((e) => ({ id: e.id, mutate: () => null })));
          expect(page.entities.map((e) => e.id)).toEqual(
            entities
              .filter((e) => matchesGeoQuery((e.location as { value: Geometry }).value, geo))
              .map((e) => e.id)
              .sort(),
          );
        },
      ),
      { numRuns: 120 },
    );
  });
});
