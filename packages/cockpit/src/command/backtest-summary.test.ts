import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { periodEnding, summarise } from './backtest-summary.js';
import type { BacktestResult, BacktestSignal } from './command-model.js';

const FROM = Date.parse('2026-03-01T00:00:00Z');
const signal = (kind: string, key: string, minutes: number): BacktestSignal => ({
  kind,
  key,
  at: new Date(FROM + minutes * 60_000).toISOString(),
  evidence: [],
});
const result = (alerts: BacktestSignal[]): BacktestResult => ({
  rule: 'r',
  from: new Date(FROM).toISOString(),
  to: new Date(FROM + 60 * 60_000).toISOString(),
  facts: 100,
  entities: 3,
  alerts,
});

describe('backtest summary', () => {
  it('counts raised and cleared alerts and the keys that raised', () => {
    const s = summarise(
      result([signal('raise', 'a', 30), signal('clear', 'a', 45), signal('raise', 'b', 15)]),
    );
    expect(s).toMatchObject({ raised: 2, cleared: 1, keys: 2 });
    expect(s.marks.map((m) => m.at)).toEqual([0.25, 0.5, 0.75]);
  });

  it('ends a period now', () => {
    expect(periodEnding('24h', FROM + 86_400_000)).toEqual({
      from: new Date(FROM).toISOString(),
      to: new Date(FROM + 86_400_000).toISOString(),
    });
  });

  it('keeps every mark on the timeline, in order', () => {
    const anySignal = fc
      .tuple(
        fc.constantFrom('raise', 'clear'),
        fc.constantFrom('a', 'b'),
        fc.integer({ min: -30, max: 90 }),
      )
      .map(([k, key, m]) => signal(k, key, m));
    fc.assert(
      fc.property(fc.array(anySignal), (alerts) => {
        const s = summarise(result(alerts));
        expect(s.marks).toHaveLength(alerts.length);
        expect(s.raised + s.cleared).toBe(alerts.length);
        for (const m of s.marks) expect(m.at >= 0 && m.at <= 1).toBe(true);
        expect(s.marks.map((m) => m.at)).toEqual(
          [...s.marks.map((m) => m.at)].sort((a, b) => a - b),
        );
      }),
    );
  });
});
