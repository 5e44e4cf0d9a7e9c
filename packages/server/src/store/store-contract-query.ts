import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  matchesQ,
  parseQ,
  parseScopeQuery,
  parseTypeExpression,
  type Entity,
  type GeoQuery,
} from '../core/index.js';
import type { EntityQuery, Store } from './port.js';

const prop = (value: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'Property',
  value,
  ...extra,
});
const point = (lon: number, lat: number): Record<string, unknown> => ({
  type: 'GeoProperty',
  value: { type: 'Point', coordinates: [lon, lat] },
});
const id = (type: string, n: number): string => `urn:ngsi-ld:${type}:${String(n).padStart(3, '0')}`;
const IRI_ATTR = 'https://example.org/ns#speed';

/** 20 sensors along the equator (0.01° apart), 4 rooms, and a few odd ones. */
function fixture(): Entity[] {
  const out: Entity[] = [];
  for (let n = 1; n <= 20; n++)
    out.push({
      id: id('Sensor', n),
      type: 'Sensor',
      temperature: prop(n, { observedAt: `2026-01-${String(n).padStart(2, '0')}T00:00:00Z` }),
      status: prop(n % 2 ? 'odd' : 'even'),
      location: point(n * 0.01, 0),
      ...(n <= 3 && { scope: n === 1 ? '/Madrid/Gardens' : '/Madrid/Parks' }),
    });
  for (let n = 1; n <= 4; n++)
    out.push({
      id: id('Room', n),
      type: n <= 2 ? ['Room', 'Building'] : 'Room',
      area: prop(n * 10),
    });
  out.push({
    id: id('Multi', 1),
    type: 'Sensor',
    temperature: [prop(100, { datasetId: 'urn:ds:a' }), prop(5)],
  });
  out.push({ id: id('Iri', 1), type: 'Sensor', [IRI_ATTR]: prop(7), temperature: prop('warm') });
  out.push({ id: id('Far', 1), type: 'Sensor', workplace: point(0.05, 0) });
  return out;
}

