import type { BacktestResult, BacktestSignal } from './command-model.js';

/** The periods a backtest offers, in hours. */
export const BACKTEST_PERIODS = [
  { id: '1h', hours: 1 },
  { id: '24h', hours: 24 },
  { id: '7d', hours: 24 * 7 },
] as const;
/** One of them. */
export type BacktestPeriod = (typeof BACKTEST_PERIODS)[number]['id'];

/** The period ending at `now`, ISO instants. */
export function periodEnding(period: BacktestPeriod, now: number): { from: string; to: string } {
  const hours = BACKTEST_PERIODS.find((p) => p.id === period)!.hours;
  return { from: new Date(now - hours * 3_600_000).toISOString(), to: new Date(now).toISOString() };
}

/** A would-be alert placed on the period's timeline. */
export interface TimelineMark {
  signal: BacktestSignal;
  /** 0 at the period's start, 1 at its end. */
  at: number;
}

/** What a backtest came to: how many alerts would have been raised and cleared, and when. */
export interface BacktestSummary {
  raised: number;
  cleared: number;
  /** Distinct keys (entities, areas) that would have raised one. */
  keys: number;
  marks: TimelineMark[];
}

/** Counts and places the signals of a backtest. */
export function summarise(result: BacktestResult): BacktestSummary {
  const from = Date.parse(result.from);
  const span = Math.max(1, Date.parse(result.to) - from);
  const raises = result.alerts.filter((s) => s.kind === 'raise');
  return {
    raised: raises.length,
    cleared: result.alerts.length - raises.length,
    keys: new Set(raises.map((s) => s.key)).size,
    marks: result.alerts
      .map((signal) => ({
        signal,
        at: Math.min(1, Math.max(0, (Date.parse(signal.at) - from) / span)),
      }))
      .sort((a, b) => a.at - b.at),
  };
}
