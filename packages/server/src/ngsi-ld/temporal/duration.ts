import { CityError } from '../../core/index.js';

const DURATION =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const UNIT_MS = [604_800_000, 86_400_000, 3_600_000, 60_000, 1000];

/**
 * An ISO 8601 duration of fixed length (weeks, days, hours, minutes, seconds: P1W, P1D,
 * PT1H, PT15M, P1DT12H, PT0.5S) in milliseconds. Years and months have no fixed length and
 * are refused with OperationNotSupported; anything else with BadRequestData.
 */
export function parseDuration(text: string): number {
  if (/^P(?:\d+Y)?(?:\d+M)?(?:\d+[WD])*(?:T.*)?$/.test(text) && /^P[^T]*[YM]/.test(text))
    throw new CityError(
      'OperationNotSupported',
      `aggrPeriodDuration ${text}: years and months are not supported; use weeks, days or hours (P7D, PT1H)`,
    );
  const m = DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T'))
    throw new CityError(
      'BadRequestData',
      `aggrPeriodDuration must be an ISO 8601 duration such as PT1H or P1D, got ${JSON.stringify(text)}`,
    );
  let ms = 0;
  UNIT_MS.forEach((unit, i) => {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * unit;
  });
  return Math.round(ms);
}
