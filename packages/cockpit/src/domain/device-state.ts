import type { MessageKey } from '../i18n.js';
import type { DeviceKind, KeyValuesEntity } from '../model.js';

/** One visual state of a device: its legend label and its colour on the map. */
export interface DeviceState {
  label: MessageKey;
  color: string;
}

const s = (label: MessageKey, color: string): DeviceState => ({ label, color });

/** Shown when a device has not reported the reading its colour depends on. */
export const UNKNOWN_STATE = s('state.unknown', '#5b6b84');

/** Every state per kind, in legend order. */
export const DEVICE_STATES: Record<DeviceKind, DeviceState[]> = {
  AirQualityObserved: [
    s('state.aqi.excellent', '#2fd47c'),
    s('state.aqi.good', '#f2d43d'),
    s('state.aqi.light', '#ff9a3c'),
    s('state.aqi.moderate', '#ff4d5e'),
    s('state.aqi.heavy', '#b160ff'),
    s('state.aqi.severe', '#8a1538'),
  ],
  TrafficFlowObserved: [
    s('state.traffic.free', '#2fd47c'),
    s('state.traffic.slow', '#f5b93d'),
    s('state.traffic.jam', '#ff4d5e'),
  ],
  ParkingSpot: [
    s('state.parking.free', '#3ee0a0'),
    s('state.parking.occupied', '#ff6b7a'),
    s('state.parking.closed', '#6f7d95'),
  ],
  WasteContainer: [
    s('state.waste.low', '#3ee0a0'),
    s('state.waste.mid', '#f5b93d'),
    s('state.waste.full', '#ff4d5e'),
  ],
  Streetlight: [
    s('state.light.on', '#ffd66b'),
    s('state.light.off', '#48597a'),
    s('state.light.defective', '#ff4d5e'),
  ],
  ThreePhaseAcMeasurement: [
    s('state.meter.low', '#4fc3ff'),
    s('state.meter.mid', '#f5b93d'),
    s('state.meter.high', '#ff4d5e'),
  ],
  NoiseLevelObserved: [
    s('state.noise.quiet', '#2fd47c'),
    s('state.noise.moderate', '#f2d43d'),
    s('state.noise.loud', '#ff9a3c'),
    s('state.noise.veryLoud', '#ff4d5e'),
  ],
};

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A ratio from a value that may be a fraction (0..1) or a percentage (0..100). */
export function ratio(v: unknown): number | undefined {
  const n = num(v);
  return n === undefined ? undefined : n > 1 ? n / 100 : n;
}

function band(value: number | undefined, limits: number[], kind: DeviceKind): DeviceState {
  if (value === undefined) return UNKNOWN_STATE;
  const i = limits.findIndex((l) => value < l);
  return DEVICE_STATES[kind][i === -1 ? limits.length : i] ?? UNKNOWN_STATE;
}

function trafficLevel(e: KeyValuesEntity): number | undefined {
  const occ = ratio(e.occupancy);
  const speed = num(e.averageVehicleSpeed);
  if (e.congested === true) return 2;
  if (occ === undefined && speed === undefined) return undefined;
  const byOcc = occ === undefined ? 0 : occ >= 0.6 ? 2 : occ >= 0.3 ? 1 : 0;
  const bySpeed = speed === undefined ? 0 : speed < 20 ? 2 : speed < 40 ? 1 : 0;
  return Math.max(byOcc, bySpeed);
}

function kilowatts(e: KeyValuesEntity): number | undefined {
  const p = num(e.totalActivePower) ?? num(e.load);
  if (p === undefined) return undefined;
  return p > 1000 ? p / 1000 : p; // the data model reports watts; small numbers are already kW
}

/** The visual state of a device from its live readings. */
export function deviceState(e: KeyValuesEntity & { type: DeviceKind }): DeviceState {
  const kind = e.type;
  const states = DEVICE_STATES[kind];
  switch (kind) {
    case 'AirQualityObserved':
      return band(num(e.pm25), [35, 75, 115, 150, 250], kind);
    case 'TrafficFlowObserved': {
      const level = trafficLevel(e);
      return level === undefined ? UNKNOWN_STATE : states[level]!;
    }
    case 'ParkingSpot':
      return e.status === 'free'
        ? states[0]!
        : e.status === 'occupied'
          ? states[1]!
          : e.status === 'closed'
            ? states[2]!
            : UNKNOWN_STATE;
    case 'WasteContainer':
      return band(ratio(e.fillingLevel), [0.5, 0.8], kind);
    case 'Streetlight':
      if (typeof e.status === 'string' && e.status !== 'ok') return states[2]!;
      if (e.powerState === 'on' || e.powerState === 'low' || e.powerState === true)
        return states[0]!;
      if (e.powerState === 'off' || e.powerState === false) return states[1]!;
      return UNKNOWN_STATE;
    case 'ThreePhaseAcMeasurement':
      return band(kilowatts(e), [40, 80], kind);
    case 'NoiseLevelObserved':
      return band(num(e.LAeq) ?? num(e.LAS), [55, 65, 75], kind);
  }
}
