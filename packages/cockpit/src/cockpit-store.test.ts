import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCockpitStore } from './cockpit-store.js';
import type { Alert } from './model.js';

const alert = (id: string, minutesAgo: number, status: Alert['status'] = 'raised'): Alert => ({
  id,
  type: 'Alert',
  severity: 'high',
  status,
  dateIssued: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
});

describe('cockpit store', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('notifies device changes at most every 500 ms, and delivers the last state', () => {
    const store = createCockpitStore();
    const seen = vi.fn();
    store.subscribe(seen);
    // 100 updates per second for 5 s.
    for (let i = 0; i < 500; i++) {
      store.upsertDevice({ id: 'urn:a', type: 'AirQualityObserved', pm25: i });
      vi.advanceTimersByTime(10);
    }
    vi.advanceTimersByTime(500);
    expect(seen.mock.calls.length).toBeGreaterThanOrEqual(9);
    expect(seen.mock.calls.length).toBeLessThanOrEqual(11);
    expect(store.devices.get('urn:a')?.pm25).toBe(499);
  });

  it('notifies a new alert at once', () => {
    const store = createCockpitStore();
    const seen = vi.fn();
    store.subscribe(seen);
    store.upsertDevice({ id: 'urn:a', type: 'AirQualityObserved', pm25: 1 });
    vi.advanceTimersByTime(1);
    store.upsertDevice({ id: 'urn:a', type: 'AirQualityObserved', pm25: 2 });
    store.upsertAlert(alert('a', 0), true);
    vi.advanceTimersByTime(1);
    expect(seen).toHaveBeenCalledTimes(2);
  });

  it('merges partial updates and ignores entities that are not devices', () => {
    const store = createCockpitStore();
    store.upsertDevice({ id: 'urn:a', type: 'AirQualityObserved', pm25: 1, pm10: 2 });
    store.upsertDevice({ id: 'urn:a', type: 'AirQualityObserved', pm25: 9 });
    store.upsertDevice({ id: 'urn:d', type: 'District' });
    expect(store.devices.get('urn:a')).toMatchObject({ pm25: 9, pm10: 2 });
    expect(store.devices.has('urn:d')).toBe(false);
  });

  it('keeps alerts newest first, replaces by id and marks live arrivals fresh for a while', () => {
    const store = createCockpitStore({ freshMs: 1000 });
    store.setAlerts([alert('old', 10), alert('older', 20)]);
    store.upsertAlert(alert('new', 0), true);
    store.upsertAlert(alert('old', 10, 'resolved'), true);
    expect(store.alerts.map((a) => a.id)).toEqual(['new', 'old', 'older']);
    expect(store.alerts[1]?.status).toBe('resolved');
    expect([...store.freshAlerts]).toEqual(['new']);
    vi.advanceTimersByTime(1001);
    expect(store.freshAlerts.size).toBe(0);
  });
});