/** The query half of the Store contract (see store-contract.ts). */
export function describeQueryContract(getStore: () => Store): void {
  describe('entity queries', () => {
    let store: Store;
    const ids = async (q: Partial<EntityQuery>): Promise<string[]> =>
      (await store.entities.query({ limit: 100, offset: 0, ...q })).entities.map((e) => e.id);
    const local = (type: string, ...ns: number[]): string[] => ns.map((n) => id(type, n));
    const range = (a: number, b: number): number[] =>
      Array.from({ length: b - a + 1 }, (_, i) => a + i);

    beforeEach(async () => {
      store = getStore();
      const results = await store.entities.write(
        fixture().map((e) => ({ id: e.id, mutate: () => e })),
      );
      expect(results.every((r) => r.changed)).toBe(true);
    });

    it('orders by id, pages with limit and offset, and counts all matches', async () => {
      const all = await ids({});
      expect(all).toEqual([...all].sort());
      expect(all).toHaveLength(27);
      const page = await store.entities.query({ limit: 5, offset: 5, count: true });
      expect(page.entities.map((e) => e.id)).toEqual(all.slice(5, 10));
      expect(page.count).toBe(27);
      const q = parseQ('temperature>10');
      const p2 = await store.entities.query({ q, limit: 3, offset: 2, count: true });
      expect(p2.entities.map((e) => e.id)).toEqual(local('Sensor', 12, 13, 14));
      expect(p2.count).toBe(11);
      expect((await store.entities.query({ q, limit: 0, offset: 0, count: true })).count).toBe(11);
    });

    it('filters by type expression, ids, idPattern and attrs', async () => {
      expect(await ids({ types: parseTypeExpression('Room') })).toEqual(local('Room', 1, 2, 3, 4));
      expect(await ids({ types: parseTypeExpression('Building,Unknown') })).toEqual(
        local('Room', 1, 2),
      );
      expect(await ids({ types: parseTypeExpression('Room;Building') })).toEqual(
        local('Room', 1, 2),
      );
      expect(
        await ids({ types: parseTypeExpression('(Room;Building)|Sensor'), limit: 3 }),
      ).toHaveLength(3);
      expect(await ids({ ids: [id('Room', 3), id('Sensor', 2), 'urn:x:none'] })).toEqual([
        id('Room', 3),
        id('Sensor', 2),
      ]);
      expect(await ids({ ids: [id('Room', 3)], types: parseTypeExpression('Sensor') })).toEqual([]);
      expect(await ids({ idPattern: '^urn:ngsi-ld:Room:00[13]$' })).toEqual(local('Room', 1, 3));
      expect(await ids({ attrs: ['area', IRI_ATTR] })).toEqual([
        id('Iri', 1),
        ...local('Room', 1, 2, 3, 4),
      ]);
      await expect(
        store.entities.query({ idPattern: '(', limit: 1, offset: 0 }),
      ).rejects.toMatchObject({
        code: 'BadRequestData',
      });
    });

    it('pages one type in id order, following type changes and deletes', async () => {
      const room = parseTypeExpression('Room');
      const building = parseTypeExpression('Building');
      // Room 1 and 2 are also Buildings: each appears once per type, in id order.
      expect(await ids({ types: building })).toEqual(local('Room', 1, 2));
      const page = await store.entities.query({ types: room, limit: 2, offset: 1, count: true });
      expect(page.entities.map((e) => e.id)).toEqual(local('Room', 2, 3));
      expect(page.count).toBe(4);
      await store.entities.write([
        { id: id('Room', 1), mutate: (cur) => cur && { ...cur, type: 'Hall' } },
        { id: id('Room', 4), mutate: () => null },
      ]);
      expect(await ids({ types: room })).toEqual(local('Room', 2, 3));
      expect(await ids({ types: building })).toEqual(local('Room', 2));
      expect(await ids({ types: parseTypeExpression('Hall') })).toEqual(local('Room', 1));
      expect(
        (await store.entities.query({ types: room, q: parseQ('area>0'), limit: 1, offset: 0 }))
          .entities,
      ).toHaveLength(1);
    });

    it('filters by q, including multi-attributes, sub-attributes and full IRI names', async () => {
      const q = async (text: string, types = 'Sensor'): Promise<string[]> =>
        ids({ q: parseQ(text), types: parseTypeExpression(types) });
      expect(await q('temperature>18')).toEqual([id('Multi', 1), ...local('Sensor', 19, 20)]);
      expect(await q('temperature==2,4')).toEqual(local('Sensor', 2, 4));
      expect(await q('temperature==3..5')).toEqual([id('Multi', 1), ...local('Sensor', 3, 4, 5)]);
      expect(await q('temperature<3;status=="odd"')).toEqual(local('Sensor', 1));
      expect(await q('status!="odd"')).toEqual(local('Sensor', ...range(1, 10).map((n) => n * 2)));
      expect(await q('temperature=="warm"')).toEqual([id('Iri', 1)]);
      expect(await q(`${IRI_ATTR}==7`)).toEqual([id('Iri', 1)]);
      expect(await q('temperature.observedAt>=2026-01-19T00:00:00Z')).toEqual(
        local('Sensor', 19, 20),
      );
      expect(await q('workplace|area', 'Sensor,Room')).toEqual([
        id('Far', 1),
        ...local('Room', 1, 2, 3, 4),
      ]);
      expect(await q('area>15', 'Room')).toEqual(local('Room', 2, 3, 4));
    });

    it('filters by scopeQ', async () => {
      expect(await ids({ scopeQ: parseScopeQuery('/Madrid/#') })).toEqual(local('Sensor', 1, 2, 3));
      expect(await ids({ scopeQ: parseScopeQuery('/Madrid/Gardens') })).toEqual(local('Sensor', 1));
    });

    it('filters by geo-query, following updates and deletes', async () => {
      const near = (lon: number, maxDistance: number, geoproperty = 'location'): GeoQuery => ({
        georel: 'near',
        maxDistance,
        geometry: { type: 'Point', coordinates: [lon, 0] },
        geoproperty,
      });
      // 0.01° of longitude at the equator is ~1113 m.
      expect(await ids({ geo: near(0.1, 1200) })).toEqual(local('Sensor', 9, 10, 11));
      expect(await ids({ geo: near(0.05, 100, 'workplace') })).toEqual([id('Far', 1)]);
      const within: GeoQuery = {
        georel: 'within',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0.015, -1],
              [0.035, -1],
              [0.035, 1],
              [0.015, 1],
              [0.015, -1],
            ],
          ],
        },
        geoproperty: 'location',
      };
      expect(await ids({ geo: within })).toEqual(local('Sensor', 2, 3));
      await store.entities.write([
        { id: id('Sensor', 10), mutate: (e) => e && { ...e, location: point(1, 0) } },
        { id: id('Sensor', 11), mutate: () => null },
      ]);
      expect(await ids({ geo: near(0.1, 1200) })).toEqual(local('Sensor', 9));
      expect(await ids({ geo: near(1, 10) })).toEqual(local('Sensor', 10));
      const counted = await store.entities.query({
        geo: near(0.1, 5000),
        limit: 2,
        offset: 1,
        count: true,
      });
      expect(counted.entities.map((e) => e.id)).toEqual(local('Sensor', 7, 8));
      expect(counted.count).toBe(7);
    });

    it('counts past the last page, and finds any GeoProperty instance of a multi-attribute', async () => {
      expect(await store.entities.query({ limit: 5, offset: 100, count: true })).toEqual({
        entities: [],
        count: 27,
      });
      await store.entities.write([
        {
          id: id('Multi', 1),
          mutate: (e) =>
            e && { ...e, location: [{ ...point(2, 0), datasetId: 'urn:ds:a' }, point(3, 0)] },
        },
      ]);
      const near = (lon: number): Partial<EntityQuery> => ({
        geo: {
          georel: 'near',
          maxDistance: 100,
          geometry: { type: 'Point', coordinates: [lon, 0] },
          geoproperty: 'location',
        },
      });
      expect(await ids(near(2))).toEqual([id('Multi', 1)]);
      expect(await ids(near(3))).toEqual([id('Multi', 1)]);
      expect(await ids(near(2.5))).toEqual([]);
    });

    it('agrees with the core q evaluator on random data', async () => {
      // Few distinct values, so that comparisons often hit equality boundaries.
      const int = fc.constantFrom(-2, 0, 3);
      const value = fc.oneof(
        { weight: 4, arbitrary: int },
        fc.constantFrom('a', 'b', 'B', ''),
        fc.boolean(),
        fc.array(int, { maxLength: 2 }),
      );
      const attr = fc.oneof(
        value.map((v) => prop(v)),
        fc.tuple(value, value).map(([a, b]) => [prop(a, { datasetId: 'urn:ds:1' }), prop(b)]),
        fc.constant({ type: 'Relationship', object: 'urn:x:1' }),
      );
      const entity = fc.record({ x: attr, y: attr }, { requiredKeys: [] });
      const qText = fc.oneof(
        fc
          .tuple(
            fc.constantFrom('x', 'y'),
            fc.constantFrom('==', '!=', '>', '>=', '<', '<='),
            fc.constantFrom('0', '3', '-2', '"a"', 'b', 'true', '0,3', '-2..0', 'urn:x:1'),
          )
          .map(([a, op, v]) =>
            v.includes(',') || v.includes('..')
              ? `${a}${op.startsWith('!') ? '!=' : '=='}${v}`
              : `${a}${op}${v}`,
          ),
        fc.constantFrom('x', 'y', 'x;y', 'x|y'),
      );
      const expr = fc.oneof(
        qText,
        fc.tuple(qText, qText, fc.constantFrom(';', '|')).map(([a, b, j]) => `(${a})${j}${b}`),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(entity, { minLength: 1, maxLength: 12 }),
          expr,
          async (attrsList, text) => {
            const entities = attrsList.map((attrs, i): Entity => ({
              id: id('Rand', i),
              type: 'Rand',
              ...attrs,
            }));
            await store.entities.write(entities.map((e) => ({ id: e.id, mutate: () => e })));
            const q = parseQ(text);
            const page = await store.entities.query({
              types: parseTypeExpression('Rand'),
              q,
              limit: 100,
              offset: 0,
              count: true,
            });
            const expected = entities.filter((e) => matchesQ(e, q)).map((e) => e.id);
            await store.entities.write(entities.map((e) => ({ id: e.id, mutate: () => null })));
            expect(page.entities.map((e) => e.id)).toEqual(expected);
            expect(page.count).toBe(expected.length);
          },
        ),
        { numRuns: 150 },
      );
    });
  });
}
