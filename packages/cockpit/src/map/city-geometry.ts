import type { FeatureCollection } from 'geojson';
import type { ApiClient } from '../api.js';
import { findDistrict } from '../domain/places.js';
import { compareSeverity, SEVERITY_COLOR } from '../domain/severity.js';
import { isOpenAlert, type Alert, type KeyValuesEntity, type Severity } from '../model.js';

/** The city's own geometry, as NGSI-LD entities in keyValues form. */
export interface CityGeometry {
  districts: KeyValuesEntity[];
  communities: KeyValuesEntity[];
  roads: KeyValuesEntity[];
}

/** Loads districts, communities and road segments (each paged through). */
export async function loadCityGeometry(api: ApiClient): Promise<CityGeometry> {
  const [districts, communities, roads] = await Promise.all([
    api.entities(['District']),
    api.entities(['Community']),
    api.entities(['RoadSegment']),
  ]);
  return { districts, communities, roads };
}

function collection(
  entities: readonly KeyValuesEntity[],
  props: (e: KeyValuesEntity) => Record<string, unknown> = () => ({}),
): FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: entities
      .filter((e) => e.location)
      .map((e) => ({
        type: 'Feature',
        geometry: e.location as never,
        properties: { id: e.id, ...props(e) },
      })),
  };
}

/** District polygons tinted by the most severe open alert inside each. */
export function districtFeatures(
  districts: readonly KeyValuesEntity[],
  alerts: readonly Alert[],
): FeatureCollection {
  const worst = new Map<string, Severity>();
  for (const a of alerts) {
    if (!isOpenAlert(a)) continue;
    const d = findDistrict(districts, a.areaServed);
    const prev = d && worst.get(d.id);
    if (d && (!prev || compareSeverity(a.severity, prev) > 0)) worst.set(d.id, a.severity);
  }
  return collection(districts, (e) => {
    const sev = worst.get(e.id);
    return sev
      ? { fill: SEVERITY_COLOR[sev], fillOpacity: 0.09, edge: SEVERITY_COLOR[sev] }
      : { fill: '#13294a', fillOpacity: 0.42, edge: '#3d9be9' };
  });
}

/** Community outlines. */
export function communityFeatures(communities: readonly KeyValuesEntity[]): FeatureCollection {
  return collection(communities);
}

/** Road centre lines. */
export function roadFeatures(roads: readonly KeyValuesEntity[]): FeatureCollection {
  return collection(roads, (e) => ({
    roadClass: typeof e.roadClass === 'string' ? e.roadClass : '',
  }));
}
