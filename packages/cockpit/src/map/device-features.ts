import type { Feature, FeatureCollection, Point } from 'geojson';
import { anchorOf } from '../domain/geometry.js';
import { deviceState } from '../domain/device-state.js';
import type { DeviceEntity, DeviceKind } from '../model.js';

/** What a device feature carries. */
export interface DeviceFeatureProps {
  id: string;
  kind: DeviceKind;
  color: string;
  state: string;
}

/** Point features of the visible devices; each carries its entity `id`, `kind` and state `color`. */
export function deviceFeatures(
  devices: Iterable<DeviceEntity>,
  hidden: ReadonlySet<DeviceKind>,
): FeatureCollection<Point, DeviceFeatureProps> {
  const features: Feature<Point, DeviceFeatureProps>[] = [];
  for (const d of devices) {
    if (hidden.has(d.type)) continue;
    const at = anchorOf(d.location);
    if (!at) continue;
    const state = deviceState(d);
    features.push({
      type: 'Feature',
      id: d.id,
      geometry: { type: 'Point', coordinates: at },
      properties: { id: d.id, kind: d.type, color: state.color, state: state.label },
    });
  }
  return { type: 'FeatureCollection', features };
}
