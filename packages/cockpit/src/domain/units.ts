/** UN/CEFACT unit codes (NGSI-LD `unitCode`) and the symbols the cockpit shows for them. */
const UNIT_CODES: Record<string, string> = {
  GQ: 'µg/m³',
  GP: 'mg/m³',
  '59': 'ppm',
  CEL: '°C',
  P1: '%',
  KWT: 'kW',
  WTT: 'W',
  MAW: 'MW',
  KWH: 'kWh',
  KMH: 'km/h',
  MTS: 'm/s',
  '2N': 'dB',
  MTR: 'm',
  MMT: 'mm',
  HTZ: 'Hz',
  VLT: 'V',
  AMP: 'A',
  LTR: 'L',
  SEC: 's',
  DD: '°',
  LUX: 'lx',
};

/** Attributes held as a fraction 0..1 but read as a percentage. */
export const PERCENT = new Set([
  'occupancy',
  'fillingLevel',
  'relativeHumidity',
  'illuminanceLevel',
]);

/** Unit codes of an entity's attributes, from its normalized form. */
export type UnitCodes = Readonly<Record<string, string>>;

/** Units shown beside known attributes (values as the FIWARE data models define them). */
const DEFAULT_UNITS: Record<string, string> = {
  pm25: 'µg/m³',
  pm10: 'µg/m³',
  pm1: 'µg/m³',
  no2: 'µg/m³',
  no: 'µg/m³',
  nox: 'µg/m³',
  o3: 'µg/m³',
  so2: 'µg/m³',
  co: 'mg/m³',
  co2: 'ppm',
  temperature: '°C',
  windSpeed: 'm/s',
  windDirection: '°',
  precipitation: 'mm',
  intensity: 'veh/h',
  averageVehicleSpeed: 'km/h',
  averageVehicleLength: 'm',
  averageHeadwayTime: 's',
  powerConsumption: 'W',
  lanternHeight: 'm',
  totalActivePower: 'W',
  totalReactivePower: 'var',
  totalApparentPower: 'VA',
  totalActiveEnergyImport: 'kWh',
  activePower: 'W',
  current: 'A',
  voltage: 'V',
  phaseVoltage: 'V',
  frequency: 'Hz',
  LAeq: 'dB(A)',
  LAmax: 'dB(A)',
  LAS: 'dB(A)',
  LA90: 'dB(A)',
  binCapacity: 'L',
};

/** The unit codes of a normalized entity's Properties. */
export function unitCodesOf(entity: Record<string, unknown>): UnitCodes {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entity)) {
    const code = (v as { unitCode?: unknown } | null)?.unitCode;
    if (typeof code === 'string') out[k] = code;
  }
  return out;
}

/** Unit symbol of an attribute: its own unitCode when known, else the data model's default; '' when none. */
export function unitOf(attr: string, codes?: UnitCodes): string {
  const code = codes?.[attr];
  if (code !== undefined) return UNIT_CODES[code] ?? code;
  return PERCENT.has(attr) ? '%' : (DEFAULT_UNITS[attr] ?? '');
}
