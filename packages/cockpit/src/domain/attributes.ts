import type { Translator } from '../i18n.js';
import type { DeviceKind, KeyValuesEntity } from '../model.js';
import { PERCENT, unitOf, type UnitCodes } from './units.js';

/** Members that are identity, geometry or links, not readings. */
const HIDDEN = new Set([
  'id',
  'type',
  '@context',
  'location',
  'name',
  'alternateName',
  'refDevice',
  'address',
  'areaServed',
  'description',
  'source',
  'dataProvider',
  'seeAlso',
]);

/** The reading each kind charts first. */
export const PRIMARY_ATTRIBUTE: Record<DeviceKind, string> = {
  AirQualityObserved: 'pm25',
  TrafficFlowObserved: 'averageVehicleSpeed',
  ParkingSpot: 'status',
  WasteContainer: 'fillingLevel',
  Streetlight: 'powerConsumption',
  ThreePhaseAcMeasurement: 'totalActivePower',
  NoiseLevelObserved: 'LAeq',
};

/** A reading to show in the detail panel. */
export interface Reading {
  attr: string;
  label: string;
  value: string;
  unit: string;
  numeric: boolean;
}

const nf = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

/** A number as read, percentages scaled from fractions. */
export function displayNumber(attr: string, v: number): number {
  return PERCENT.has(attr) && v <= 1 ? v * 100 : v;
}

function formatValue(tr: Translator, attr: string, v: unknown): string | undefined {
  if (typeof v === 'number') return nf.format(displayNumber(attr, v));
  if (typeof v === 'boolean') return tr.tx('value', String(v));
  if (typeof v === 'string')
    return /^\d{4}-\d\d-\d\dT/.test(v)
      ? new Date(v).toLocaleString(tr.lang === 'zh' ? 'zh-CN' : undefined)
      : tr.tx('value', v, v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string'))
    return v.map((x: string) => tr.tx('value', x, x)).join(', ');
  if (typeof v === 'object' && v !== null) {
    const parts = Object.entries(v).filter(([, x]) => typeof x === 'number');
    if (parts.length > 0)
      return parts.map(([k, x]) => `${k} ${nf.format(x as number)}`).join(' · ');
  }
  return undefined;
}

/** The readings of a device, labelled and formatted, numbers first. */
export function readingsOf(tr: Translator, e: KeyValuesEntity, codes?: UnitCodes): Reading[] {
  const out: Reading[] = [];
  for (const [attr, v] of Object.entries(e)) {
    if (HIDDEN.has(attr) || attr.startsWith('ref')) continue;
    const value = formatValue(tr, attr, v);
    if (value === undefined) continue;
    const numeric = typeof v === 'number';
    out.push({
      attr,
      label: tr.tx('attr', attr),
      value,
      unit:
        numeric || typeof v === 'object'
          ? tr.tx('unit', unitOf(attr, codes), unitOf(attr, codes))
          : '',
      numeric,
    });
  }
  return out.sort((a, b) => Number(b.numeric) - Number(a.numeric));
}

/** The attribute to chart first for a device: its kind's primary one if numeric, else the first number. */
export function defaultChartAttribute(
  e: KeyValuesEntity & { type: DeviceKind },
): string | undefined {
  const primary = PRIMARY_ATTRIBUTE[e.type];
  if (typeof e[primary] === 'number') return primary;
  return Object.keys(e).find((k) => !HIDDEN.has(k) && typeof e[k] === 'number');
}
