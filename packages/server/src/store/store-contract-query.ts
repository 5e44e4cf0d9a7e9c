import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  entityTypes,
  matchesQ,
  parseQ,
  parseScopeQuery,
  parseTypeExpression,
  type Entity,
  type GeoQuery,
} from '../core/index.js';
import type { EntityQuery, Store, VisibilityRule } from './port.js';

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
/** Random attributes x and y, each absent, single- or multi-instance. */
const randomAttrs = fc.record({ x: attr, y: attr }, { requiredKeys: [] });
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
  fc.constantFrom('x', 'y', 'x;y', 'x|y', 'x~="^a"'),
);
/** A random q filter over x and y (as text). */
const randomQ = fc.oneof(
  qText,
  fc.tuple(qText, qText, fc.constantFrom(';', '|')).map(([a, b, j]) => `(${a})${j}${b}`),
);

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

    const rule = (type: string, q?: string): VisibilityRule =>
      q ? { type, q: parseQ(q) } : { type };
    const oddSensors = local('Sensor', ...range(1, 10).map((n) => n * 2 - 1));

    it('restricts to visible types and row filters, with exact counts and pages', async () => {
      const within = [rule('Sensor', 'status=="odd"'), rule('Room')];
      const visible = [...local('Room', 1, 2, 3, 4), ...oddSensors];
      expect(await ids({ within })).toEqual(visible);
      const page = await store.entities.query({ within, limit: 3, offset: 2, count: true });
      expect(page.entities.map((e) => e.id)).toEqual(visible.slice(2, 5));
      expect(page.count).toBe(14);
      const one = await store.entities.query({
        within: [rule('Sensor', 'status=="odd"')],
        limit: 2,
        offset: 3,
        count: true,
      });
      expect(one.entities.map((e) => e.id)).toEqual(oddSensors.slice(3, 5));
      expect(one.count).toBe(10);
      expect(await ids({ within: [rule('Sensor', 'status=="odd"'), rule('Sensor')] })).toHaveLength(
        23,
      );
    });

    it('ANDs the restriction with types, q, ids and geo', async () => {
      const within = [rule('Sensor', 'status=="odd"'), rule('Room')];
      const types = (text: string): Partial<EntityQuery> => ({
        within,
        types: parseTypeExpression(text),
      });
      expect(await ids(types('Room'))).toEqual(local('Room', 1, 2, 3, 4));
      expect(await ids(types('Sensor'))).toEqual(oddSensors);
      expect(await ids(types('Building'))).toEqual(local('Room', 1, 2));
      expect(await ids(types('Sensor,Room'))).toEqual(await ids({ within }));
      expect(
        await ids({ within: [rule('Room')], types: parseTypeExpression('Sensor,Room') }),
      ).toEqual(local('Room', 1, 2, 3, 4));
      expect(await ids({ within: [rule('Room')], types: parseTypeExpression('Sensor') })).toEqual(
        [],
      );
      expect(await ids({ within, q: parseQ('temperature>10') })).toEqual(
        local('Sensor', 11, 13, 15, 17, 19),
      );
      expect(
        await ids({
          within,
          ids: [id('Sensor', 2), id('Sensor', 3), id('Room', 4), id('Multi', 1)],
        }),
      ).toEqual([id('Room', 4), id('Sensor', 3)]);
      const geo: GeoQuery = {
        georel: 'near',
        maxDistance: 5000,
        geometry: { type: 'Point', coordinates: [0.1, 0] },
        geoproperty: 'location',
      };
      const near = await store.entities.query({ within, geo, limit: 2, offset: 1, count: true });
      expect(near.entities.map((e) => e.id)).toEqual(local('Sensor', 9, 11));
      expect(near.count).toBe(4); // 7, 9, 11, 13 of sensors 6…14
    });

    it('rechecks row filters SQL cannot decide, within the other filters', async () => {
      // Multi:001 has temperature 100 (dataset a) and 5: any instance may match.
      const low = (max: number): VisibilityRule[] => [rule('Sensor', `temperature<${max}`)];
      expect(await ids({ within: low(3) })).toEqual(local('Sensor', 1, 2));
      expect(await ids({ within: low(6) })).toEqual([
        id('Multi', 1),
        ...local('Sensor', 1, 2, 3, 4, 5),
      ]);
      const q = parseQ('temperature>50');
      expect(await ids({ within: low(6), q })).toEqual([id('Multi', 1)]);
      expect(await ids({ within: low(3), q })).toEqual([]);
      const pattern = [rule('Sensor', 'status~="d$"'), rule('Room', 'area~="x"')];
      const page = await store.entities.query({
        within: pattern,
        limit: 2,
        offset: 4,
        count: true,
      });
      expect(page.entities.map((e) => e.id)).toEqual(oddSensors.slice(4, 6));
      expect(page.count).toBe(10);
    });

    it('admits an entity with several types through any of them', async () => {
      // Rooms 1 and 2 are also Buildings; their areas are 10, 20, 30, 40.
      expect(await ids({ within: [rule('Building')] })).toEqual(local('Room', 1, 2));
      expect(await ids({ within: [rule('Room', 'area>15')] })).toEqual(local('Room', 2, 3, 4));
      expect(await ids({ within: [rule('Room', 'area>15'), rule('Building')] })).toEqual(
        local('Room', 1, 2, 3, 4),
      );
      expect(await ids({ within: [rule('Room', 'area>35'), rule('Building', 'area<15')] })).toEqual(
        local('Room', 1, 4),
      );
      // A rule's q never admits entities of another type.
      expect(await ids({ within: [rule('Building'), rule('Room', 'temperature>18')] })).toEqual(
        local('Room', 1, 2),
      );
    });

    it('admits nothing with an empty restriction', async () => {
      expect(await store.entities.query({ within: [], limit: 10, offset: 0, count: true })).toEqual(
        {
          entities: [],
          count: 0,
        },
      );
      expect(await ids({ within: [], types: parseTypeExpression('Room') })).toEqual([]);
      expect(await ids({ within: [], ids: [id('Room', 1)] })).toEqual([]);
    });

    it('agrees with the core q evaluator on random data', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(randomAttrs, { minLength: 1, maxLength: 12 }),
          randomQ,
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

    it('restricts as the core evaluators do on random data and rules', async () => {
      const types = fc.constantFrom<string | string[]>('RandA', 'RandB', ['RandA', 'RandB']);
      const rules = fc.array(
        fc.record({
          type: fc.constantFrom('RandA', 'RandB', 'RandC'),
          q: fc.option(randomQ, { nil: undefined }),
        }),
        { maxLength: 3 },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(types, randomAttrs), { minLength: 1, maxLength: 12 }),
          rules,
          fc.option(randomQ, { nil: undefined }),
          fc.nat(4),
          async (list, texts, qText, offset) => {
            const entities = list.map(([type, attrs], i): Entity => ({
              id: id('Rand', i),
              type,
              ...attrs,
            }));
            await store.entities.write(entities.map((e) => ({ id: e.id, mutate: () => e })));
            const within = texts.map((r) => rule(r.type, r.q));
            const q = qText === undefined ? undefined : parseQ(qText);
            const page = await store.entities.query({
              within,
              ...(q && { q }),
              limit: 3,
              offset,
              count: true,
            });
            const admitted = (e: Entity): boolean =>
              within.some((r) => entityTypes(e).includes(r.type) && (!r.q || matchesQ(e, r.q)));
            const expected = entities
              .filter((e) => (!q || matchesQ(e, q)) && admitted(e))
              .map((e) => e.id);
            await store.entities.write(entities.map((e) => ({ id: e.id, mutate: () => null })));
            expect(page.entities.map((e) => e.id)).toEqual(expected.slice(offset, offset + 3));
            expect(page.count).toBe(expected.length);
          },
        ),
        { numRuns: 100 },
      );
    });
  });
}
