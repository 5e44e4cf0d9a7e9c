import { property } from '../city-entities.js';
import type { DeviceKind } from '../device-kind.js';
import { bump, cityHour } from '../diurnal.js';
import { happens } from '../random.js';

/** Mean time between status changes of a spot when demand is balanced. */
const TURNOVER_SECONDS = 40 * 60;

/** `ParkingSpot` sensors: `status` free/occupied, residential spots full at night, business spots by day. */
export const parkingSpot: DeviceKind = {
  prefix: 'parking',
  entityType: 'ParkingSpot',
  label: 'Parking spot',
  placement: 'community',
  units: {},
  create(rng) {
    const residential = rng() < 0.5;
    const demand = (h: number) =>
      residential ? 0.88 - 0.45 * bump(h, 13, 4) : 0.12 + 0.8 * bump(h, 13, 4.5);
    let occupied: boolean | undefined;
    return {
      attributes: { category: property(['onStreet']) },
      model: ({ now, dtSeconds }) => {
        const p = demand(cityHour(now));
        if (occupied === undefined) occupied = rng() < p;
        // A two-state Markov chain whose long-run occupancy is p.
        else if (happens(rng, dtSeconds, TURNOVER_SECONDS)) occupied = rng() < p;
        return { status: occupied ? 'occupied' : 'free' };
      },
    };
  },
};
