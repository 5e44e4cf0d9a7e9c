import { describe, expect, it } from 'vitest';
import { CityError } from './errors.js';
import {
  formatTypeExpression,
  matchesTypes,
  parseTypeExpression,
  renameTypes,
  typeNames,
} from './type-expression.js';

const matches = (expr: string, ...types: string[]) =>
  matchesTypes(types, parseTypeExpression(expr));

describe('type expressions (clause 4.17)', () => {
  it.each([
    ['Building', ['Building'], true],
    ['Building', ['Room'], false],
    ['Building,Room', ['Room'], true],
    ['Building|Room', ['Room'], true],
    ['Building;Room', ['Room'], false],
    ['Building;Room', ['Room', 'Building'], true],
    ['(Building;Room)|Vehicle', ['Vehicle'], true],
    ['(Building;Room)|Vehicle', ['Building'], false],
    ['Building;(Room|Vehicle)', ['Building', 'Vehicle'], true],
    // ';' binds tighter than ',' and '|'
    ['A;B,C', ['C'], true],
    ['A;(B,C)', ['C'], false],
    ['https://example.org/ns#Building', ['https://example.org/ns#Building'], true],
    ['ex:Building|ex:Room', ['ex:Room'], true],
  ])('%s against %j → %s', (expr, types, expected) =>
    expect(matches(expr, ...types)).toBe(expected),
  );

  it('parses to the TypeExpression AST', () => {
    expect(parseTypeExpression('(A;B)|C,D')).toEqual({
      kind: 'or',
      terms: [
        {
          kind: 'and',
          terms: [
            { kind: 'type', name: 'A' },
            { kind: 'type', name: 'B' },
          ],
        },
        { kind: 'type', name: 'C' },
        { kind: 'type', name: 'D' },
      ],
    });
  });

  it('renames, lists and formats type names', () => {
    const expr = renameTypes(parseTypeExpression('(A;B)|A'), (n) => `https://ex.org/${n}`);
    expect(typeNames(expr)).toEqual(['https://ex.org/A', 'https://ex.org/B']);
    expect(formatTypeExpression(expr)).toBe('(https://ex.org/A;https://ex.org/B)|https://ex.org/A');
    expect(matchesTypes(['https://ex.org/A'], expr)).toBe(true);
  });

  it.each([
    '',
    ',',
    'A,',
    'A;;B',
    '(A',
    'A)',
    '()',
    'A B',
    'A(B)',
    `${'('.repeat(40)}A${')'.repeat(40)}`,
    'A'.repeat(5000),
  ])('refuses %j with BadRequestData naming the position', (expr) => {
    let error: unknown;
    try {
      parseTypeExpression(expr);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CityError);
    expect((error as CityError).code).toBe('BadRequestData');
    expect((error as CityError).message).toMatch(/position|empty|longer/);
  });
});
