import { describe, expect, it } from 'vitest';
import type { DeviceEntity } from '../model.js';
import { deviceState, UNKNOWN_STATE } from './device-state.js';

const dev = (type: DeviceEntity['type'], attrs: Record<string, unknown>): DeviceEntity => ({
  id: `urn:ngsi-ld:${type}:x`,
  type,
  ...attrs,
});

describe('deviceState', () => {
  it('bands PM2.5 by the Chinese AQI breakpoints', () => {
    expect(deviceState(dev('AirQualityObserved', { pm25: 20 })).label).toBe('state.aqi.excellent');
    expect(deviceState(dev('AirQualityObserved', { pm25: 75 })).label).toBe('state.aqi.light');
    expect(deviceState(dev('AirQualityObserved', { pm25: 180 })).label).toBe('state.aqi.heavy');
    expect(deviceState(dev('AirQualityObserved', { pm25: 400 })).label).toBe('state.aqi.severe');
  });

  it('reads filling level as a fraction or a percentage', () => {
    expect(deviceState(dev('WasteContainer', { fillingLevel: 0.9 })).label).toBe(
      'state.waste.full',
    );
    expect(deviceState(dev('WasteContainer', { fillingLevel: 90 })).label).toBe('state.waste.full');
    expect(deviceState(dev('WasteContainer', { fillingLevel: 0.2 })).label).toBe('state.waste.low');
  });

  it('marks a defective streetlight whatever its power state', () => {
    expect(
      deviceState(dev('Streetlight', { status: 'defectiveLamp', powerState: 'on' })).label,
    ).toBe('state.light.defective');
    expect(deviceState(dev('Streetlight', { status: 'ok', powerState: 'off' })).label).toBe(
      'state.light.off',
    );
  });

  it('takes the worse of occupancy and speed for traffic', () => {
    expect(
      deviceState(dev('TrafficFlowObserved', { occupancy: 0.1, averageVehicleSpeed: 12 })).label,
    ).toBe('state.traffic.jam');
    expect(
      deviceState(dev('TrafficFlowObserved', { occupancy: 0.1, averageVehicleSpeed: 60 })).label,
    ).toBe('state.traffic.free');
  });

  it('says "no data" when the reading is missing', () => {
    expect(deviceState(dev('NoiseLevelObserved', {}))).toBe(UNKNOWN_STATE);
    expect(deviceState(dev('ParkingSpot', { status: 'weird' }))).toBe(UNKNOWN_STATE);
  });
});
