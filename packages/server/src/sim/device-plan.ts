import type { Attribute } from '../core/index.js';
import type { City } from './city.js';
import { communitiesOf, locate } from './city-lookup.js';
import {
  lineOf,
  pointLocation,
  property,
  relationship,
  ringOf,
  slugOf,
  type CommunityEntity,
} from './city-entities.js';
import type { DeviceKind, Site, ValueModel } from './device-kind.js';
import { DEVICE_KINDS } from './device-kinds.js';
import { pointAlong, randomPointInRing } from './geometry.js';
import { createRandom, deriveSeed, uniform, type Random } from './random.js';

/** One simulated device: what to register, and the model that produces its readings. */
export interface SimulatedDevice {
  /** e.g. `aq-0001` */
  id: string;
  entityType: string;
  name: string;
  /** Slug of the district it stands in (its `areaServed`). */
  district: string;
  /** Static attributes in normalized form: location, name, areaServed, refCommunity, refDistrict … */
  attributes: Record<string, Attribute>;
  units: Record<string, string>;
  model: ValueModel;
}

/** What to plan. */
export interface DevicePlanOptions {
  city: City;
  devicesPerKind: number;
  seed: number;
  /** Default: every kind ({@link DEVICE_KINDS}). */
  kinds?: readonly DeviceKind[];
}

/** Communities interleaved across districts, so the first N devices of a kind cover N districts. */
function interleavedCommunities(city: City): CommunityEntity[] {
  const perDistrict = city.districts.map((d) => communitiesOf(city, d.id));
  const longest = Math.max(0, ...perDistrict.map((c) => c.length));
  const out: CommunityEntity[] = [];
  for (let i = 0; i < longest; i++)
    for (const list of perDistrict) {
      const c = list[i];
      if (c) out.push(c);
    }
  return out;
}

function siteFor(
  city: City,
  kind: DeviceKind,
  index: number,
  rng: Random,
  order: CommunityEntity[],
): Site {
  const road = city.roads[index % Math.max(1, city.roads.length)];
  if (kind.placement === 'road' && road) {
    const point = pointAlong(lineOf(road), uniform(rng, 0.04, 0.96));
    return { point, road, ...locate(city, point) };
  }
  const community = order[index % order.length];
  if (!community) throw new Error('the city has no communities to place devices in');
  const point = randomPointInRing(rng, ringOf(community));
  const district = city.districts.find((d) => d.id === community.refDistrict.object);
  if (!district) throw new Error(`community ${community.id} names an unknown district`);
  return { point, district, community };
}

/** Places `devicesPerKind` devices of every kind in the city, deterministically for a seed. */
export function planDevices(options: DevicePlanOptions): SimulatedDevice[] {
  const { city, devicesPerKind, seed } = options;
  const order = interleavedCommunities(city);
  const devices: SimulatedDevice[] = [];
  for (const kind of options.kinds ?? DEVICE_KINDS) {
    for (let i = 0; i < devicesPerKind; i++) {
      const number = String(i + 1).padStart(4, '0');
      const id = `${kind.prefix}-${number}`;
      const rng = createRandom(deriveSeed(seed, id));
      const site = siteFor(city, kind, i, rng, order);
      const { attributes = {}, model } = kind.create(rng, site);
      const name = `${kind.label} ${number} · ${String(site.community.name.value)}`;
      devices.push({
        id,
        entityType: kind.entityType,
        name,
        district: slugOf(site.district.id),
        attributes: {
          location: pointLocation(site.point),
          name: property(name),
          areaServed: property(slugOf(site.district.id)),
          refDistrict: relationship(site.district.id),
          refCommunity: relationship(site.community.id),
          ...attributes,
        },
        units: { ...kind.units },
        model,
      });
    }
  }
  return devices;
}
