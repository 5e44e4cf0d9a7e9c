import type { Map as MapLibreMap } from 'maplibre-gl';
import type { CockpitStore } from './cockpit-store.js';
import { isOpenAlert } from './model.js';
import type { MapHandle } from './map/city-map.js';
import type { CockpitView } from './panels/view-switch.js';

/** What end-to-end tests (and curious operators in the console) can read from the page. */
export interface CockpitHooks {
  /** Device features currently drawn on the map; of one entity type if `kind` is given. */
  deviceCount(kind?: string): number;
  /** Alerts currently listed in the feed (open and resolved). */
  alertCount(): number;
  /** Open alerts (raised, acknowledged or assigned). */
  openAlertCount(): number;
  readonly map: MapLibreMap | undefined;
  /** The view on screen: the city map, command and dispatch, or data sharing. */
  view(): CockpitView;
}

/** What the hooks read from. */
export interface TestHookSources {
  store: CockpitStore;
  handle: MapHandle;
  view: () => CockpitView;
}

declare global {
  interface Window {
    __cockpit?: CockpitHooks;
  }
}

/** Installs `window.__cockpit`; returns a function that removes it. */
export function installTestHooks({ store, handle, view }: TestHookSources): () => void {
  window.__cockpit = {
    view,
    deviceCount: (kind) =>
      kind === undefined ? handle.deviceCount : (handle.deviceCountByKind.get(kind) ?? 0),
    alertCount: () => store.alerts.length,
    openAlertCount: () => store.alerts.filter(isOpenAlert).length,
    get map() {
      return handle.map;
    },
  };
  return () => {
    delete window.__cockpit;
  };
}
