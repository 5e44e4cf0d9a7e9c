import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entity } from './entity.js';
import { CityError } from './errors.js';
import { matchesQ } from './q-match.js';
import { parseQ } from './q-parse.js';

describe('parseQ, property-based', () => {
  const refusesOnlyWithBadRequestData = (q: string) => {
    try {
      parseQ(q);
    } catch (err) {
      if (!(err instanceof CityError) || err.code !== 'BadRequestData') throw err;
    }
  };

  it('either parses or throws BadRequestData, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), refusesOnlyWithBadRequestData),
      {
        numRuns: 2000,
      },
    );
  });

  it('either parses or throws BadRequestData, for strings made of q syntax', () => {
    const unit = fc.constantFrom(
      ...[
        'a',
        'b',
        '1',
        '.',
        '..',
        ',',
        ';',
        '|',
        '(',
        ')',
        '[',
        ']',
        '"',
        '\\',
        '=',
        '!',
        '<',
        '>',
        ' ',
        '@',
        ':',
        '-',
        'e',
      ],
    );
    fc.assert(fc.property(fc.string({ unit, maxLength: 60 }), refusesOnlyWithBadRequestData), {
      numRuns: 5000,
    });
  });

  type Op = '==' | '!=' | '>' | '>=' | '<' | '<=';
  type Tree =
    | { kind: 'cmp'; attr: string; op: Op; value: number }
    | { kind: 'exists'; attr: string }
    | { kind: 'and' | 'or'; left: Tree; right: Tree };

  const attr = fc.constantFrom('a', 'b', 'c');
  const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({
        kind: fc.constant('cmp' as const),
        attr,
        op: fc.constantFrom<Op>('==', '!=', '>', '>=', '<', '<='),
        value: fc.integer({ min: -3, max: 3 }),
      }),
      fc.record({ kind: fc.constant('exists' as const), attr }),
      fc.record({
        kind: fc.constantFrom('and' as const, 'or' as const),
        left: tie('tree'),
        right: tie('tree'),
      }),
    ),
  }));
  const text = (t: Tree): string =>
    t.kind === 'cmp'
      ? `${t.attr}${t.op}${t.value}`
      : t.kind === 'exists'
        ? t.attr
        : `(${text(t.left)}${t.kind === 'and' ? ';' : '|'}${text(t.right)})`;
  const expected = (t: Tree, values: Record<string, number | undefined>): boolean => {
    switch (t.kind) {
      case 'and':
      case 'or': {
        const [l, r] = [expected(t.left, values), expected(t.right, values)];
        return t.kind === 'and' ? l && r : l || r;
      }
      case 'exists':
        return values[t.attr] !== undefined;
      case 'cmp': {
        const v = values[t.attr];
        if (v === undefined) return false;
        const ops: Record<Op, boolean> = {
          '==': v === t.value,
          '!=': v !== t.value,
          '>': v > t.value,
          '>=': v >= t.value,
          '<': v < t.value,
          '<=': v <= t.value,
        };
        return ops[t.op];
      }
    }
  };
  const values = fc.record(
    {
      a: fc.integer({ min: -3, max: 3 }),
      b: fc.integer({ min: -3, max: 3 }),
      c: fc.integer({ min: -3, max: 3 }),
    },
    { requiredKeys: [] },
  );

  it('parses generated expressions and evaluates them like a reference evaluator', () => {
    fc.assert(
      fc.property(tree, values, (t, vals) => {
        const entity: Entity = { id: 'urn:x:1', type: 'T' };
        for (const [name, value] of Object.entries(vals))
          entity[name] = { type: 'Property', value };
        expect(matchesQ(entity, parseQ(text(t)))).toBe(expected(t, vals));
      }),
      { numRuns: 1000 },
    );
  });
});
