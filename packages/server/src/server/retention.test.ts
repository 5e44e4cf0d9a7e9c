import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startHistoryRetention } from './retention.js';

const DAY = 86_400_000;

describe('history retention', () => {
  it('drops what is older than the retention at start and then periodically', async () => {
    const cutoffs: number[] = [];
    const now = Date.UTC(2026, 10, 24);
    const stop = startHistoryRetention({
      days: 30,
      dropBefore: (epochMs) => {
        cutoffs.push(epochMs);
        return Promise.resolve(1);
      },
      logger: pino({ level: 'silent' }),
      clock: () => now,
      everyMs: 20,
    });
    await new Promise((r) => setTimeout(r, 70));
    stop();
    const seen = cutoffs.length;
    expect(seen).toBeGreaterThanOrEqual(2);
    expect(new Set(cutoffs)).toEqual(new Set([now - 30 * DAY]));
    await new Promise((r) => setTimeout(r, 50));
    expect(cutoffs).toHaveLength(seen); // stopped
  });

  it('never overlaps runs and survives a failing drop', async () => {
    let active = 0;
    let overlapped = false;
    let calls = 0;
    const stop = startHistoryRetention({
      days: 1,
      dropBefore: async () => {
        calls++;
        if (++active > 1) overlapped = true;
        await new Promise((r) => setTimeout(r, 30));
        active--;
        if (calls === 1) throw new Error('lock timeout');
        return 0;
      },
      logger: pino({ level: 'silent' }),
      everyMs: 5,
    });
    await new Promise((r) => setTimeout(r, 120));
    stop();
    expect(overlapped).toBe(false);
    expect(calls).toBeGreaterThanOrEqual(2);
  });
});
