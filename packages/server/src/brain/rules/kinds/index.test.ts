import { describe, expect, it } from 'vitest';
import type { Fact } from '../engine/evaluator.js';
import { evaluateBatch } from '../engine/evaluate-batch.js';
import type { Rule } from '../rule-schema.js';
import { evaluatorFor } from './index.js';

const common = {
  id: 'r',
  name: 'r',
  status: 'active',
  severity: 'high',
  category: 'environment',
  select: { entityType: 'Thing' },
} as const;
const window = { type: 'tumbling', sizeSeconds: 10 } as const;
const area: { type: 'Polygon'; coordinates: number[][][] } = {
  type: 'Polygon',
  coordinates: [
    [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 0],
    ],
  ],
};

const facts: Fact[] = [0, 5, 10].map((s, seq) => ({
  entityId: 'a',
  entityType: 'Thing',
  t: s * 1000,
  seq,
  attrs: { v: s, location: { type: 'Point', coordinates: [0.6, 0.2] } },
  context: { areaServed: 'north' },
}));

const KINDS: [Rule, string[]][] = [
  [
    { ...common, kind: 'threshold', attribute: 'v', operator: '>', value: 4, forSeconds: 0 },
    ['a:raise:5'],
  ],
  [
    {
      ...common,
      kind: 'aggregate',
      function: 'count',
      window,
      groupBy: 'all',
      operator: '>',
      value: 1,
    },
    ['all:raise:10', 'all:clear:20'],
  ],
  [
    {
      ...common,
      kind: 'rate',
      attribute: 'v',
      overSeconds: 5,
      perSeconds: 1,
      operator: '>',
      value: 0.5,
    },
    ['a:raise:5'],
  ],
  [{ ...common, kind: 'absence', silentForSeconds: 30 }, ['a:raise:40']],
  [{ ...common, kind: 'geofence', attribute: 'location', area, on: 'leave' }, []],
  [{ ...common, kind: 'geofence', attribute: 'location', area, on: 'enter' }, ['a:raise:0']],
  [
    { ...common, kind: 'countInArea', attribute: 'location', area, operator: '>=', value: 1 },
    ['all:raise:0'],
  ],
  [
    {
      ...common,
      kind: 'correlation',
      withinSeconds: 5,
      conditions: [0, 1].map(() => ({
        select: { entityType: 'Thing' },
        function: 'count' as const,
        window,
        groupBy: 'area' as const,
        operator: '>' as const,
        value: 1,
      })),
    },
    ['north:raise:10', 'north:clear:15.001'],
  ],
];

describe('evaluatorFor', () => {
  const cases = KINDS.map(([rule, expected]) => ({ kind: rule.kind, rule, expected }));
  it.each(cases)('evaluates a $kind rule by its kind', ({ rule, expected }) => {
    const signals = evaluateBatch(evaluatorFor(rule), facts, 60_000);
    expect(signals.map((s) => `${s.key}:${s.kind}:${s.at / 1000}`)).toEqual(expected);
  });
});
