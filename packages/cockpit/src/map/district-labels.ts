import { Marker, type Map as MapLibreMap } from 'maplibre-gl';
import { polygonCentroid } from '../domain/geometry.js';
import type { Lang } from '../i18n.js';
import type { KeyValuesEntity } from '../model.js';
import { placeName } from '../domain/places.js';

/** District names drawn as HTML markers (the map has no glyph server for text layers). */
export interface DistrictLabels {
  update(districts: readonly KeyValuesEntity[], lang: Lang): void;
  remove(): void;
}

/** Creates the label layer on `map`. */
export function createDistrictLabels(map: MapLibreMap): DistrictLabels {
  let markers: Marker[] = [];
  const remove = (): void => {
    for (const m of markers) m.remove();
    markers = [];
  };
  return {
    update(districts, lang) {
      remove();
      for (const d of districts) {
        const at = polygonCentroid(d.location);
        if (!at) continue;
        const el = document.createElement('div');
        el.className = 'district-label';
        el.textContent = placeName(d, lang);
        markers.push(new Marker({ element: el }).setLngLat(at).addTo(map));
      }
    },
    remove,
  };
}
