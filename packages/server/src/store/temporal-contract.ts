import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Attribute } from '../core/index.js';
import type { SeriesStore, TemporalQuery, TemporalStore } from './port.js';
import { describeAggregationContract } from './temporal-contract-aggregate.js';
import { E, F, GPS, instance, iso, MIN, NOW, q, speed, t0 } from './temporal-contract-data.js';

/** One observed value as ingest appends it to the history (epoch ms). */
export interface IngestedValue {
  entityId: string;
  attr: string;
  observedAt: number;
  value: unknown;
  unitCode?: string;
  /** When it was stored: its createdAt. */
  now: number;
}

/** A fresh, empty history of one adapter, with its ingest path. */
export interface OpenedHistory {
  temporal: TemporalStore;
  series: SeriesStore;
  /** Appends values in one transaction, as the store's ingest does. */
  ingest(values: readonly IngestedValue[]): Promise<void>;
  cleanup(): Promise<void>;
}

/** Opens a fresh history for one test. */
export type OpenHistory = () => Promise<OpenedHistory>;

/**
 * What every adapter's history of attribute instances (TemporalStore + SeriesStore) must do,
 * run from each adapter's tests: the temporal API and ingest see one history, with the same
 * instance identity, order, bounds, aggregations and deletions everywhere.
 */
