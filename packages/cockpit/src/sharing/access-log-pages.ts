import type { AccessLogPage } from './sharing-model.js';

/**
 * The log as shown after its newest page was read again: the older records already shown
 * stay below it when the two overlap; when more new records came than a page holds (a gap
 * between them), the log starts over from the new page.
 */
export function withNewestPage(
  shown: AccessLogPage | undefined,
  newest: AccessLogPage,
): AccessLogPage {
  // A short page is the whole log; no older page was shown, or the two do not meet.
  const from = newest.next;
  if (!shown || from === undefined) return newest;
  const newestShown = shown.records[0]?.seq;
  if (newestShown === undefined || newestShown < from) return newest;
  const below = shown.records.filter((r) => r.seq < from);
  // Go on where the shown log stopped, unless all it showed is in the new page.
  const next = shown.next === undefined ? undefined : Math.min(shown.next, from);
  return { records: [...newest.records, ...below], ...(next !== undefined && { next }) };
}

/**
 * The log with an older page appended, if the page continues it (read from its `next`);
 * the log unchanged otherwise (it was read again meanwhile).
 */
export function withOlderPage(
  shown: AccessLogPage,
  before: number,
  older: AccessLogPage,
): AccessLogPage {
  if (shown.next !== before) return shown;
  const records = [...shown.records, ...older.records.filter((r) => r.seq < before)];
  return { records, ...(older.next !== undefined && { next: older.next }) };
}
