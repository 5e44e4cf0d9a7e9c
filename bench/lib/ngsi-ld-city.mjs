// The city the NGSI-LD benchmark loads: N entities of ten types, generated deterministically,
// so that every run (and every phase) knows which entity has which type and district.
import { round } from './stats.mjs';

export const TYPES = [
  'AirQualityObserved',
  'ParkingSpot',
  'Streetlight',
  'WasteContainer',
  'TrafficFlowObserved',
  'NoiseLevelObserved',
  'Building',
  'Vehicle',
  'BikeHireDockingStation',
  'EVChargingStation',
];
const STATUSES = ['ok', 'warning', 'fault', 'offline'];
/** Entity i lies in district i % DISTRICTS (its `refDistrict`). */
export const DISTRICTS = 6;
// Hangzhou's extent: about 48 km x 39 km.
export const BBOX = [119.9, 30.1, 120.4, 30.45];

/** A deterministic pseudo-random generator (mulberry32), so runs load the same city. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const typeOf = (i) => TYPES[i % TYPES.length];
export const entityId = (i) => `urn:ngsi-ld:${typeOf(i)}:bench-${i}`;
/** The i of a bench entity's id (undefined for any other id). */
export const entityIndex = (id) => {
  const m = /^urn:ngsi-ld:[A-Za-z]+:bench-(\d+)$/.exec(id);
  return m ? Number(m[1]) : undefined;
};
export const districtId = (d) => `urn:ngsi-ld:District:${d}`;

/** Entity i in normalized NGSI-LD form. */
export function makeEntity(i, random) {
  const lon = BBOX[0] + random() * (BBOX[2] - BBOX[0]);
  const lat = BBOX[1] + random() * (BBOX[3] - BBOX[1]);
  return {
    id: entityId(i),
    type: typeOf(i),
    temperature: {
      type: 'Property',
      value: round(random() * 40, 1),
      unitCode: 'CEL',
      observedAt: '2026-11-01T00:00:00Z',
    },
    occupancy: { type: 'Property', value: Math.floor(random() * 101) },
    status: { type: 'Property', value: STATUSES[Math.floor(random() * STATUSES.length)] },
    name: { type: 'Property', value: `${typeOf(i)} ${i}` },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [lon, lat] } },
    refDistrict: { type: 'Relationship', object: districtId(i % DISTRICTS) },
  };
}

/** The q of the type + q query phase: a page of the busy, working entities. */
export const typeQueryQ = (minOccupancy) => `occupancy>=${minOccupancy};status=="ok"`;

/** The type + q query phase's request: a page of 100 of one type. */
export const typeQueryPath = (type, minOccupancy) =>
  `/ngsi-ld/v1/entities?type=${type}&q=${encodeURIComponent(typeQueryQ(minOccupancy))}&limit=100`;
