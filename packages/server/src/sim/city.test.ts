import { describe, expect, it } from 'vitest';
import { parseEntity } from '../core/index.js';
import { lineOf, ringOf, slugOf } from './city-entities.js';
import { generateCity } from './city.js';
import { pointInRing } from './geometry.js';
import { createRandom, uniform } from './random.js';

const city = generateCity({ seed: 7 });

describe('generateCity', () => {
  it('gives the same city for the same seed, and another for another seed', () => {
    expect(generateCity({ seed: 7 })).toEqual(city);
    expect(generateCity({ seed: 8 }).districts).not.toEqual(city.districts);
  });

  it('is centred on Hangzhou and about 16 km × 12 km', () => {
    const [minLon, minLat, maxLon, maxLat] = city.bbox;
    expect(city.center).toEqual([120.16, 30.27]);
    expect((minLon + maxLon) / 2).toBeCloseTo(120.16, 6);
    expect((minLat + maxLat) / 2).toBeCloseTo(30.27, 6);
    const km = (deg: number, perDegree: number) => deg * perDegree;
    expect(km(maxLon - minLon, 111.32 * Math.cos((30.27 * Math.PI) / 180))).toBeCloseTo(16, 0);
    expect(km(maxLat - minLat, 110.94)).toBeCloseTo(12, 0);
  });

  it('names six real Hangzhou districts in English and Chinese', () => {
    expect(city.districts.map((d) => slugOf(d.id))).toEqual([
      'shangcheng',
      'gongshu',
      'xihu',
      'binjiang',
      'xiaoshan',
      'yuhang',
    ]);
    const xihu = city.districts.find((d) => d.id === 'urn:ngsi-ld:District:xihu');
    expect(xihu?.name.value).toBe('Xihu');
    expect(xihu?.alternateName.value).toBe('西湖区');
    for (const place of [...city.districts, ...city.communities, ...city.roads])
      expect(place.alternateName.value).toMatch(/[\u4e00-\u9fff]/);
  });

  it('produces only valid NGSI-LD entities in normalized form with unique ids', () => {
    const all = [...city.districts, ...city.communities, ...city.roads];
    for (const entity of all) expect(parseEntity(entity)).toEqual(entity);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    expect(city.communities[0]?.id).toBe('urn:ngsi-ld:Community:shangcheng-hubin');
    expect(city.communities[0]?.name.value).toBe('Hubin Community');
    expect(city.roads.map((r) => r.id)).toContain('urn:ngsi-ld:RoadSegment:yanan-road');
  });

  it('tiles the city rectangle with districts: every point is in exactly one', () => {
    const rng = createRandom(1);
    const [minLon, minLat, maxLon, maxLat] = city.bbox;
    for (let i = 0; i < 2000; i++) {
      const p = [uniform(rng, minLon, maxLon), uniform(rng, minLat, maxLat)];
      expect(city.districts.filter((d) => pointInRing(p, ringOf(d)))).toHaveLength(1);
    }
  });

  it('puts four communities wholly inside each district, with a population', () => {
    for (const district of city.districts) {
      const mine = city.communities.filter((c) => c.refDistrict.object === district.id);
      expect(mine).toHaveLength(4);
      for (const community of mine) {
        for (const vertex of ringOf(community))
          expect(pointInRing(vertex, ringOf(district))).toBe(true);
        expect(community.population.value).toBeGreaterThanOrEqual(8000);
        expect(community.population.value).toBeLessThan(50_000);
      }
    }
  });

  it('closes every polygon ring and keeps road lines inside the city', () => {
    for (const place of [...city.districts, ...city.communities]) {
      const ring = ringOf(place);
      expect(ring).toHaveLength(5);
      expect(ring[0]).toEqual(ring[ring.length - 1]);
    }
    const [minLon, minLat, maxLon, maxLat] = city.bbox;
    for (const road of city.roads) {
      expect(road.roadClass.value).toMatch(/^(trunk|primary|secondary)$/);
      for (const [lon = 0, lat = 0] of lineOf(road)) {
        expect(lon).toBeGreaterThanOrEqual(minLon - 1e-7);
        expect(lon).toBeLessThanOrEqual(maxLon + 1e-7);
        expect(lat).toBeGreaterThanOrEqual(minLat - 1e-7);
        expect(lat).toBeLessThanOrEqual(maxLat + 1e-7);
      }
    }
  });
});
