import { describe, expect, it } from 'vitest';
import { createRandom, deriveSeed, gaussian, happens, integer, meanReverting } from './random.js';

describe('seeded randomness', () => {
  it('repeats a sequence for a seed and covers [0, 1)', () => {
    const a = createRandom(99);
    const b = createRandom(99);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeCloseTo(0.5, 1);
    expect(createRandom(100)()).not.toBe(createRandom(99)());
  });

  it('derives distinct seeds per label', () => {
    expect(deriveSeed(1, 'aq-0001')).toBe(deriveSeed(1, 'aq-0001'));
    expect(deriveSeed(1, 'aq-0001')).not.toBe(deriveSeed(1, 'aq-0002'));
    expect(deriveSeed(1, 'aq-0001')).not.toBe(deriveSeed(2, 'aq-0001'));
  });

  it('draws integers within bounds and standard normal deviates', () => {
    const rng = createRandom(3);
    const ints = Array.from({ length: 1000 }, () => integer(rng, 2, 4));
    expect(new Set(ints)).toEqual(new Set([2, 3, 4]));
    const zs = Array.from({ length: 20_000 }, () => gaussian(rng));
    const mean = zs.reduce((s, z) => s + z, 0) / zs.length;
    const sd = Math.sqrt(zs.reduce((s, z) => s + (z - mean) ** 2, 0) / zs.length);
    expect(mean).toBeCloseTo(0, 1);
    expect(sd).toBeCloseTo(1, 1);
  });

  it('keeps a mean-reverting walk at its spread whatever the step', () => {
    const rng = createRandom(4);
    for (const dt of [1, 60, 3600]) {
      let x = 0;
      const xs: number[] = [];
      for (let i = 0; i < 20_000; i++) xs.push((x = meanReverting(rng, x, dt, 600, 5)));
      const sd = Math.sqrt(xs.reduce((s, v) => s + v * v, 0) / xs.length);
      expect(sd).toBeGreaterThan(4);
      expect(sd).toBeLessThan(6);
    }
  });

  it('makes events happen at their mean rate', () => {
    const rng = createRandom(5);
    const n = Array.from({ length: 10_000 }, () => happens(rng, 60, 600)).filter(Boolean).length;
    expect(n / 10_000).toBeCloseTo(1 - Math.exp(-0.1), 2);
  });
});
