import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Attribute } from '../../core/index.js';
import type { AttributeInstance, TemporalQuery } from '../port.js';
import { migrate } from './schema.js';
import { SeriesTable } from './series-table.js';
import { TemporalTable } from './temporal-table.js';

const dbs: Database.Database[] = [];
/** A fresh, fully migrated database file with the two views of the history. */
function open(): { temporal: TemporalTable; series: SeriesTable } {
  const db = new Database(join(mkdtempSync(join(tmpdir(), 'cb-temporal-')), 'db.sqlite'));
  migrate(db);
  dbs.push(db);
  return { temporal: new TemporalTable(db), series: new SeriesTable(db) };
}
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

const E = 'urn:ngsi-ld:Vehicle:v1';
const t0 = Date.parse('2024-05-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const NOW = Date.parse('2024-06-01T00:00:00Z');

function instance(attr: string, attribute: Attribute, createdAt = NOW): AttributeInstance {
  return { entityId: E, attr, instanceId: '', attribute, createdAt, modifiedAt: createdAt };
}
const speed = (minute: number, value: number, datasetId?: string) =>
  instance('speed', {
    type: 'Property',
    value,
    observedAt: iso(t0 + minute * 60_000),
    ...(datasetId && { datasetId }),
  });
const q = (extra: Partial<TemporalQuery> = {}): TemporalQuery => ({
  entityIds: [E],
  timeproperty: 'observedAt',
  ...extra,
});

describe('TemporalTable', () => {
  it('keeps every kind of instance whole and gives each a stable instanceId', async () => {
    const store = open();
    const rel = instance('owner', {
      type: 'Relationship',
      object: 'urn:ngsi-ld:Person:p1',
      observedAt: iso(t0),
    });
    const withSub = instance('speed', {
      type: 'Property',
      value: 50,
      unitCode: 'KMH',
      observedAt: iso(t0),
      accuracy: { type: 'Property', value: 0.5 },
    });
    const noTime = instance('name', { type: 'Property', value: 'bus 7' }, NOW);
    await store.temporal.append([rel, withSub, noTime, speed(1, 60)]);
    const got = await store.temporal.query(q());
    expect(got.map((i) => [i.attr, i.attribute])).toEqual([
      ['name', { type: 'Property', value: 'bus 7' }],
      ['owner', rel.attribute],
      ['speed', withSub.attribute],
      ['speed', { type: 'Property', value: 60, observedAt: iso(t0 + 60_000) }],
    ]);
    expect(got[0]).toMatchObject({ createdAt: NOW, modifiedAt: NOW });
    expect(got[3]?.instanceId).toBe(`urn:ngsi-ld:Instance:${t0 + 60_000}`);
    expect((await store.temporal.query(q()))[3]?.instanceId).toBe(got[3]?.instanceId);
  });

  it('keys an instance without observedAt by createdAt, never overwriting another', async () => {
    const store = open();
    await store.temporal.append([
      instance('name', { type: 'Property', value: 'a' }, NOW),
      instance('name', { type: 'Property', value: 'b' }, NOW),
    ]);
    const got = await store.temporal.query(q({ timeproperty: 'createdAt' }));
    expect(got.map((i) => i.attribute)).toEqual([
      { type: 'Property', value: 'a' },
      { type: 'Property', value: 'b' },
    ]);
    // The same content at the same createdAt is a resent instance, kept once.
    await store.temporal.append([instance('name', { type: 'Property', value: 'b' }, NOW)]);
    expect(await store.temporal.query(q())).toHaveLength(2);
  });

  it('separates datasetIds and applies lastN per attribute and dataset', async () => {
    const store = open();
    await store.temporal.append([
      speed(0, 1),
      speed(1, 2),
      speed(2, 3),
      speed(0, 10, 'urn:ngsi-ld:Dataset:gps'),
      speed(1, 20, 'urn:ngsi-ld:Dataset:gps'),
    ]);
    const got = await store.temporal.query(q({ lastN: 1 }));
    expect(got.map((i) => [i.datasetId, i.attribute.value])).toEqual([
      [undefined, 3],
      ['urn:ngsi-ld:Dataset:gps', 20],
    ]);
    expect(got[1]?.attribute.datasetId).toBe('urn:ngsi-ld:Dataset:gps');
    expect(got[1]?.instanceId).toMatch(/^urn:ngsi-ld:Instance:\d+-\d+$/);
  });

  it('bounds on the chosen time property, lower inclusive and upper exclusive', async () => {
    const store = open();
    await store.temporal.append([speed(0, 1), speed(1, 2, undefined), speed(2, 3)]);
    const values = async (extra: Partial<TemporalQuery>) =>
      (await store.temporal.query(q(extra))).map((i) => i.attribute.value);
    expect(await values({ from: t0 + 60_000, to: t0 + 120_000 })).toEqual([2]);
    expect(await values({ to: t0 + 60_000 })).toEqual([1]);
    expect(await values({ timeproperty: 'createdAt', from: NOW + 1 })).toEqual([]);
    expect(await values({ timeproperty: 'createdAt', from: NOW })).toEqual([1, 2, 3]);
    expect(await values({ attrs: ['nothing'] })).toEqual([]);
    expect(await store.temporal.query(q({ entityIds: ['urn:ngsi-ld:X:none'] }))).toEqual([]);
  });

  it('aggregates in periods, matching hand-computed values', async () => {
    const store = open();
    // Hour 0: 2, 4, 4, 4, 5, 5, 7, 9 (minutes 0..7); hour 1: 10 and 20.
    const hour0 = [2, 4, 4, 4, 5, 5, 7, 9].map((v, i) => speed(i, v));
    await store.temporal.append([...hour0, speed(60, 10), speed(90, 20)]);
    const methods = ['totalCount', 'distinctCount', 'sum', 'avg', 'min', 'max', 'stddev', 'sumsq'];
    const [series] = await store.temporal.aggregate(q({ from: t0 }), methods as never, 3_600_000);
    const at = (method: string, start: number) =>
      series?.values.find((v) => v.method === method && v.start === start)?.value;
    expect(at('totalCount', t0)).toBe(8);
    expect(at('distinctCount', t0)).toBe(5);
    expect(at('sum', t0)).toBe(40);
    expect(at('avg', t0)).toBe(5);
    expect(at('min', t0)).toBe(2);
    expect(at('max', t0)).toBe(9);
    expect(at('sumsq', t0)).toBe(232);
    // Sample standard deviation: sqrt(32 / 7).
    expect(at('stddev', t0)).toBeCloseTo(Math.sqrt(32 / 7), 10);
    const second = t0 + 3_600_000;
    expect(at('avg', second)).toBe(15);
    expect(series?.values.find((v) => v.start === second)?.end).toBe(second + 3_600_000);
    // Without a period, one value over the whole range.
    const [whole] = await store.temporal.aggregate(q(), ['avg', 'totalCount'], undefined);
    expect(whole?.values).toEqual([
      { method: 'avg', value: 70 / 10, start: t0, end: t0 + 90 * 60_000 },
      { method: 'totalCount', value: 10, start: t0, end: t0 + 90 * 60_000 },
    ]);
    expect(await store.temporal.aggregate(q({ from: t0 + 10e9 }), ['avg'])).toEqual([]);
  });

  it('updates and deletes single instances by instanceId', async () => {
    const store = open();
    await store.temporal.append([speed(0, 1), speed(1, 2)]);
    const [first] = await store.temporal.query(q());
    const id = first!.instanceId;
    expect(
      await store.temporal.updateInstance(E, 'speed', id, {
        type: 'Property',
        value: 99,
        observedAt: iso(t0),
      }),
    ).toBe(true);
    const after = await store.temporal.query(q());
    expect(after.map((i) => i.attribute.value)).toEqual([99, 2]);
    expect(after[0]!.instanceId).toBe(id);
    expect(after[0]!.modifiedAt).toBeGreaterThan(after[0]!.createdAt);
    expect(
      await store.temporal.updateInstance(E, 'speed', 'urn:ngsi-ld:Instance:1', {
        type: 'Property',
        value: 1,
      }),
    ).toBe(false);
    expect(await store.temporal.updateInstance(E, 'speed', 'not-an-id', after[0]!.attribute)).toBe(
      false,
    );
    expect(await store.temporal.deleteInstance(E, 'speed', id)).toBe(true);
    expect(await store.temporal.deleteInstance(E, 'speed', id)).toBe(false);
    expect((await store.temporal.query(q())).map((i) => i.attribute.value)).toEqual([2]);
  });

  it('deletes an attribute by datasetId or whole, and an entity history', async () => {
    const store = open();
    const gps = 'urn:ngsi-ld:Dataset:gps';
    await store.temporal.append([speed(0, 1), speed(0, 2, gps), speed(1, 3, gps)]);
    expect(await store.temporal.deleteAttribute(E, 'speed', gps, false)).toBe(2);
    expect(await store.temporal.deleteAttribute(E, 'speed', 'urn:x:unknown', false)).toBe(0);
    await store.temporal.append([speed(0, 2, gps)]);
    expect(await store.temporal.deleteAttribute(E, 'speed', undefined, true)).toBe(2);
    await store.temporal.append([speed(0, 1), instance('name', { type: 'Property', value: 'x' })]);
    expect(await store.temporal.deleteEntity(E)).toBe(2);
    expect(await store.temporal.query(q())).toEqual([]);
  });

  it('serves ingest observations as instances of the same history', async () => {
    const store = open();
    // What the ingest transaction calls for each observed value.
    store.series.appendSync(E, 'speed', t0, 42, 'KMH', NOW);
    store.series.appendSync(E, 'state', t0, 'moving');
    const got = await store.temporal.query(q());
    expect(got.map((i) => [i.attr, i.attribute])).toEqual([
      ['speed', { type: 'Property', value: 42, observedAt: iso(t0), unitCode: 'KMH' }],
      ['state', { type: 'Property', value: 'moving', observedAt: iso(t0) }],
    ]);
    // And API-written instances show in the ingest chart view.
    await store.temporal.append([speed(5, 7)]);
    expect(await store.series.read({ entityId: E, attrs: ['speed'] })).toEqual([
      { attr: 'speed', observedAt: t0, value: 42 },
      { attr: 'speed', observedAt: t0 + 5 * 60_000, value: 7 },
    ]);
  });
});
