import type { Attribute } from '../core/index.js';
import type { CommunityEntity, DistrictEntity, RoadEntity } from './city-entities.js';
import type { EpisodeLevel } from './episode.js';
import type { LonLat } from './geometry.js';
import type { Random } from './random.js';

/** Where a device stands. */
export interface Site {
  point: LonLat;
  district: DistrictEntity;
  community: CommunityEntity;
  /** Set for devices placed on a road. */
  road?: RoadEntity;
}

/** What a value model knows when asked for a reading. */
export interface ReadingContext {
  /** Wall-clock time of the reading. */
  now: Date;
  /** Seconds since the previous reading (0 for the first). */
  dtSeconds: number;
  /** The pollution episode weighing on this device now, if any. */
  episode?: EpisodeLevel | undefined;
}

/** One observation's attributes, as published (`observedAt` is added by the simulator). */
export type Reading = Record<string, number | string>;

/** A device's value model: stateful (random walks, counters), called once per reading. */
export type ValueModel = (context: ReadingContext) => Reading;

/** A kind of simulated device, modelled on a FIWARE Smart Data Model. */
export interface DeviceKind {
  /** Device id prefix: `aq` → `aq-0001`. */
  prefix: string;
  /** The Smart Data Model entity type the device feeds. */
  entityType: string;
  /** A human label for device names, e.g. "Air quality station". */
  label: string;
  /** Placed at a random point in a community, or at a random point on an arterial road. */
  placement: 'community' | 'road';
  /** UN/CEFACT unit codes of reported attributes. */
  units: Record<string, string>;
  /** Creates one device at `site`: its kind-specific static attributes and its value model. */
  create(rng: Random, site: Site): { attributes?: Record<string, Attribute>; model: ValueModel };
}
