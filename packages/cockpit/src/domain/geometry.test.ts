import { describe, expect, it } from 'vitest';
import { anchorOf, bboxOf, polygonCentroid } from './geometry.js';

describe('geometry', () => {
  it('puts a polygon label at its area centroid, not its vertex mean', () => {
    // An L-shape: the vertex mean and the area centroid differ.
    const l = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [4, 0],
          [4, 1],
          [1, 1],
          [1, 4],
          [0, 4],
          [0, 0],
        ],
      ],
    };
    const [x, y] = polygonCentroid(l)!;
    expect(x).toBeCloseTo(1.357, 3);
    expect(y).toBeCloseTo(1.357, 3);
  });

  it('anchors a line at its middle vertex and a point at itself', () => {
    const line = {
      type: 'LineString',
      coordinates: [
        [0, 0],
        [1, 1],
        [2, 2],
      ],
    };
    expect(anchorOf(line)).toEqual([1, 1]);
    expect(anchorOf({ type: 'Point', coordinates: [3, 4] })).toEqual([3, 4]);
    expect(anchorOf(undefined)).toBeUndefined();
  });

  it('bounds several geometries together', () => {
    expect(
      bboxOf([
        { type: 'Point', coordinates: [1, 5] },
        {
          type: 'LineString',
          coordinates: [
            [-2, 3],
            [4, 7],
          ],
        },
      ]),
    ).toEqual([-2, 3, 4, 7]);
    expect(bboxOf([])).toBeUndefined();
  });
});
