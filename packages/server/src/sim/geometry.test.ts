import { describe, expect, it } from 'vitest';
import { offsetMetres, pointAlong, pointInRing, randomPointInRing } from './geometry.js';
import { createRandom } from './random.js';

const square = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
  [0, 0],
];

describe('geometry', () => {
  it('tells points inside a ring from points outside', () => {
    expect(pointInRing([0.5, 0.5], square)).toBe(true);
    expect(pointInRing([1.5, 0.5], square)).toBe(false);
    expect(pointInRing([0.5, -0.01], square)).toBe(false);
  });

  it('draws random points inside a ring', () => {
    const rng = createRandom(1);
    for (let i = 0; i < 200; i++)
      expect(pointInRing(randomPointInRing(rng, square), square)).toBe(true);
  });

  it('walks along a line by length', () => {
    const line = [
      [0, 0],
      [1, 0],
      [1, 3],
    ];
    expect(pointAlong(line, 0)).toEqual([0, 0]);
    expect(pointAlong(line, 0.5)).toEqual([1, 1]);
    expect(pointAlong(line, 1)).toEqual([1, 3]);
  });

  it('converts metres to degrees at Hangzhou', () => {
    const [lon, lat] = offsetMetres([120.16, 30.27], 1000, 1000);
    expect((lat - 30.27) * 110_940).toBeCloseTo(1000, 3);
    expect((lon - 120.16) * 110_940 * Math.cos((30.27 * Math.PI) / 180)).toBeCloseTo(1000, 3);
  });
});
