import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withNewestPage, withOlderPage } from './access-log-pages.js';
import type { AccessLogPage, AccessRecord } from './sharing-model.js';

const record = (seq: number): AccessRecord => ({
  seq,
  at: seq,
  actor: 'api-key:1',
  action: 'entity.query',
  resource: 'AirQualityObserved',
  result: 'allow',
  records: 1,
});

/** The server's page: the `limit` newest records before `before`, `next` when the page is full. */
function pageOf(log: readonly number[], limit: number, before = Infinity): AccessLogPage {
  const seqs = log.filter((s) => s < before).slice(0, limit);
  const last = seqs[seqs.length - 1];
  return {
    records: seqs.map(record),
    ...(seqs.length === limit && last !== undefined && { next: last }),
  };
}

/** Reads older pages until the log ends (or `pages` more were read). */
function readOn(log: readonly number[], limit: number, shown: AccessLogPage, pages = Infinity) {
  let out = shown;
  for (let i = 0; i < pages && out.next !== undefined; i++)
    out = withOlderPage(out, out.next, pageOf(log, limit, out.next));
  return out;
}

const seqs = (page: AccessLogPage) => page.records.map((r) => r.seq);

/** A log newest first: distinct seqs (not consecutive: the chain holds other owners' records too). */
const logOf = (values: number[]) => [...new Set(values)].sort((a, b) => b - a);

describe('access log pages', () => {
  it('appends older pages only when they continue the log shown', () => {
    const log = [9, 7, 5, 3, 1];
    const head = pageOf(log, 2);
    expect(head).toEqual({ records: [record(9), record(7)], next: 7 });
    const two = withOlderPage(head, 7, pageOf(log, 2, 7));
    expect(seqs(two)).toEqual([9, 7, 5, 3]);
    // A page read from a `next` the log no longer has (it was read again meanwhile) is dropped.
    expect(withOlderPage(two, 7, pageOf(log, 2, 7))).toBe(two);
    expect(readOn(log, 2, two)).toEqual({ records: log.map(record) });
  });

  it('keeps the older pages under a newest page read again, and starts over after a gap', () => {
    const shown = readOn([9, 7, 5, 3, 1], 2, pageOf([9, 7, 5, 3, 1], 2), 1);
    expect(seqs(withNewestPage(shown, pageOf([10, 9, 7, 5, 3, 1], 2)))).toEqual([10, 9, 7, 5, 3]);
    // Three new records: between the new page and the shown ones lies one not read yet.
    const after = withNewestPage(shown, pageOf([12, 11, 10, 9, 7, 5, 3, 1], 2));
    expect(after).toEqual({ records: [record(12), record(11)], next: 11 });
  });

  it('always shows the newest records of the log without a gap or a repeat, and can read on to its end', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 40 }),
        fc.array(fc.integer({ min: 501, max: 1000 }), { maxLength: 20 }),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(8),
        (before, added, limit, pagesShown) => {
          const old = logOf(before);
          const shown = readOn(old, limit, pageOf(old, limit), pagesShown);
          const log = logOf([...before, ...added]);
          const merged = withNewestPage(shown, pageOf(log, limit));
          const got = seqs(merged);
          expect(got).toEqual(log.slice(0, got.length));
          expect(got.length).toBeGreaterThanOrEqual(Math.min(limit, log.length));
          if (merged.next === undefined) expect(got).toEqual(log);
          else expect(merged.next).toBe(got[got.length - 1]);
          expect(seqs(readOn(log, limit, merged))).toEqual(log);
        },
      ),
    );
  });
});
