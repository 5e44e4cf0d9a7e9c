import { property } from '../city-entities.js';
import type { DeviceKind } from '../device-kind.js';
import { ambientTemperature, bump, cityHour } from '../diurnal.js';
import { clamp, gaussian, meanReverting, round, uniform } from '../random.js';

/** Highest PM2.5 outside an episode: below the usual 75 µg/m³ alert threshold. */
export const BASELINE_PM25_MAX = 70;

/** `AirQualityObserved` stations: PM2.5/PM10/NO2 with rush-hour peaks, temperature, humidity. */
export const airQuality: DeviceKind = {
  prefix: 'aq',
  entityType: 'AirQualityObserved',
  label: 'Air quality station',
  placement: 'community',
  units: { pm25: 'GQ', pm10: 'GQ', no2: 'GQ', temperature: 'CEL', relativeHumidity: 'P1' },
  create(rng) {
    const offset = uniform(rng, -6, 8);
    const warmth = uniform(rng, -1, 1);
    const damp = uniform(rng, -5, 5);
    const coarse = uniform(rng, 1.4, 1.8);
    let walk = 0;
    return {
      attributes: { typeOfLocation: property('outdoor') },
      model: ({ now, dtSeconds, episode }) => {
        const h = cityHour(now);
        const rush = Math.max(bump(h, 8, 1.5), bump(h, 18.5, 2));
        walk = meanReverting(rng, walk, dtSeconds, 900, 5);
        const base = 22 + offset + 14 * rush + 5 * bump(h, 23, 3) + walk;
        let pm25 = clamp(base + gaussian(rng), 6, BASELINE_PM25_MAX);
        const weight = episode?.intensity ?? 0;
        if (episode) {
          // Smog: the plateau sits at or above the episode's level, never below it.
          const peak = episode.pm25 * (1 + Math.min(0.25, 0.08 * Math.abs(gaussian(rng))));
          pm25 += episode.intensity * (peak - pm25);
        }
        const temperature = ambientTemperature(h) + warmth + 0.3 * gaussian(rng);
        return {
          pm25: round(pm25),
          pm10: round(pm25 * (coarse + 0.05 * gaussian(rng))),
          no2: round(clamp(18 + 28 * rush + 25 * weight + 3 * gaussian(rng), 5, 200)),
          temperature: round(temperature),
          relativeHumidity: round(
            clamp(72 - 2.2 * (temperature - 17) + damp + 2 * gaussian(rng), 25, 99),
          ),
        };
      },
    };
  },
};
