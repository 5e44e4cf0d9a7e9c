import { isDeviceKind, type Alert, type DeviceEntity, type KeyValuesEntity } from './model.js';

/** Live state of the city as the cockpit sees it, with throttled change notification. */
export interface CockpitStore {
  readonly devices: ReadonlyMap<string, DeviceEntity>;
  /** Alerts, newest first. */
  readonly alerts: readonly Alert[];
  /** Ids of alerts that arrived live in the last seconds (they pulse). */
  readonly freshAlerts: ReadonlySet<string>;
  /** When each device last reported live (epoch ms). */
  readonly seenAt: ReadonlyMap<string, number>;
  /** Increments on every device change; lets views skip work when nothing moved. */
  readonly deviceVersion: number;
  setDevices(list: readonly KeyValuesEntity[]): void;
  /** Merges a (possibly partial) keyValues entity into the known device. */
  upsertDevice(entity: KeyValuesEntity): void;
  removeDevice(id: string): void;
  setAlerts(list: readonly Alert[]): void;
  upsertAlert(alert: Alert, live: boolean): void;
  /** Listener called at most every `throttleMs` after any change. */
  subscribe(listener: () => void): () => void;
  /** Listener called at once for every device update (for live charts). */
  onDevice(listener: (device: DeviceEntity) => void): () => void;
}

/** Options of the store. */
export interface CockpitStoreOptions {
  throttleMs?: number;
  maxAlerts?: number;
  freshMs?: number;
}

const byNewest = (a: Alert, b: Alert): number =>
  Date.parse(b.dateIssued) - Date.parse(a.dateIssued);

/** Creates an empty store. */
export function createCockpitStore(opts: CockpitStoreOptions = {}): CockpitStore {
  const throttleMs = opts.throttleMs ?? 500;
  const maxAlerts = opts.maxAlerts ?? 200;
  const freshMs = opts.freshMs ?? 6000;
  const devices = new Map<string, DeviceEntity>();
  const fresh = new Set<string>();
  const seenAt = new Map<string, number>();
  const listeners = new Set<() => void>();
  const deviceListeners = new Set<(d: DeviceEntity) => void>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastNotify = 0;

  const flush = (): void => {
    timer = undefined;
    lastNotify = Date.now();
    for (const l of listeners) l();
  };
  const notify = (urgent = false): void => {
    if (urgent) {
      clearTimeout(timer);
      timer = setTimeout(flush, 0);
    } else if (timer === undefined) {
      timer = setTimeout(flush, Math.max(0, lastNotify + throttleMs - Date.now()));
    }
  };

  const store = {
    devices,
    alerts: [] as Alert[],
    freshAlerts: fresh,
    seenAt,
    deviceVersion: 0,
    setDevices(list: readonly KeyValuesEntity[]) {
      devices.clear();
      for (const e of list) if (isDeviceKind(e.type)) devices.set(e.id, e as DeviceEntity);
      store.deviceVersion++;
      notify(true);
    },
    upsertDevice(entity: KeyValuesEntity) {
      if (!isDeviceKind(entity.type)) return;
      const merged = { ...devices.get(entity.id), ...entity } as DeviceEntity;
      devices.set(entity.id, merged);
      seenAt.set(entity.id, Date.now());
      store.deviceVersion++;
      for (const l of deviceListeners) l(merged);
      notify();
    },
    removeDevice(id: string) {
      if (devices.delete(id)) store.deviceVersion++;
      notify();
    },
    setAlerts(list: readonly Alert[]) {
      store.alerts = [...list].sort(byNewest).slice(0, maxAlerts);
      notify(true);
    },
    upsertAlert(alert: Alert, live: boolean) {
      const others = store.alerts.filter((a) => a.id !== alert.id);
      const isNew = others.length === store.alerts.length;
      store.alerts = [alert, ...others].sort(byNewest).slice(0, maxAlerts);
      if (live && isNew) {
        fresh.add(alert.id);
        setTimeout(() => {
          fresh.delete(alert.id);
          notify();
        }, freshMs);
      }
      notify(true);
    },
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onDevice(listener: (d: DeviceEntity) => void) {
      deviceListeners.add(listener);
      return () => deviceListeners.delete(listener);
    },
  };
  return store;
}
