import { describe, expect, it } from 'vitest';
import type { Entity } from './entity.js';
import { CityError } from './errors.js';
import { matchesQ } from './q-match.js';
import { parseQ, qAttributes, qLiteral, renameQ } from './q-parse.js';

describe('renameQ and qAttributes', () => {
  it('renames attribute and sub-attribute names, not compound keys or meta members', () => {
    const renamed = renameQ(
      parseQ('speed.accuracy.observedAt>1;(addr[street.no]==1|speed)'),
      (n) => (n === 'speed' ? 'https://ex.org/speed' : `x:${n}`),
    );
    expect(renamed).toEqual({
      kind: 'and',
      terms: [
        {
          kind: 'compare',
          op: '>',
          path: {
            attr: 'https://ex.org/speed',
            subAttrs: ['x:accuracy', 'observedAt'],
            compound: [],
          },
          operand: { kind: 'value', value: { type: 'number', value: 1 } },
        },
        {
          kind: 'or',
          terms: [
            {
              kind: 'compare',
              op: '==',
              path: { attr: 'x:addr', compound: ['street', 'no'] },
              operand: { kind: 'value', value: { type: 'number', value: 1 } },
            },
            { kind: 'exists', path: { attr: 'https://ex.org/speed', compound: [] } },
          ],
        },
      ],
    });
    expect(qAttributes(renamed)).toEqual(['https://ex.org/speed', 'x:addr']);
  });

  it('keeps a renamed expression evaluating on canonical entities', () => {
    const entity: Entity = {
      id: 'urn:x:1',
      type: 'T',
      'https://ex.org/speed': { type: 'Property', value: 9 },
    };
    const q = renameQ(parseQ('speed>5'), (n) => `https://ex.org/${n}`);
    expect(matchesQ(entity, q)).toBe(true);
    expect(matchesQ(entity, parseQ('speed>5'))).toBe(false);
  });

  it('lets code build comparisons from plain values with qLiteral', () => {
    const q = (value: string | number) => ({
      kind: 'compare' as const,
      path: { attr: 'level', compound: [] },
      op: '==' as const,
      operand: { kind: 'value' as const, value: qLiteral(value) },
    });
    const station: Entity = {
      id: 'urn:x:1',
      type: 'T',
      level: { type: 'Property', value: 'moderate' },
    };
    expect(matchesQ(station, q('moderate'))).toBe(true);
    expect(matchesQ(station, q(41))).toBe(false);
    expect(qLiteral(true)).toEqual({ type: 'boolean', value: true });
  });

  it('lists each attribute once, patterns included', () => {
    expect(qAttributes(parseQ('a>1;b~="x"|(a.c==2;d[e])'))).toEqual(['a', 'b', 'd']);
  });
});

describe('parseQ', () => {
  it.each([
    '',
    'no2==',
    '(no2>1',
    'no2>1)',
    'no2>1..2',
    'no2<1,2',
    'a=="x',
    '==1',
    'a[b',
    'a.',
    'a[]',
    'a[b..c]',
    'a;;b',
    'a|',
    'a==1 2',
    'a==2024-13-01',
    'a==2024-02-01T25:00:00Z',
    'a>25:61',
    'a~=',
    'a~="("',
    'a~="(a+)+$"',
    'a~="(?:x*y)*"',
    'a~="(a)\\1"',
    `a~="${'x'.repeat(300)}"`,
    'https://ex.org/..==1',
    // a value may not start with an operator character unless quoted: mistyped operators
    'temperature>>3',
    'temperature<>5',
    'a===1',
    'a!==1',
    'a>==1',
    'a<=>1',
    'a==~1',
    'a==!1',
    'a==1,>2',
    'a==1..>2',
    'a== >2',
    'a==..3',
    'a==1...3',
    // '=' alone, '!' alone and '~' alone are no operators
    'a=b',
    'a!b',
    'a~b',
    'a=>1',
    'a==',
    'a!=',
    // operator characters inside an unquoted non-URI value, '<' and '>' even in a URI
    'a==b=c',
    'a==3>2',
    'a==x!y',
    'a==urn:x:<1>',
  ])('refuses %j with BadRequestData', (q) => {
    expect(() => parseQ(q)).toThrowError(CityError);
    try {
      parseQ(q);
    } catch (err) {
      expect((err as CityError).code).toBe('BadRequestData');
    }
  });

  it('says where the syntax error is', () => {
    expect(() => parseQ('a==1;;b')).toThrowError(/position 5: expected an attribute name/);
    expect(() => parseQ('a=="x')).toThrowError(/position 3: unterminated string/);
    expect(() => parseQ('a~="(a+)+"')).toThrowError(/position 3: nested quantifiers/);
    expect(() => parseQ('(a==1')).toThrowError(/position 5: expected "\)"/);
  });

  it('parses typed literals and patterns', () => {
    const operand = (q: string) => {
      const e = parseQ(q);
      return e.kind === 'compare' ? e.operand : e;
    };
    expect(operand('a==2024-05-01T12:00:00Z')).toEqual({
      kind: 'value',
      value: { type: 'dateTime', value: '2024-05-01T12:00:00Z' },
    });
    expect(operand('a==2024-05-01..2024-06-01')).toEqual({
      kind: 'range',
      min: { type: 'date', value: '2024-05-01' },
      max: { type: 'date', value: '2024-06-01' },
    });
    expect(operand('a==urn:x:1,"b\\\\c",-1.5e2,true')).toEqual({
      kind: 'list',
      values: [
        { type: 'uri', value: 'urn:x:1' },
        { type: 'string', value: 'b\\c' },
        { type: 'number', value: -150 },
        { type: 'boolean', value: true },
      ],
    });
    expect(parseQ('a!~="(?i)x\\d"')).toEqual({
      kind: 'pattern',
      path: { attr: 'a', compound: [] },
      negated: true,
      pattern: 'x\\d',
      flags: 'i',
    });
  });

  it('names the mistyped operator', () => {
    expect(() => parseQ('temperature>>3')).toThrowError(
      /position 12: a value may not start with ">" unless quoted/,
    );
    expect(() => parseQ('a==b=c')).toThrowError(/position 3: operator character/);
  });

  it('accepts operator characters in quoted strings and "=", "!", "~" in URIs', () => {
    const operand = (q: string) => {
      const e = parseQ(q);
      return e.kind === 'compare' ? e.operand : e;
    };
    expect(operand('a==">3"')).toEqual({ kind: 'value', value: { type: 'string', value: '>3' } });
    expect(operand('a!="<>=!~"')).toEqual({
      kind: 'value',
      value: { type: 'string', value: '<>=!~' },
    });
    expect(operand('a==https://ex.org/p?x=1&y=!~')).toEqual({
      kind: 'value',
      value: { type: 'uri', value: 'https://ex.org/p?x=1&y=!~' },
    });
    expect(operand('a>=-3')).toEqual({ kind: 'value', value: { type: 'number', value: -3 } });
  });

  it('refuses overlong and too deeply nested expressions', () => {
    expect(() => parseQ(`a==${'1'.repeat(5000)}`)).toThrowError(/longer than/);
    expect(() => parseQ(`${'('.repeat(40)}a${')'.repeat(40)}`)).toThrowError(/deeply nested/);
  });
});
