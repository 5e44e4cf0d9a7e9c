import { property } from '../city-entities.js';
import type { DeviceKind } from '../device-kind.js';
import { cityHour } from '../diurnal.js';
import { happens, uniform } from '../random.js';

/** A lamp fails about once in 24 h of operation (so, rarely, in a fleet); repair takes ~2 h. */
const MEAN_SECONDS_BETWEEN_FAILURES = 24 * 3600;
const MEAN_SECONDS_TO_REPAIR = 2 * 3600;

/** `Streetlight` controllers along the roads: on from dusk to dawn, dimmed after midnight. */
export const streetlight: DeviceKind = {
  prefix: 'light',
  entityType: 'Streetlight',
  label: 'Streetlight',
  placement: 'road',
  units: {},
  create(rng) {
    const dusk = 17.5 + uniform(rng, -0.25, 0.25);
    const dawn = 6.2 + uniform(rng, -0.25, 0.25);
    let defective = false;
    return {
      attributes: { locationCategory: property('road') },
      model: ({ now, dtSeconds }) => {
        const h = cityHour(now);
        const on = h >= dusk || h < dawn;
        if (defective) defective = !happens(rng, dtSeconds, MEAN_SECONDS_TO_REPAIR);
        else defective = happens(rng, dtSeconds, MEAN_SECONDS_BETWEEN_FAILURES);
        const level = on && !defective ? (h < 5 ? 0.6 : 1) : 0;
        return {
          powerState: on ? 'on' : 'off',
          illuminanceLevel: level,
          status: defective ? 'defectiveLamp' : 'ok',
        };
      },
    };
  },
};
