import { describe, expect, it } from 'vitest';
import type { Entity, GeoQuery, Observation } from '../core/index.js';
import type { Store } from './port.js';

const ID = 'urn:ngsi-ld:Bus:b1';
const obs = (t: number, attrs: Observation['attrs']): Observation => ({
  entityId: ID,
  entityType: 'Bus',
  deviceId: 'b1',
  observedAt: t,
  attrs,
});
const point = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] });
const iso = (t: number) => new Date(t).toISOString();
/** Entities within 100 m of a point (0.01° of longitude at the equator is ~1113 m). */
const near = (lon: number, lat = 0): GeoQuery => ({
  georel: 'near',
  maxDistance: 100,
  geometry: { type: 'Point', coordinates: [lon, lat] },
  geoproperty: 'location',
});

/**
 * What every adapter's ingest must do with positions (run from the store contract): an
 * observed GeoJSON geometry is a GeoProperty that geo-queries and the history see as one, and
 * a GeoProperty never becomes anything else.
 */
export function describeIngestContract(getStore: () => Store): void {
  describe('ingest of positions', () => {
    const ids = async (geo: GeoQuery) =>
      (await getStore().entities.query({ geo, limit: 100, offset: 0 })).entities.map((e) => e.id);

    it('makes an observed geometry a GeoProperty that geo-queries and the history find', async () => {
      const store = getStore();
      await store.ingest([obs(1000, { location: { value: point(0.5, 0) }, speed: { value: 30 } })]);
      expect((await store.entities.get(ID))?.location).toEqual({
        type: 'GeoProperty',
        value: point(0.5, 0),
        observedAt: iso(1000),
      });
      expect(await ids(near(0.5))).toEqual([ID]);
      // The bus moves: the geo index follows it.
      await store.ingest([obs(2000, { location: { value: point(0.6, 0) } })]);
      expect(await ids(near(0.5))).toEqual([]);
      expect(await ids(near(0.6))).toEqual([ID]);
      const history = await store.temporal.query({
        entityIds: [ID],
        attrs: ['location'],
        timeproperty: 'observedAt',
      });
      expect(history.map((i) => i.attribute)).toEqual([
        { type: 'GeoProperty', value: point(0.5, 0), observedAt: iso(1000) },
        { type: 'GeoProperty', value: point(0.6, 0), observedAt: iso(2000) },
      ]);
    });

    it('refuses an observation that would turn a GeoProperty into a Property, applying the rest', async () => {
      const store = getStore();
      const entity: Entity = {
        id: ID,
        type: 'Bus',
        location: { type: 'GeoProperty', value: point(1, 0) },
      };
      await store.entities.write([{ id: ID, mutate: () => entity }]);
      const before = await store.entities.get(ID);
      const garage = obs(1000, { location: { value: 'garage' }, speed: { value: 0 } });
      const latLon = obs(1500, { location: { value: { lat: 0, lon: 1 } } });
      const outcome = await store.ingest([garage, latLon]);
      expect(outcome.refused).toEqual([
        { observation: garage, reason: expect.stringMatching(/^attribute location of /) as string },
        { observation: latLon, reason: expect.stringMatching(/GeoProperty/) as string },
      ]);
      // Nothing but refusals: the entity is not touched, not even its modifiedAt.
      expect(outcome.changed).toEqual([]);
      expect(await store.entities.get(ID)).toEqual(before);
      const moved = await store.ingest([obs(2000, { speed: { value: 40 } }), garage]);
      expect(moved.changed.map((e) => e.id)).toEqual([ID]);
      expect(moved.refused).toHaveLength(1);
      expect(await store.entities.get(ID)).toMatchObject({
        location: { type: 'GeoProperty', value: point(1, 0) },
        speed: { type: 'Property', value: 40 },
      });
      expect(await ids(near(1))).toEqual([ID]);
      // A refused observation leaves no trace in the history, its other attributes included.
      expect((await store.series.read({ entityId: ID })).map((p) => [p.attr, p.value])).toEqual([
        ['location', point(1, 0)], // the write above, as the temporal API records it
        ['speed', 40],
      ]);
    });
  });
}
