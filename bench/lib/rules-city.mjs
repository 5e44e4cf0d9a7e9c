// The city of the rules benchmark (bench/rules.mjs): entity types with their attributes and
// value ranges, areas laid out as a grid of cells with a zone in a corner of each, and the
// devices (background, trigger and silent ones). Plain data, shared with the load generator.

/**
 * Background devices report values in [lo, hi]; a trigger device reports `base` and, at its
 * spikes, `spike`; rules meant to fire have their threshold between hi and spike, rules meant
 * never to fire are beyond what any device reports.
 */
export const TYPES = [
  {
    type: 'AirQualityObserved',
    short: 'aq',
    primary: { name: 'pm25', lo: 5, hi: 60, base: 59, spike: 300, unit: 'GQ' },
    secondary: { name: 'no2', lo: 10, hi: 90, base: 40, unit: 'GQ' },
  },
  {
    type: 'NoiseLevelObserved',
    short: 'noise',
    primary: { name: 'LAeq', lo: 40, hi: 68, base: 67, spike: 125, unit: '2N' },
    secondary: { name: 'LAmax', lo: 50, hi: 85, base: 70, unit: '2N' },
  },
  {
    type: 'WaterQualityObserved',
    short: 'water',
    primary: { name: 'turbidity', lo: 0.5, hi: 4, base: 3.9, spike: 60, unit: 'NTU' },
    secondary: { name: 'pH', lo: 6.8, hi: 7.8, base: 7.2 },
  },
  {
    type: 'Vehicle',
    short: 'veh',
    primary: { name: 'speed', lo: 0, hi: 60, base: 59, spike: 140, unit: 'KMH' },
    // Vehicles report their position instead of a second number.
    secondary: null,
  },
];

export const typeByName = new Map(TYPES.map((t) => [t.type, t]));

/** Area names: area-00 … */
export const areaName = (k) => `area-${String(k).padStart(2, '0')}`;

const CELL = 0.1; // degrees
/** The south-west corner of an area's cell: a 5-wide grid from (120.0, 30.0). */
export const cellOrigin = (k) => [120 + CELL * (k % 5), 30 + CELL * Math.floor(k / 5)];

const square = (x0, y0, x1, y1) => ({
  type: 'Polygon',
  coordinates: [
    [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
      [x0, y0],
    ],
  ],
});

/**
 * Positions and polygons of area k: background vehicles walk in `walk`; the zones (small and
 * large, both in the north-east corner) are entered only by the area's trigger vehicle at its
 * spikes; `cell` is the whole area.
 */
export function geometryOf(k) {
  const [x, y] = cellOrigin(k);
  const r = (v) => Math.round(v * 1e6) / 1e6;
  return {
    walk: [r(x + 0.005), r(y + 0.005), r(x + 0.07), r(y + 0.07)],
    home: [r(x + 0.03), r(y + 0.03)],
    inZone: [r(x + 0.09), r(y + 0.09)],
    smallZone: square(r(x + 0.08), r(y + 0.08), r(x + 0.1), r(y + 0.1)),
    largeZone: square(r(x + 0.075), r(y + 0.075), r(x + 0.1), r(y + 0.1)),
    cell: square(r(x), r(y), r(x + CELL), r(y + CELL)),
  };
}

/**
 * The devices: `devices / TYPES.length` per type, spread round robin over the areas. The first
 * device of each (type, area) is its trigger device; the next one of each type (in area 0) is
 * a silent device (it stops reporting during the measured window, for the absence rules).
 */
export function cityDevices({ devices, areas }) {
  const perType = Math.floor(devices / TYPES.length);
  if (perType < areas + 1)
    throw new Error(`--devices must be at least ${(areas + 1) * TYPES.length} for ${areas} areas`);
  const out = [];
  for (const t of TYPES)
    for (let j = 0; j < perType; j++) {
      const id = `rb-${t.short}-${String(j + 1).padStart(4, '0')}`;
      const k = j % areas;
      const role = j < areas ? 'trigger' : j === areas ? 'silent' : 'background';
      out.push({ id, type: t.type, area: areaName(k), areaIndex: k, role });
    }
  return out;
}

/** The body of POST /api/v1/devices for a bench device. */
export function registrationOf(device, secret) {
  const t = typeByName.get(device.type);
  const units = {};
  for (const a of [t.primary, t.secondary]) if (a?.unit) units[a.name] = a.unit;
  const g = geometryOf(device.areaIndex);
  return {
    id: device.id,
    entityType: device.type,
    name: `${t.short} ${device.id} (${device.area})`,
    secret,
    units,
    attributes: {
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: g.home } },
      areaServed: { type: 'Property', value: device.area },
    },
  };
}
