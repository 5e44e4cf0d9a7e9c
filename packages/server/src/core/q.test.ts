import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entity } from './entity.js';
import { CityError } from './errors.js';
import { matchesQ, parseQ } from './q.js';

const station: Entity = {
  id: 'urn:ngsi-ld:AirQualityObserved:aq-1',
  type: 'AirQualityObserved',
  no2: { type: 'Property', value: 41, unitCode: 'GQ', observedAt: '2024-05-01T12:00:00Z' },
  level: { type: 'Property', value: 'moderate' },
  dateObserved: { type: 'Property', value: '2024-05-01T12:00:00Z' },
  indoor: { type: 'Property', value: false },
  tags: { type: 'Property', value: ['traffic', 'school'] },
  address: { type: 'Property', value: { addressLocality: 'Madrid', postal: { code: '28013' } } },
  refStation: { type: 'Relationship', object: 'urn:ngsi-ld:Station:s1' },
};
const matches = (q: string, entity: Entity = station) => matchesQ(entity, parseQ(q));

describe('matchesQ', () => {
  it.each([
    ['no2==41', true],
    ['no2==40', false],
    ['no2!=40', true],
    ['no2>40', true],
    ['no2>41', false],
    ['no2>=41', true],
    ['no2<41.5', true],
    ['no2<=40', false],
    ['no2==1e3', false],
  ])('compares numbers: %s → %s', (q, expected) => expect(matches(q)).toBe(expected));

  it.each([
    ['level=="moderate"', true],
    ['level=="poor"', false],
    ['level!="poor"', true],
    ['level>"a"', true],
    ['level=="mod\\"erate"', false],
    ['dateObserved>2024-01-01T00:00:00Z', true],
    ['dateObserved<2024-05-01T12:00:00Z', false],
  ])('compares strings and date-times: %s → %s', (q, expected) =>
    expect(matches(q)).toBe(expected),
  );

  it.each([
    ['no2==40..42', true],
    ['no2==41..41', true],
    ['no2==42..50', false],
    ['no2!=42..50', true],
    ['level=="a".."n"', true],
    ['dateObserved==2024-05-01T00:00:00Z..2024-05-02T00:00:00Z', true],
  ])('matches ranges: %s → %s', (q, expected) => expect(matches(q)).toBe(expected));

  it.each([
    ['no2==1,41,99', true],
    ['no2==1,2', false],
    ['no2!=1,2', true],
    ['level=="good","moderate"', true],
    ['tags=="school"', true],
    ['tags=="park","traffic"', true],
    ['tags=="park"', false],
  ])('matches lists (and list-valued attributes): %s → %s', (q, expected) =>
    expect(matches(q)).toBe(expected),
  );

  it.each([
    ['no2>40;level=="moderate"', true],
    ['no2>40;level=="poor"', false],
    ['no2>50|level=="moderate"', true],
    ['no2>50|level=="poor"', false],
    // ';' binds tighter than '|'
    ['no2>50;level=="poor"|indoor==false', true],
    ['no2>50;(level=="poor"|indoor==false)', false],
    ['(no2>50|no2<42);(level=="poor"|level=="moderate")', true],
  ])('combines with AND (;) and OR (|): %s → %s', (q, expected) =>
    expect(matches(q)).toBe(expected),
  );

  it.each([
    ['no2', true],
    ['pm10', false],
    ['pm10!=3', false],
    ['pm10<3', false],
    ['indoor==false', true],
    ['indoor==true', false],
    ['no2=="41"', false],
    ['refStation=="urn:ngsi-ld:Station:s1"', true],
    ['no2.unitCode=="GQ"', true],
    ['no2.observedAt>2024-04-30T00:00:00Z', true],
    ['address[addressLocality]=="Madrid"', true],
    ['address[postal.code]=="28013"', true],
    ['address[nothing]', false],
  ])('resolves paths, existence and type mismatches: %s → %s', (q, expected) =>
    expect(matches(q)).toBe(expected),
  );
});

describe('parseQ', () => {
  it.each(['', 'no2==', '(no2>1', 'no2>1)', 'no2>1..2', 'no2<1,2', 'a=="x', '==1', 'a[b', 'a.'])(
    'refuses %j with BadRequestData',
    (q) => {
      expect(() => parseQ(q)).toThrowError(CityError);
      try {
        parseQ(q);
      } catch (err) {
        expect((err as CityError).code).toBe('BadRequestData');
      }
    },
  );

  it('refuses overlong and too deeply nested expressions', () => {
    expect(() => parseQ(`a==${'1'.repeat(5000)}`)).toThrowError(/longer than/);
    expect(() => parseQ(`${'('.repeat(40)}a${')'.repeat(40)}`)).toThrowError(/deeply nested/);
  });

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
