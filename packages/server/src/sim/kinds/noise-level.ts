import type { DeviceKind } from '../device-kind.js';
import { cityHour, trafficDemand } from '../diurnal.js';
import { clamp, gaussian, round, uniform } from '../random.js';

/** `NoiseLevelObserved` sound meters: LAeq follows the traffic, ~45 dB(A) at night, ~68 by day. */
export const noiseLevel: DeviceKind = {
  prefix: 'noise',
  entityType: 'NoiseLevelObserved',
  label: 'Noise meter',
  placement: 'community',
  units: { LAeq: '2N', LAmax: '2N' },
  create(rng) {
    const offset = uniform(rng, -4, 4);
    return {
      model: ({ now }) => {
        const laeq = clamp(
          44 + 24 * trafficDemand(cityHour(now)) + offset + 1.5 * gaussian(rng),
          30,
          95,
        );
        return { LAeq: round(laeq), LAmax: round(laeq + 8 + 4 * Math.abs(gaussian(rng))) };
      },
    };
  },
};
