import 'maplibre-gl/dist/maplibre-gl.css';
import {
  Map as MapLibreMap,
  NavigationControl,
  ScaleControl,
  type GeoJSONSource,
} from 'maplibre-gl';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CockpitStore } from '../cockpit-store.js';
import { bboxOf, type Position } from '../domain/geometry.js';
import { useI18n } from '../i18n.js';
import { deviceTitle } from '../domain/places.js';
import type { Alert, CityInfo, DeviceKind, KeyValuesEntity } from '../model.js';
import { createAlertMarkers, type AlertMarkers } from './alert-markers.js';
import {
  communityFeatures,
  districtFeatures,
  roadFeatures,
  type CityGeometry,
} from './city-geometry.js';
import { deviceFeatures } from './device-features.js';
import { createDistrictLabels, type DistrictLabels } from './district-labels.js';
import { attachDeviceInteraction } from './device-interaction.js';
import { cockpitStyle } from './map-style.js';

/** What the map exposes to the rest of the app (and to end-to-end tests). */
export interface MapHandle {
  map?: MapLibreMap;
  deviceCount: number;
  /** Devices drawn per entity type. */
  deviceCountByKind: ReadonlyMap<string, number>;
}

/** Props of the city map. */
export interface CityMapProps {
  store: CockpitStore;
  city: CityInfo;
  geometry?: CityGeometry;
  /** Districts and communities by id (for device names). */
  places: ReadonlyMap<string, KeyValuesEntity>;
  selectedId?: string;
  hidden: ReadonlySet<DeviceKind>;
  focus?: { at: Position; key: number };
  handle: MapHandle;
  /** Changes whenever the store notified; re-runs the live-data effects. */
  tick: number;
  onSelectDevice: (id: string) => void;
  onPickAlert: (alert: Alert) => void;
}

const PADDING = { top: 90, bottom: 40, left: 400, right: 40 };

function source(map: MapLibreMap, id: string): GeoJSONSource | undefined {
  return map.getSource<GeoJSONSource>(id);
}

/** The full-bleed MapLibre map: city geometry, live devices, open alerts. */
export function CityMap(props: CityMapProps) {
  const tr = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const latest = useRef(props);
  latest.current = props;
  const trRef = useRef(tr);
  trRef.current = tr;
  const [map, setMap] = useState<MapLibreMap>();
  const [failed, setFailed] = useState(false);
  const layers = useRef<{ labels?: DistrictLabels; alerts?: AlertMarkers }>({});

  useEffect(() => {
    const { city } = latest.current;
    let m: MapLibreMap;
    try {
      m = new MapLibreMap({
        container: container.current!,
        style: cockpitStyle(),
        center: city.center,
        zoom: city.defaultZoom ?? 12,
        ...(city.bbox ? { bounds: city.bbox, fitBoundsOptions: { padding: PADDING } } : {}),
        attributionControl: false,
        maxPitch: 60,
      });
    } catch {
      setFailed(true);
      return;
    }
    m.addControl(new NavigationControl({ visualizePitch: true }), 'bottom-right');
    m.addControl(new ScaleControl({ maxWidth: 120 }), 'bottom-right');
    const detach = attachDeviceInteraction(m, {
      select: (id) => latest.current.onSelectDevice(id),
      describe: (id) => latest.current.store.devices.get(id),
      tr: () => trRef.current,
      title: (d) => deviceTitle(trRef.current, d, latest.current.places),
    });
    layers.current = {
      labels: createDistrictLabels(m),
      alerts: createAlertMarkers(m, (a) => latest.current.onPickAlert(a)),
    };
    m.on('load', () => setMap(m));
    latest.current.handle.map = m;
    return () => {
      detach();
      latest.current.handle.map = undefined;
      m.remove();
    };
  }, []);

  const { geometry, store, hidden, selectedId, focus, tick, city } = props;

  useEffect(() => {
    if (!map || !geometry) return;
    source(map, 'communities')?.setData(communityFeatures(geometry.communities));
    source(map, 'roads')?.setData(roadFeatures(geometry.roads));
    if (!city.bbox) {
      const box = bboxOf(geometry.districts.map((d) => d.location));
      if (box) map.fitBounds(box, { padding: PADDING, duration: 0 });
    }
  }, [map, geometry, city]);

  useEffect(() => {
    if (map && geometry)
      source(map, 'districts')?.setData(districtFeatures(geometry.districts, store.alerts));
  }, [map, geometry, store.alerts]);

  useEffect(() => {
    if (geometry) layers.current.labels?.update(geometry.districts, tr.lang);
  }, [geometry, tr.lang]);

  // `store` too: a new store (another purpose stated) may start at the last one's version.
  useEffect(() => {
    if (!map) return;
    const fc = deviceFeatures(store.devices.values(), hidden);
    source(map, 'devices')?.setData(fc);
    props.handle.deviceCount = fc.features.length;
    const byKind = new Map<string, number>();
    for (const { properties: p } of fc.features) byKind.set(p.kind, (byKind.get(p.kind) ?? 0) + 1);
    props.handle.deviceCountByKind = byKind;
  }, [map, store, store.deviceVersion, hidden]);

  useEffect(() => {
    layers.current.alerts?.update(store.alerts, store.devices, store.freshAlerts);
  }, [map, tick, store.alerts]);

  useEffect(() => {
    map?.setFilter('device-selected', ['==', ['get', 'id'], selectedId ?? '']);
  }, [map, selectedId]);

  useEffect(() => {
    if (map && focus)
      map.flyTo({
        center: focus.at,
        zoom: Math.min(15, Math.max(map.getZoom() + 1, 13)),
        speed: 1.4,
        padding: { ...PADDING, right: 420 },
      });
  }, [map, focus]);

  return (
    <div class="map" data-testid="map" ref={container}>
      {!map && !failed && <div class="map__status">{tr.t('map.loading')}</div>}
      {failed && <div class="map__status map__status--error">{tr.t('map.noWebgl')}</div>}
    </div>
  );
}
