import { property } from '../city-entities.js';
import type { DeviceKind } from '../device-kind.js';
import { ambientTemperature, bump, cityHour } from '../diurnal.js';
import { clamp, gaussian, happens, round, uniform } from '../random.js';

const WASTE_KINDS = ['organic', 'paper', 'plastic', 'glass'];

/** `WasteContainer` fill sensors: `fillingLevel` (0..1) rises by day until a truck empties it. */
export const wasteContainer: DeviceKind = {
  prefix: 'waste',
  entityType: 'WasteContainer',
  label: 'Waste container',
  placement: 'community',
  units: { temperature: 'CEL' },
  create(rng) {
    let level = uniform(rng, 0.05, 0.7);
    const perHour = uniform(rng, 0.015, 0.045);
    const kind = WASTE_KINDS[Math.floor(rng() * WASTE_KINDS.length)] ?? 'organic';
    return {
      attributes: { storedWasteKind: property([kind]) },
      model: ({ now, dtSeconds }) => {
        const h = cityHour(now);
        level += (perHour * (0.25 + bump(h, 12.5, 4.5)) * dtSeconds) / 3600;
        // Once past 80 % a collection truck comes within about an hour.
        if (level >= 0.8 && happens(rng, dtSeconds, 3600)) level = uniform(rng, 0.01, 0.05);
        level = Math.min(1, level);
        const temperature = ambientTemperature(h) + 1.5 + 2 * level + 0.4 * gaussian(rng);
        return { fillingLevel: round(level, 3), temperature: round(clamp(temperature, -10, 60)) };
      },
    };
  },
};
