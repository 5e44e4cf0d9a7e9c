import { describe, expect, it } from 'vitest';
import { generateCity } from './city.js';
import { planDevices } from './device-plan.js';
import { episodeIntensity, episodeLevel, type EpisodeOptions } from './episode.js';

const episode: EpisodeOptions = {
  district: 'xihu',
  startAfterSeconds: 60,
  durationSeconds: 900,
  pm25: 160,
};

describe('pollution episode', () => {
  it('ramps up from its start, holds, and ramps down by its end', () => {
    expect(episodeIntensity(episode, 0)).toBe(0);
    expect(episodeIntensity(episode, 59)).toBe(0);
    expect(episodeIntensity(episode, 75)).toBeCloseTo(0.5);
    expect(episodeIntensity(episode, 90)).toBe(1);
    expect(episodeIntensity(episode, 500)).toBe(1);
    expect(episodeIntensity(episode, 945)).toBeCloseTo(0.5);
    expect(episodeIntensity(episode, 961)).toBe(0);
  });

  it('weighs only on its district, by default the first one', () => {
    expect(episodeLevel(episode, 'shangcheng', 'xihu', 100)).toEqual({ intensity: 1, pm25: 160 });
    expect(episodeLevel(episode, 'shangcheng', 'gongshu', 100)).toBeUndefined();
    expect(episodeLevel(episode, 'shangcheng', 'xihu', 10)).toBeUndefined();
    const anywhere = { ...episode, district: undefined };
    expect(episodeLevel(anywhere, 'shangcheng', 'shangcheng', 100)?.intensity).toBe(1);
    expect(episodeLevel(anywhere, 'shangcheng', 'xihu', 100)).toBeUndefined();
    expect(episodeLevel(undefined, 'shangcheng', 'shangcheng', 100)).toBeUndefined();
  });

  it('drives PM2.5 in its district well above the alert level for its whole plateau, and nowhere else', () => {
    const city = generateCity();
    const stations = planDevices({ city, devicesPerKind: 24, seed: 5 }).filter(
      (d) => d.entityType === 'AirQualityObserved',
    );
    expect(stations.filter((s) => s.district === 'xihu').length).toBeGreaterThanOrEqual(2);
    const start = Date.UTC(2026, 10, 23, 0); // 08:00 in Hangzhou: the morning rush
    const step = 5;
    for (const station of stations) {
      const series: { t: number; pm25: number }[] = [];
      for (let t = 0; t <= 1200; t += step) {
        const reading = station.model({
          now: new Date(start + t * 1000),
          dtSeconds: t === 0 ? 0 : step,
          episode: episodeLevel(episode, 'shangcheng', station.district, t),
        });
        series.push({ t, pm25: reading.pm25 as number });
      }
      const during = series.filter((p) => p.t >= 90 && p.t <= 930);
      const outside = series.filter((p) => p.t < 60 || p.t > 960);
      for (const p of outside) expect(p.pm25).toBeLessThan(75);
      if (station.district === 'xihu') {
        for (const p of during) expect(p.pm25).toBeGreaterThanOrEqual(160);
        for (const p of during) expect(p.pm25).toBeLessThanOrEqual(200);
        // Over the 30 s ramp PM2.5 climbs from its usual level towards the episode's.
        const ramp = series.filter((p) => p.t >= 60 && p.t <= 90).map((p) => p.pm25);
        expect(ramp.at(-1)!).toBeGreaterThan(ramp[0]! + 50);
      } else {
        for (const p of during) expect(p.pm25).toBeLessThan(75);
      }
    }
  });
});
