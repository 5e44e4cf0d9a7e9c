import { relationship } from '../city-entities.js';
import type { DeviceKind } from '../device-kind.js';
import { cityHour, trafficDemand } from '../diurnal.js';
import { clamp, gaussian, meanReverting, round, uniform } from '../random.js';

const CAPACITY: Record<string, number> = { trunk: 2200, primary: 1800, secondary: 1200 };
const FREE_FLOW_KMH: Record<string, number> = { trunk: 70, primary: 55, secondary: 45 };

/**
 * `TrafficFlowObserved` loop detectors on arterial roads: `intensity` (vehicles per hour and
 * lane), `occupancy` (0..1) and `averageVehicleSpeed` (km/h), congested in the rush hours.
 */
export const trafficFlow: DeviceKind = {
  prefix: 'traffic',
  entityType: 'TrafficFlowObserved',
  label: 'Traffic counter',
  placement: 'road',
  units: { averageVehicleSpeed: 'KMH' },
  create(rng, site) {
    const value = site.road?.roadClass.value;
    const roadClass = typeof value === 'string' ? value : 'primary';
    const capacity = CAPACITY[roadClass] ?? 1800;
    const freeFlow = FREE_FLOW_KMH[roadClass] ?? 55;
    const busy = uniform(rng, 0.85, 1.1);
    let walk = 0;
    return {
      attributes: site.road ? { refRoadSegment: relationship(site.road.id) } : undefined,
      model: ({ now, dtSeconds }) => {
        walk = meanReverting(rng, walk, dtSeconds, 300, 0.05);
        const demand = clamp(trafficDemand(cityHour(now)) * busy + walk, 0.02, 1.05);
        const speed = freeFlow * (1 - 0.75 * demand ** 3) + 2 * gaussian(rng);
        return {
          intensity: Math.round(capacity * demand * (1 + 0.05 * gaussian(rng))),
          occupancy: round(clamp(0.03 + 0.6 * demand ** 2 + 0.02 * gaussian(rng), 0, 0.98), 2),
          averageVehicleSpeed: round(clamp(speed, 5, freeFlow + 8)),
        };
      },
    };
  },
};
