import type { City } from './city.js';
import { ringOf, type CommunityEntity, type DistrictEntity } from './city-entities.js';
import { distanceSquared, pointInRing, ringCentre } from './geometry.js';

/** Where a point is in the city: always a district and a community (the nearest ones when outside). */
export interface Placement {
  district: DistrictEntity;
  community: CommunityEntity;
}

/** The district whose polygon contains `point`, if any. */
export function districtAt(city: City, point: readonly number[]): DistrictEntity | undefined {
  return city.districts.find((d) => pointInRing(point, ringOf(d)));
}

/** The community whose polygon contains `point`, if any. */
export function communityAt(city: City, point: readonly number[]): CommunityEntity | undefined {
  return city.communities.find((c) => pointInRing(point, ringOf(c)));
}

function nearest<T extends DistrictEntity>(places: readonly T[], point: readonly number[]): T {
  let best = places[0];
  let bestDistance = Infinity;
  for (const place of places) {
    const d = distanceSquared(ringCentre(ringOf(place)), point);
    if (d < bestDistance) [best, bestDistance] = [place, d];
  }
  if (!best) throw new Error('the city has no places to locate a point in');
  return best;
}

/** The communities of a district. */
export function communitiesOf(city: City, districtId: string): CommunityEntity[] {
  return city.communities.filter((c) => c.refDistrict.object === districtId);
}

/**
 * Locates a point: the containing district (or the nearest), and the containing community
 * of that district (or its nearest one, for points on the streets between communities).
 */
export function locate(city: City, point: readonly number[]): Placement {
  const district = districtAt(city, point) ?? nearest(city.districts, point);
  const inDistrict = communitiesOf(city, district.id);
  const community =
    inDistrict.find((c) => pointInRing(point, ringOf(c))) ?? nearest(inDistrict, point);
  return { district, community };
}
