import { property } from '../city-entities.js';
import type { DeviceKind } from '../device-kind.js';
import { bump, cityHour } from '../diurnal.js';
import { meanReverting, round, uniform } from '../random.js';

/**
 * `ThreePhaseAcMeasurement` building meters: `totalActivePower` (kW) with a residential
 * (evening peak) or commercial (office hours) profile, `totalActiveEnergyImport` (kWh) that only grows.
 */
export const electricityMeter: DeviceKind = {
  prefix: 'meter',
  entityType: 'ThreePhaseAcMeasurement',
  label: 'Electricity meter',
  placement: 'community',
  units: { totalActivePower: 'KWT', totalActiveEnergyImport: 'KWH' },
  create(rng) {
    const residential = rng() < 0.6;
    const basePower = uniform(rng, 30, 300);
    let energy = round(uniform(rng, 1e4, 5e5), 3);
    let walk = 0;
    const profile = (h: number) =>
      residential
        ? 0.35 + 0.3 * bump(h, 7.5, 1.2) + 0.65 * bump(h, 20, 2.5)
        : 0.25 + 0.75 * bump(h, 13, 3.5);
    return {
      attributes: {
        description: property(
          residential ? 'Residential building supply' : 'Commercial building supply',
        ),
      },
      model: ({ now, dtSeconds }) => {
        walk = meanReverting(rng, walk, dtSeconds, 600, 0.06);
        const power = Math.max(0, basePower * profile(cityHour(now)) * (1 + walk));
        energy = round(energy + (power * Math.max(0, dtSeconds)) / 3600, 3);
        return { totalActivePower: round(power, 2), totalActiveEnergyImport: energy };
      },
    };
  },
};
