/** Epoch ms of a q dateTime literal, as core `qInstant` reads it (NaN when invalid). */
export function qInstantOf(text: string): number {
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`;
  return Date.parse(zoned.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** core Q_DATE in PostgreSQL syntax ([0-9]: PostgreSQL's \d may follow the locale). */
export const DATE_RE = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';
/** core Q_TIME in PostgreSQL syntax. */
export const TIME_RE = '^[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?$';
