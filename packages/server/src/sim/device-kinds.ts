import type { DeviceKind } from './device-kind.js';
import { airQuality } from './kinds/air-quality.js';
import { electricityMeter } from './kinds/electricity-meter.js';
import { noiseLevel } from './kinds/noise-level.js';
import { parkingSpot } from './kinds/parking-spot.js';
import { streetlight } from './kinds/streetlight.js';
import { trafficFlow } from './kinds/traffic-flow.js';
import { wasteContainer } from './kinds/waste-container.js';

export type { DeviceKind, ReadingContext, Reading, Site, ValueModel } from './device-kind.js';
export { BASELINE_PM25_MAX } from './kinds/air-quality.js';

/** Every kind of device the simulated city has, in registration order. */
export const DEVICE_KINDS: readonly DeviceKind[] = [
  airQuality,
  trafficFlow,
  parkingSpot,
  wasteContainer,
  streetlight,
  electricityMeter,
  noiseLevel,
];