export function describeTemporalContract(name: string, open: OpenHistory): void {
  describe(`Temporal contract: ${name}`, () => {
    let opened: OpenedHistory;
    let store: TemporalStore;
    beforeEach(async () => {
      opened = await open();
      store = opened.temporal;
    });
    afterEach(async () => {
      await opened.cleanup();
    });
    const values = async (extra: Partial<TemporalQuery> = {}) =>
      (await store.query(q(extra))).map((i) => i.attribute.value);

    it('keeps every kind of instance whole and gives each a stable instanceId', async () => {
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
      const lang = instance('label', {
        type: 'LanguageProperty',
        languageMap: { en: 'bus', zh: '公共汽车' },
        observedAt: iso(t0),
      });
      const noTime = instance('name', { type: 'Property', value: 'bus 7' }, NOW);
      await store.append([rel, withSub, lang, noTime, speed(1, 60)]);
      const got = await store.query(q());
      expect(got.map((i) => [i.attr, i.attribute])).toEqual([
        ['label', lang.attribute],
        ['name', { type: 'Property', value: 'bus 7' }],
        ['owner', rel.attribute],
        ['speed', withSub.attribute],
        ['speed', { type: 'Property', value: 60, observedAt: iso(t0 + MIN) }],
      ]);
      expect(got[1]).toMatchObject({ createdAt: NOW, modifiedAt: NOW });
      expect(got[4]?.instanceId).toBe(`urn:ngsi-ld:Instance:${t0 + MIN}`);
      expect((await store.query(q()))[4]?.instanceId).toBe(got[4]?.instanceId);
      const ids = got.filter((i) => i.attr === 'speed').map((i) => i.instanceId);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('keys an instance without observedAt by createdAt, never overwriting another', async () => {
      await store.append([
        instance('name', { type: 'Property', value: 'a' }, NOW),
        instance('name', { type: 'Property', value: 'b' }, NOW),
      ]);
      const got = await store.query(q({ timeproperty: 'createdAt' }));
      expect(got.map((i) => i.attribute)).toEqual([
        { type: 'Property', value: 'a' },
        { type: 'Property', value: 'b' },
      ]);
      // The same content at the same createdAt is a resent instance, kept once.
      await store.append([instance('name', { type: 'Property', value: 'b' }, NOW)]);
      expect(await store.query(q())).toHaveLength(2);
      // A new content at that createdAt takes the next free millisecond.
      await store.append([instance('name', { type: 'Property', value: 'c' }, NOW)]);
      expect(await values({ timeproperty: 'createdAt' })).toEqual(['a', 'b', 'c']);
      const ids = (await store.query(q())).map((i) => i.instanceId);
      expect(new Set(ids).size).toBe(3);
    });

    it('applies a batch in order: a repeated time keeps the last content, the first createdAt', async () => {
      const first = speed(0, 1);
      const second = { ...speed(0, 2), createdAt: NOW + 5, modifiedAt: NOW + 5 };
      await store.append([first, second]);
      const [got] = await store.query(q());
      expect(got).toMatchObject({ attribute: { value: 2 }, createdAt: NOW, modifiedAt: NOW + 5 });
      await store.append([{ ...speed(0, 3), createdAt: NOW + 9, modifiedAt: NOW + 9 }]);
      expect((await store.query(q()))[0]).toMatchObject({
        attribute: { value: 3 },
        createdAt: NOW,
        modifiedAt: NOW + 9,
      });
    });

    it('separates datasetIds and applies lastN per attribute and dataset', async () => {
      await store.append([
        speed(0, 10, GPS),
        speed(0, 1),
        speed(1, 2),
        speed(2, 3),
        speed(1, 20, GPS),
        speed(1, 30, 'urn:ngsi-ld:Dataset:radar'),
      ]);
      const got = await store.query(q({ lastN: 1 }));
      // The default instance first, then datasets in the order they first came in.
      expect(got.map((i) => [i.datasetId, i.attribute.value])).toEqual([
        [undefined, 3],
        [GPS, 20],
        ['urn:ngsi-ld:Dataset:radar', 30],
      ]);
      expect(got[1]?.attribute.datasetId).toBe(GPS);
      expect(got[1]?.instanceId).toMatch(/^urn:ngsi-ld:Instance:\d+-\d+$/);
      expect(got[1]?.instanceId).not.toBe(got[2]?.instanceId);
      expect(await values({ lastN: 2, attrs: ['speed'] })).toEqual([2, 3, 10, 20, 30]);
    });

    it('answers entities in the order asked, attributes by name', async () => {
      await store.append([
        speed(0, 1, undefined, F),
        instance('alpha', { type: 'Property', value: 'x', observedAt: iso(t0) }, NOW, F),
        speed(0, 2),
      ]);
      const got = await store.query(q({ entityIds: [F, 'urn:ngsi-ld:X:none', E] }));
      expect(got.map((i) => [i.entityId, i.attr])).toEqual([
        [F, 'alpha'],
        [F, 'speed'],
        [E, 'speed'],
      ]);
      expect(await store.query(q({ entityIds: [] }))).toEqual([]);
    });

    it('bounds on the chosen time property, lower inclusive and upper exclusive', async () => {
      await store.append([speed(0, 1), speed(1, 2), speed(2, 3)]);
      expect(await values({ from: t0 + MIN, to: t0 + 2 * MIN })).toEqual([2]);
      expect(await values({ to: t0 + MIN })).toEqual([1]);
      expect(await values({ from: t0 + MIN, lastN: 5 })).toEqual([2, 3]);
      expect(await values({ timeproperty: 'createdAt', from: NOW + 1 })).toEqual([]);
      expect(await values({ timeproperty: 'createdAt', from: NOW })).toEqual([1, 2, 3]);
      expect(await values({ timeproperty: 'modifiedAt', to: NOW + 1 })).toEqual([1, 2, 3]);
      expect(await values({ attrs: ['nothing'] })).toEqual([]);
      expect(await store.query(q({ entityIds: ['urn:ngsi-ld:X:none'] }))).toEqual([]);
    });

    it('keeps instances far in the past and the future', async () => {
      const at = (ms: number, value: number) =>
        instance('speed', { type: 'Property', value, observedAt: iso(ms) });
      const past = Date.parse('1901-03-04T05:06:07.089Z');
      const future = Date.parse('2199-12-31T23:59:59.999Z');
      await store.append([at(future, 3), at(past, 1), at(t0, 2)]);
      const got = await store.query(q());
      expect(got.map((i) => [i.attribute.observedAt, i.attribute.value])).toEqual([
        [iso(past), 1],
        [iso(t0), 2],
        [iso(future), 3],
      ]);
      expect(await values({ from: future })).toEqual([3]);
      expect(await values({ lastN: 1 })).toEqual([3]);
      const [whole] = await store.aggregate(q(), ['sum', 'totalCount']);
      expect(whole?.values).toEqual([
        { method: 'sum', value: 6, start: past, end: future },
        { method: 'totalCount', value: 3, start: past, end: future },
      ]);
      expect(await store.deleteInstance(E, 'speed', got[0]!.instanceId)).toBe(true);
      expect(await values()).toEqual([2, 3]);
    });

    describeAggregationContract(() => store);

    it('updates and deletes single instances by instanceId', async () => {
      await store.append([speed(0, 1), speed(1, 2), speed(2, 5, GPS)]);
      const [first] = await store.query(q());
      const id = first!.instanceId;
      const update = (instanceId: string, attribute: Attribute) =>
        store.updateInstance(E, 'speed', instanceId, attribute);
      expect(await update(id, { type: 'Property', value: 99, observedAt: iso(t0) })).toBe(true);
      const after = await store.query(q());
      expect(after.map((i) => i.attribute.value)).toEqual([99, 2, 5]);
      expect(after[0]!.instanceId).toBe(id);
      expect(after[0]!.createdAt).toBe(NOW);
      expect(after[0]!.modifiedAt).toBeGreaterThan(after[0]!.createdAt);
      // Without observedAt the instance keeps its time (its place and instanceId).
      expect(await update(id, { type: 'Property', value: 98 })).toBe(true);
      expect((await store.query(q()))[0]).toMatchObject({ instanceId: id, createdAt: NOW });
      expect((await store.query(q()))[0]!.attribute).toEqual({ type: 'Property', value: 98 });
      // A new observedAt moves it (a new instanceId names it then).
      expect(await update(id, { type: 'Property', value: 97, observedAt: iso(t0 + 9 * MIN) })).toBe(
        true,
      );
      expect(await values()).toEqual([2, 97, 5]);
      expect(await update('urn:ngsi-ld:Instance:1', { type: 'Property', value: 1 })).toBe(false);
      expect(await update('not-an-id', { type: 'Property', value: 1 })).toBe(false);
      expect(await store.updateInstance(F, 'speed', id, { type: 'Property', value: 1 })).toBe(
        false,
      );
      const gps = (await store.query(q())).find((i) => i.datasetId === GPS)!;
      expect(await store.deleteInstance(E, 'speed', gps.instanceId)).toBe(true);
      expect(await store.deleteInstance(E, 'speed', gps.instanceId)).toBe(false);
      expect(await store.deleteInstance(E, 'speed', 'urn:ngsi-ld:Instance:x')).toBe(false);
      expect(await values()).toEqual([2, 97]);
    });

    it('deletes an attribute by datasetId or whole, and an entity history', async () => {
      await store.append([speed(0, 1), speed(0, 2, GPS), speed(1, 3, GPS), speed(0, 4, GPS, F)]);
      expect(await store.deleteAttribute(E, 'speed', GPS, false)).toBe(2);
      expect(await store.deleteAttribute(E, 'speed', 'urn:x:unknown', false)).toBe(0);
      expect(await store.deleteAttribute(E, 'nothing', undefined, true)).toBe(0);
      await store.append([speed(0, 2, GPS)]);
      expect(await store.deleteAttribute(E, 'speed', undefined, false)).toBe(1);
      expect(await values()).toEqual([2]);
      await store.append([speed(0, 1)]);
      expect(await store.deleteAttribute(E, 'speed', undefined, true)).toBe(2);
      await store.append([speed(0, 1), instance('name', { type: 'Property', value: 'x' })]);
      expect(await store.deleteEntity(E)).toBe(2);
      expect(await store.deleteEntity('urn:ngsi-ld:X:none')).toBe(0);
      expect(await store.query(q())).toEqual([]);
      expect(await values({ entityIds: [F] })).toEqual([4]);
    });

    it('serves ingest observations as instances of the same history', async () => {
      const point = { type: 'Point', coordinates: [2, 1] };
      await opened.ingest([
        { entityId: E, attr: 'speed', observedAt: t0, value: 42, unitCode: 'KMH', now: NOW },
        { entityId: E, attr: 'state', observedAt: t0, value: 'moving', now: NOW },
        { entityId: E, attr: 'where', observedAt: t0, value: { lat: 1, lon: 2 }, now: NOW },
        { entityId: E, attr: 'location', observedAt: t0, value: point, now: NOW },
      ]);
      const got = await store.query(q());
      // A GeoJSON geometry is a GeoProperty, as on the entity (see applyObservation).
      expect(got.map((i) => [i.attr, i.attribute, i.createdAt])).toEqual([
        ['location', { type: 'GeoProperty', value: point, observedAt: iso(t0) }, NOW],
        ['speed', { type: 'Property', value: 42, observedAt: iso(t0), unitCode: 'KMH' }, NOW],
        ['state', { type: 'Property', value: 'moving', observedAt: iso(t0) }, NOW],
        ['where', { type: 'Property', value: { lat: 1, lon: 2 }, observedAt: iso(t0) }, NOW],
      ]);
      // And API-written instances show in the ingest chart view.
      await store.append([speed(5, 7)]);
      expect(await opened.series.read({ entityId: E, attrs: ['speed'] })).toEqual([
        { attr: 'speed', observedAt: t0, value: 42 },
        { attr: 'speed', observedAt: t0 + 5 * MIN, value: 7 },
      ]);
      expect(
        await opened.series.read({ entityId: E, attrs: ['where', 'state', 'location'] }),
      ).toEqual([
        { attr: 'location', observedAt: t0, value: point },
        { attr: 'state', observedAt: t0, value: 'moving' },
        { attr: 'where', observedAt: t0, value: { lat: 1, lon: 2 } },
      ]);
    });

    it('reads ingest windows and lastN, a resent value replacing its point', async () => {
      const points = Array.from({ length: 10 }, (_, i) => ({
        entityId: E,
        attr: 'pm25',
        observedAt: i * 1000,
        value: i,
        now: NOW,
      }));
      await opened.ingest(points);
      // Resent (also twice within one batch): one point, the last value, stored anew.
      await opened.ingest([
        { ...points[9]!, value: 90, now: NOW + 1 },
        { ...points[9]!, value: 9, now: NOW + 2 },
      ]);
      expect(await opened.series.countFor(E)).toBe(10);
      const { series } = opened;
      expect((await series.read({ entityId: E, lastN: 3 })).map((p) => p.value)).toEqual([7, 8, 9]);
      expect(
        (await series.read({ entityId: E, from: 2000, to: 4000 })).map((p) => p.value),
      ).toEqual([2, 3]);
      expect(await series.read({ entityId: E, attrs: ['nope'] })).toEqual([]);
      expect(await series.read({ entityId: 'urn:ngsi-ld:X:none' })).toEqual([]);
      expect(await series.countFor('urn:ngsi-ld:X:none')).toBe(0);
      const [last] = await store.query(q({ lastN: 1 }));
      expect(last).toMatchObject({ attribute: { value: 9 }, createdAt: NOW + 2 });
    });

    it('writes large batches whole', async () => {
      const many = Array.from({ length: 3000 }, (_, i) => ({
        entityId: `urn:ngsi-ld:Sensor:${i % 60}`,
        attr: i % 2 ? 'temperature' : 'humidity',
        observedAt: t0 + Math.floor(i / 60) * MIN,
        value: i,
        now: NOW,
      }));
      await opened.ingest(many);
      expect(await opened.series.countFor('urn:ngsi-ld:Sensor:7')).toBe(50);
      const got = await store.query({
        entityIds: ['urn:ngsi-ld:Sensor:7', 'urn:ngsi-ld:Sensor:8'],
        timeproperty: 'observedAt',
        lastN: 2,
      });
      expect(got.map((i) => [i.entityId.slice(-1), i.attr, i.attribute.value])).toEqual([
        ['7', 'temperature', 2887],
        ['7', 'temperature', 2947],
        ['8', 'humidity', 2888],
        ['8', 'humidity', 2948],
      ]);
    });
  });
}
