import { describe, expect, it } from 'vitest';
import { generateCity } from './city.js';
import { BASELINE_PM25_MAX, type Reading, type ValueModel } from './device-kinds.js';
import { planDevices } from './device-plan.js';

const city = generateCity();
const devices = planDevices({ city, devicesPerKind: 10, seed: 1 });
const modelsOf = (type: string): ValueModel[] =>
  devices.filter((d) => d.entityType === type).map((d) => d.model);

/** A wall-clock time at `hour` (fractional) of a day in Hangzhou (UTC+8). */
const cityTime = (hour: number, day = 0): Date =>
  new Date(Date.UTC(2026, 10, 23 + day) + (hour - 8) * 3_600_000);

interface Sample {
  hour: number;
  reading: Reading;
}

/** Runs a model over `days` of simulated time, one reading every `stepSeconds`. */
function replay(model: ValueModel, days = 2, stepSeconds = 120): Sample[] {
  const out: Sample[] = [];
  for (let t = 0; t < days * 86_400; t += stepSeconds) {
    const now = cityTime(t / 3600);
    out.push({
      hour: (t / 3600) % 24,
      reading: model({ now, dtSeconds: t === 0 ? 0 : stepSeconds }),
    });
  }
  return out;
}

const num = (s: Sample, attr: string): number => s.reading[attr] as number;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const at = (samples: Sample[], from: number, to: number) =>
  samples.filter((s) => s.hour >= from && s.hour < to);

describe('device value models', () => {
  it('keeps air quality plausible: PM2.5 mostly 10–60 and never past the alert level', () => {
    const samples = modelsOf('AirQualityObserved').flatMap((m) => replay(m));
    const pm25 = samples.map((s) => num(s, 'pm25'));
    expect(Math.max(...pm25)).toBeLessThanOrEqual(BASELINE_PM25_MAX);
    expect(Math.min(...pm25)).toBeGreaterThan(0);
    expect(pm25.filter((v) => v >= 10 && v <= 60).length / pm25.length).toBeGreaterThan(0.9);
    for (const s of samples) {
      expect(num(s, 'pm10')).toBeGreaterThan(num(s, 'pm25'));
      expect(num(s, 'no2')).toBeGreaterThan(0);
      expect(num(s, 'temperature')).toBeGreaterThan(5);
      expect(num(s, 'temperature')).toBeLessThan(30);
      expect(num(s, 'relativeHumidity')).toBeGreaterThanOrEqual(25);
      expect(num(s, 'relativeHumidity')).toBeLessThanOrEqual(99);
    }
    const rush = mean(at(samples, 7.5, 9).map((s) => num(s, 'no2')));
    const night = mean(at(samples, 2, 4).map((s) => num(s, 'no2')));
    expect(rush).toBeGreaterThan(night + 10);
  });

  it('congests traffic in the rush hours and frees it at night', () => {
    const samples = modelsOf('TrafficFlowObserved').flatMap((m) => replay(m));
    const rush = at(samples, 7.5, 8.5);
    const night = at(samples, 2, 4);
    expect(mean(rush.map((s) => num(s, 'intensity')))).toBeGreaterThan(
      3 * mean(night.map((s) => num(s, 'intensity'))),
    );
    expect(mean(rush.map((s) => num(s, 'averageVehicleSpeed')))).toBeLessThan(
      mean(night.map((s) => num(s, 'averageVehicleSpeed'))) - 15,
    );
    for (const s of samples) {
      expect(num(s, 'occupancy')).toBeGreaterThanOrEqual(0);
      expect(num(s, 'occupancy')).toBeLessThanOrEqual(1);
      expect(num(s, 'averageVehicleSpeed')).toBeGreaterThanOrEqual(5);
      expect(num(s, 'averageVehicleSpeed')).toBeLessThanOrEqual(80);
      expect(Number.isInteger(num(s, 'intensity'))).toBe(true);
    }
  });

  it('reports parking spots as free or occupied, changing now and then', () => {
    for (const model of modelsOf('ParkingSpot')) {
      const statuses = replay(model).map((s) => s.reading.status);
      expect(new Set(statuses)).toEqual(new Set(['free', 'occupied']));
      const changes = statuses.filter((s, i) => i > 0 && s !== statuses[i - 1]).length;
      expect(changes).toBeGreaterThan(10);
      expect(changes).toBeLessThan(statuses.length / 3);
    }
  });

  it('fills waste containers between 0 and 1 and empties them when nearly full', () => {
    for (const model of modelsOf('WasteContainer')) {
      const levels = replay(model, 7, 600).map((s) => num(s, 'fillingLevel'));
      expect(Math.min(...levels)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...levels)).toBeLessThanOrEqual(1);
      const emptied = levels.filter((l, i) => i > 0 && l < (levels[i - 1] ?? 0) - 0.5);
      expect(emptied.length).toBeGreaterThan(0);
    }
  });

  it('lights the streets at night, dims them after midnight, and rarely has a defective lamp', () => {
    const samples = modelsOf('Streetlight').flatMap((m) => replay(m));
    for (const s of at(samples, 19, 23)) expect(s.reading.powerState).toBe('on');
    for (const s of at(samples, 8, 17)) {
      expect(s.reading.powerState).toBe('off');
      expect(s.reading.illuminanceLevel).toBe(0);
    }
    const lateNight = at(samples, 1, 4).filter((s) => s.reading.status === 'ok');
    for (const s of lateNight) expect(s.reading.illuminanceLevel).toBe(0.6);
    const defective = samples.filter((s) => s.reading.status === 'defectiveLamp').length;
    expect(defective / samples.length).toBeLessThan(0.2);
    for (const s of samples) expect(['ok', 'defectiveLamp']).toContain(s.reading.status);
  });

  it('meters electricity with a positive power and an energy counter that never goes back', () => {
    for (const model of modelsOf('ThreePhaseAcMeasurement')) {
      const samples = replay(model);
      const energy = samples.map((s) => num(s, 'totalActiveEnergyImport'));
      for (let i = 1; i < energy.length; i++)
        expect(energy[i]).toBeGreaterThanOrEqual(energy[i - 1]!);
      expect(energy.at(-1)!).toBeGreaterThan(energy[0]!);
      const power = samples.map((s) => num(s, 'totalActivePower'));
      expect(Math.min(...power)).toBeGreaterThan(0);
      // Two days of average power account for the energy counted.
      const expected = (mean(power) * 48 * (samples.length - 1)) / samples.length;
      expect(energy.at(-1)! - energy[0]!).toBeCloseTo(expected, -2);
    }
  });

  it('measures noise louder by day than at night', () => {
    const samples = modelsOf('NoiseLevelObserved').flatMap((m) => replay(m));
    const day = mean(at(samples, 10, 17).map((s) => num(s, 'LAeq')));
    const night = mean(at(samples, 2, 4).map((s) => num(s, 'LAeq')));
    expect(night).toBeGreaterThan(38);
    expect(night).toBeLessThan(52);
    expect(day).toBeGreaterThan(night + 10);
    for (const s of samples) expect(num(s, 'LAmax')).toBeGreaterThan(num(s, 'LAeq'));
  });
});
