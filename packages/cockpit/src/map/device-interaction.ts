import { Popup, type Map as MapLibreMap, type MapLayerMouseEvent } from 'maplibre-gl';
import { deviceState } from '../domain/device-state.js';
import type { Translator } from '../i18n.js';
import type { DeviceEntity } from '../model.js';

/** What device clicks and hovers need from the app. */
export interface DeviceInteraction {
  select(id: string): void;
  describe(id: string): DeviceEntity | undefined;
  tr(): Translator;
  title(device: DeviceEntity): string;
}

function tooltip(tr: Translator, d: DeviceEntity, title: string): HTMLElement {
  const el = document.createElement('div');
  const state = deviceState(d);
  const kind = document.createElement('div');
  kind.className = 'device-tip__kind';
  kind.textContent = tr.tx('kind', d.type);
  const name = document.createElement('div');
  name.className = 'device-tip__name';
  name.textContent = title;
  const st = document.createElement('div');
  st.className = 'device-tip__state';
  st.style.setProperty('--c', state.color);
  st.textContent = tr.t(state.label);
  el.append(kind, name, st);
  return el;
}

/** Click to select a device, hover for a tooltip; returns a function that detaches both. */
export function attachDeviceInteraction(map: MapLibreMap, ia: DeviceInteraction): () => void {
  const popup = new Popup({
    closeButton: false,
    closeOnClick: false,
    offset: 12,
    className: 'device-tip',
  });
  const idOf = (e: MapLayerMouseEvent): string | undefined => {
    const id: unknown = e.features?.[0]?.properties?.id;
    return typeof id === 'string' ? id : undefined;
  };
  const onClick = (e: MapLayerMouseEvent): void => {
    const id = idOf(e);
    if (id) ia.select(id);
  };
  const onMove = (e: MapLayerMouseEvent): void => {
    const id = idOf(e);
    const d = id ? ia.describe(id) : undefined;
    map.getCanvas().style.cursor = d ? 'pointer' : '';
    if (d)
      popup
        .setLngLat(e.lngLat)
        .setDOMContent(tooltip(ia.tr(), d, ia.title(d)))
        .addTo(map);
  };
  const onLeave = (): void => {
    map.getCanvas().style.cursor = '';
    popup.remove();
  };
  map.on('click', 'device-halo', onClick);
  map.on('mousemove', 'device-halo', onMove);
  map.on('mouseleave', 'device-halo', onLeave);
  return () => {
    map.off('click', 'device-halo', onClick);
    map.off('mousemove', 'device-halo', onMove);
    map.off('mouseleave', 'device-halo', onLeave);
    popup.remove();
  };
}
