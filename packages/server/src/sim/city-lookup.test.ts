import { describe, expect, it } from 'vitest';
import { ringOf } from './city-entities.js';
import { communityAt, districtAt, locate } from './city-lookup.js';
import { generateCity } from './city.js';
import { randomPointInRing } from './geometry.js';
import { createRandom } from './random.js';

const city = generateCity();

describe('city lookup', () => {
  it('finds the community and district a point lies in', () => {
    const rng = createRandom(3);
    for (const community of city.communities) {
      const p = randomPointInRing(rng, ringOf(community));
      expect(communityAt(city, p)?.id).toBe(community.id);
      expect(districtAt(city, p)?.id).toBe(community.refDistrict.object);
      expect(locate(city, p)).toMatchObject({
        community: { id: community.id },
        district: { id: community.refDistrict.object },
      });
    }
  });

  it('places points on the streets between communities in the nearest community of their district', () => {
    const district = city.districts[0]!;
    const corner = ringOf(district)[0]!;
    expect(communityAt(city, corner)).toBeUndefined();
    const { community } = locate(city, [corner[0]! + 1e-6, corner[1]! - 1e-6]);
    expect(community.refDistrict.object).toBe(district.id);
  });

  it('places points outside the city in the nearest district', () => {
    const [, , maxLon, maxLat] = city.bbox;
    const p = [maxLon + 0.05, maxLat + 0.05];
    expect(districtAt(city, p)).toBeUndefined();
    const { district, community } = locate(city, p);
    expect(community.refDistrict.object).toBe(district.id);
  });
});
