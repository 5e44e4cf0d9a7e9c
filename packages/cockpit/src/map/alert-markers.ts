import { Marker, type Map as MapLibreMap } from 'maplibre-gl';
import { anchorOf, type Position } from '../domain/geometry.js';
import { severityColor } from '../domain/severity.js';
import { isOpenAlert, type Alert, type DeviceEntity } from '../model.js';

/** Pulsing HTML markers for the open alerts. */
export interface AlertMarkers {
  update(
    alerts: readonly Alert[],
    devices: ReadonlyMap<string, DeviceEntity>,
    fresh: ReadonlySet<string>,
  ): void;
  remove(): void;
}

/** Where an alert sits: its own location, else its source device's. */
export function alertPosition(
  alert: Alert,
  devices: ReadonlyMap<string, DeviceEntity>,
): Position | undefined {
  return (
    anchorOf(alert.location) ??
    (alert.alertSource ? anchorOf(devices.get(alert.alertSource)?.location) : undefined)
  );
}

/** Creates the alert marker layer; `onPick` runs when a marker is clicked. */
export function createAlertMarkers(map: MapLibreMap, onPick: (alert: Alert) => void): AlertMarkers {
  const markers = new Map<string, { marker: Marker; alert: Alert }>();

  const make = (alert: Alert): Marker => {
    const el = document.createElement('button');
    el.type = 'button';
    el.className = 'alert-marker';
    el.innerHTML =
      '<span class="alert-marker__ring"></span><span class="alert-marker__ring"></span><span class="alert-marker__core"></span>';
    el.addEventListener('click', (e) => {
      e.stopPropagation();
      const entry = markers.get(alert.id);
      if (entry) onPick(entry.alert);
    });
    return new Marker({ element: el });
  };

  return {
    update(alerts, devices, fresh) {
      const open = alerts.filter(isOpenAlert);
      const keep = new Set(open.map((a) => a.id));
      for (const [id, entry] of markers)
        if (!keep.has(id)) {
          entry.marker.remove();
          markers.delete(id);
        }
      for (const alert of open) {
        const at = alertPosition(alert, devices);
        if (!at) continue;
        let entry = markers.get(alert.id);
        if (!entry) {
          entry = { marker: make(alert).setLngLat(at).addTo(map), alert };
          markers.set(alert.id, entry);
        }
        entry.alert = alert;
        entry.marker.setLngLat(at);
        const el = entry.marker.getElement();
        el.style.setProperty('--sev', severityColor(alert.severity));
        el.classList.toggle('is-fresh', fresh.has(alert.id));
      }
    },
    remove() {
      for (const { marker } of markers.values()) marker.remove();
      markers.clear();
    },
  };
}
