import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceAvailable, SERVICES } from '../../../tests/helpers/services.js';
import type { Attribute } from '../../core/index.js';
import type { AggregationMethod, AttributeInstance, TemporalQuery } from '../port.js';
import { migrate } from '../sqlite/schema.js';
import { SeriesLog } from '../sqlite/series-log.js';
import { TemporalTable } from '../sqlite/temporal-table.js';
import { historyFixture, type HistoryFixture } from './history-fixture.js';

const pg = await serviceAvailable('postgres');

const t0 = Date.parse('2026-03-02T00:00:00Z');
const MIN = 60_000;
const METHODS: AggregationMethod[] = [
  'totalCount',
  'distinctCount',
  'sum',
  'avg',
  'min',
  'max',
  'stddev',
  'sumsq',
];

/** Attribute contents of every kind the comparison of values distinguishes. */
const content = fc.oneof(
  fc.integer({ min: -50, max: 50 }).map((value) => ({ type: 'Property', value })),
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((value) => ({
    type: 'Property',
    value: Object.is(value, -0) ? 0 : value,
  })),
  fc
    .constantFrom('moving', 'idle', 'Zebra', 'é', '中', 'a"b', '', '10')
    .map((value) => ({ type: 'Property', value })),
  fc.boolean().map((value) => ({ type: 'Property', value })),
  fc.constant({ type: 'Property', value: null }),
  fc.integer({ min: 0, max: 3 }).map((x) => ({ type: 'Property', value: { x } })),
  fc.integer({ min: 1, max: 9 }).map((value) => ({
    type: 'Property',
    value,
    accuracy: { type: 'Property', value: 0.5 },
  })),
  fc.constantFrom('urn:a', 'urn:b').map((object) => ({ type: 'Relationship', object })),
  fc.constant({ type: 'Relationship', object: ['urn:a', 'urn:b'] }),
  fc.constant({ type: 'LanguageProperty', languageMap: { en: 'x' } }),
);

const instanceSpec = fc.record({
  entity: fc.constantFrom('E1', 'E2'),
  attr: fc.constantFrom('a', 'b'),
  dataset: fc.constantFrom(undefined, undefined, 'urn:ds:1', 'urn:ds:2'),
  minute: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined, freq: 6 }),
  created: fc.integer({ min: 0, max: 3 }),
  unit: fc.constantFrom(undefined, undefined, 'CEL'),
  content,
});

const querySpec = fc.record({
  timeproperty: fc.constantFrom('observedAt' as const, 'createdAt' as const, 'modifiedAt' as const),
  from: fc.option(fc.integer({ min: -10, max: 300 }), { nil: undefined }),
  span: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
  lastN: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  attrs: fc.constantFrom(undefined, ['a'], ['b', 'a'], ['none']),
  entities: fc.constantFrom(['E1'], ['E2', 'E1'], ['E1', 'X']),
  methods: fc.subarray(METHODS, { minLength: 1 }),
  period: fc.option(fc.constantFrom(MIN, 7 * MIN, 60 * MIN), { nil: undefined }),
});

type Aggregated = Awaited<ReturnType<TemporalTable['aggregate']>>;

/**
 * Whether two aggregations agree: the same series, periods and values, numbers within what
 * floating point allows the engines to differ by. They sum in different orders (SQLite with
 * compensation), and SQLite's stddev formula loses digits to cancellation where PostgreSQL's
 * (Youngs–Cramer) does not: up to about sqrt(ε) times the magnitude of the data.
 */
function agree(got: Aggregated, want: Aggregated, scale: number): boolean {
  const near = (a: unknown, b: unknown, tolerance: number) =>
    a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= tolerance);
  return (
    got.length === want.length &&
    got.every((g, i) => {
      const w = want[i]!;
      return (
        g.entityId === w.entityId &&
        g.attr === w.attr &&
        g.datasetId === w.datasetId &&
        g.values.length === w.values.length &&
        g.values.every((v, j) => {
          const x = w.values[j]!;
          const size = Math.max(1, Math.abs(Number(v.value)), Math.abs(Number(x.value)));
          const tolerance =
            v.method === 'stddev'
              ? 1e-7 * scale + 1e-9
              : v.method === 'sum' || v.method === 'avg'
                ? 1e-13 * scale * 30 + 1e-9 * size
                : 1e-9 * size;
          return (
            v.method === x.method &&
            v.start === x.start &&
            v.end === x.end &&
            near(v.value, x.value, tolerance)
          );
        })
      );
    })
  );
}

describe.skipIf(!pg)('PgHistory answers as SQLite does', () => {
  let fx: HistoryFixture;
  let sqlite: Database.Database;
  let reference: TemporalTable;
  beforeAll(async () => {
    fx = await historyFixture(SERVICES.postgres);
    sqlite = new Database(':memory:');
    migrate(sqlite);
    reference = new TemporalTable(sqlite, new SeriesLog(sqlite));
  });
  afterAll(async () => {
    sqlite?.close();
    await fx?.drop();
  });

  it('reads and aggregates random histories the same on both', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(instanceSpec, { minLength: 1, maxLength: 25 }), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.array(querySpec, { minLength: 1, maxLength: 4 }),
        async (batches, queries) => {
          // Each run has entities of its own in the two shared stores.
          const id = (e: string) => `urn:ngsi-ld:T:${run}-${e}`;
          run++;
          const scale = Math.max(
            1,
            ...batches
              .flat()
              .map((s) => Math.abs(Number((s.content as { value?: unknown }).value) || 0)),
          );
          for (const batch of batches) {
            const instances = batch.map((s): AttributeInstance => {
              const createdAt = t0 + s.created * 1000;
              const attribute = {
                ...s.content,
                ...(s.minute !== undefined && {
                  observedAt: new Date(t0 + s.minute * MIN).toISOString(),
                }),
                ...(s.unit && { unitCode: s.unit }),
                ...(s.dataset && { datasetId: s.dataset }),
              } as Attribute;
              const i: AttributeInstance = {
                entityId: id(s.entity),
                attr: s.attr,
                instanceId: '',
                attribute,
                createdAt,
                modifiedAt: createdAt,
              };
              if (s.dataset) i.datasetId = s.dataset;
              return i;
            });
            await reference.append(instances);
            await fx.history.append(instances);
          }
          for (const s of queries) {
            const query: TemporalQuery = {
              entityIds: s.entities.map(id),
              timeproperty: s.timeproperty,
            };
            const base = s.timeproperty === 'observedAt' ? t0 : t0 - 200 * MIN;
            if (s.from !== undefined) query.from = base + s.from * MIN;
            if (s.span !== undefined) query.to = (query.from ?? base) + s.span * MIN;
            if (s.attrs) query.attrs = [...s.attrs];
            expect(await fx.history.query(query)).toEqual(await reference.query(query));
            if (s.lastN !== undefined) query.lastN = s.lastN;
            expect(await fx.history.query(query)).toEqual(await reference.query(query));
            delete query.lastN;
            const want = await reference.aggregate(query, s.methods, s.period);
            const got = await fx.history.aggregate(query, s.methods, s.period);
            if (!agree(got, want, scale)) expect(got).toEqual(want);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
