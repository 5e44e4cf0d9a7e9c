import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entity } from './entity.js';
import { CityError } from './errors.js';
import { matchesQ, parseQ, qAttributes, renameQ, type QExpression } from './q.js';

/** Parses, or throws nothing but a CityError BadRequestData. */
const parseOrRefuse = (q: string): QExpression | undefined => {
  try {
    return parseQ(q);
  } catch (err) {
    if (!(err instanceof CityError) || err.code !== 'BadRequestData') throw err;
    return undefined;
  }
};

const quote = (s: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
const name = fc.constantFrom('a', 'b', 'temp', 'x_1', 'ex:speed', 'https://ex.org/ns#speed');
const sub = fc.constantFrom('acc', 'src', 'observedAt', 'unitCode', 'datasetId', 'createdAt');
const key = fc.stringMatching(/^[A-Za-z0-9_@:-]{1,6}$/);
const path = fc
  .record({
    attr: name,
    subs: fc.array(sub, { maxLength: 3 }),
    keys: fc.array(key, { maxLength: 3 }),
  })
  .map(({ attr, subs, keys }) => ({
    attr,
    text: `${[attr, ...subs].join('.')}${keys.length > 0 ? `[${keys.join('.')}]` : ''}`,
  }));
const isoDate = fc
  .date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
  .map((d) => d.toISOString());
const literal = fc.oneof(
  fc.integer().map(String),
  fc
    .double({ noNaN: true, noDefaultInfinity: true })
    .map((n) => String(n).replace('Infinity', '1')),
  fc.string({ maxLength: 12 }).map(quote),
  fc.constantFrom(
    'true',
    'false',
    'urn:ngsi-ld:X:1',
    'https://ex.org/a?b=c',
    '12:30:00Z',
    '2024-02-29',
  ),
  isoDate,
  isoDate.map((d) => d.slice(0, 10)),
);
const safePattern = fc
  .stringMatching(/^[A-Za-z0-9 .^$]{0,10}$/)
  .map((p) => `"${p}"`)
  .chain((p) => fc.constantFrom(p, `"(?i)${p.slice(1)}`));
const term = fc.oneof(
  path.map((p) => ({ text: p.text, attrs: [p.attr] })),
  fc
    .tuple(path, fc.constantFrom('==', '!=', '>', '>=', '<', '<='), literal)
    .map(([p, op, v]) => ({ text: `${p.text}${op}${v}`, attrs: [p.attr] })),
  fc
    .tuple(path, fc.constantFrom('==', '!='), fc.array(literal, { minLength: 2, maxLength: 4 }))
    .map(([p, op, vs]) => ({ text: `${p.text}${op}${vs.join(',')}`, attrs: [p.attr] })),
  fc
    .tuple(path, fc.constantFrom('==', '!='), literal, literal)
    .map(([p, op, lo, hi]) => ({ text: `${p.text}${op}${lo}..${hi}`, attrs: [p.attr] })),
  fc
    .tuple(path, fc.constantFrom('~=', '!~='), safePattern)
    .map(([p, op, re]) => ({ text: `${p.text}${op}${re}`, attrs: [p.attr] })),
);
type Generated = { text: string; attrs: string[] };
const { expr } = fc.letrec<{ expr: Generated }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    term,
    fc
      .tuple(tie('expr'), fc.constantFrom(';', '|'), tie('expr'), fc.boolean())
      .map(([l, op, r, paren]) => ({
        text: paren ? `(${l.text}${op}${r.text})` : `${l.text}${op}${r.text}`,
        attrs: [...l.attrs, ...r.attrs],
      })),
  ),
}));

const attributeLike = fc.oneof(
  fc.anything(),
  fc.record(
    {
      type: fc.constantFrom(
        'Property',
        'Relationship',
        'LanguageProperty',
        'VocabProperty',
        'JsonProperty',
        'ListProperty',
        'ListRelationship',
        'GeoProperty',
        'Other',
      ),
      value: fc.anything(),
      object: fc.anything(),
      objectList: fc.anything(),
      languageMap: fc.anything(),
      vocab: fc.anything(),
      json: fc.anything(),
      valueList: fc.anything(),
      observedAt: fc.oneof(isoDate, fc.anything()),
      acc: fc.anything(),
    },
    { requiredKeys: ['type'] },
  ),
);
const entity = fc
  .dictionary(
    fc.oneof(name, fc.constantFrom('__proto__', 'constructor', 'id', 'type', 'scope')),
    fc.oneof(attributeLike, fc.array(attributeLike, { maxLength: 3 })),
    { maxKeys: 5 },
  )
  .map((attrs): Entity => ({ ...attrs, id: 'urn:x:1', type: 'T' }));

describe('parseQ properties', () => {
  it('either parses or throws BadRequestData, for any unicode string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (q) => void parseOrRefuse(q)),
      { numRuns: 1500 },
    );
  });

  it('either parses or throws BadRequestData, for strings made of q tokens', () => {
    const unit = fc.constantFrom(
      'a',
      'b.c',
      '[k]',
      '[k.l]',
      '==',
      '!=',
      '~=',
      '!~=',
      '>',
      '<=',
      '..',
      ',',
      ';',
      '|',
      '(',
      ')',
      '"',
      '\\',
      '1',
      '-2.5e3',
      'true',
      '2024-05-01T12:00:00Z',
      '2024-05-01',
      '12:00',
      'urn:x:1',
      'https://ex.org/a.b',
      '(?i)',
      '*',
      '+',
      '{2,}',
      '?',
      '[a-z]',
      ' ',
      '.observedAt',
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (q) => void parseOrRefuse(q)),
      { numRuns: 5000 },
    );
  });

  it('parses every generated valid expression and finds its attributes', () => {
    fc.assert(
      fc.property(expr, (g) => {
        const parsed = parseQ(g.text);
        expect(qAttributes(parsed)).toEqual([...new Set(g.attrs)]);
        expect(renameQ(parsed, (n) => n)).toEqual(parsed);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back any quoted string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        expect(parseQ(`a==${quote(s)}`)).toMatchObject({
          operand: { kind: 'value', value: { type: 'string', value: s } },
        });
      }),
    );
  });

  it('accepts a pattern only if it runs quickly on adversarial text', () => {
    const { regex } = fc.letrec<{ regex: string }>((tie) => ({
      regex: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom('a', 'aa', '.', '[ab]', '\\w', 'b'),
        fc
          .tuple(tie('regex'), fc.constantFrom('', '*', '+', '?', '{2,}', '{1,3}'))
          .map(([r, q]) => `(${r})${q}`),
        fc.tuple(tie('regex'), fc.constantFrom('*', '+', '?', '')).map(([r, q]) => `${r}${q}`),
        fc.tuple(tie('regex'), tie('regex')).map(([l, r]) => `${l}${r}`),
        fc.tuple(tie('regex'), tie('regex')).map(([l, r]) => `${l}|${r}`),
      ),
    }));
    const text = { type: 'Property', value: `${'a'.repeat(26)}!` };
    let accepted = 0;
    fc.assert(
      fc.property(regex, fc.constantFrom('', '$', 'b'), (r, end) => {
        const q = parseOrRefuse(`a~=${quote(r + end)}`);
        if (q?.kind !== 'pattern') return;
        accepted++;
        const started = performance.now();
        matchesQ({ id: 'urn:x:1', type: 'T', a: text }, q);
        // Catastrophic backtracking takes seconds here; a safe pattern takes microseconds.
        expect(performance.now() - started).toBeLessThan(250);
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(300);
  });
});

describe('matchesQ properties', () => {
  it('never throws on arbitrary entities', () => {
    fc.assert(
      fc.property(expr, entity, (g, e) => {
        expect(typeof matchesQ(e, parseQ(g.text))).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('== and != disagree on a single scalar value; so do ~= and !~=', () => {
    const scalar = fc.oneof(
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom('x', 'y', 'xy'),
      fc.boolean(),
    );
    fc.assert(
      fc.property(scalar, literal, safePattern, (value, lit, re) => {
        const e: Entity = { id: 'urn:x:1', type: 'T', a: { type: 'Property', value } };
        const [eq, ne] = [parseOrRefuse(`a==${lit}`), parseOrRefuse(`a!=${lit}`)];
        if (eq && ne) expect(matchesQ(e, eq)).toBe(!matchesQ(e, ne));
        if (typeof value === 'string')
          expect(matchesQ(e, parseQ(`a~=${re}`))).toBe(!matchesQ(e, parseQ(`a!~=${re}`)));
      }),
    );
  });

  it('matches a multi-attribute when any instance would match alone', () => {
    const instance = fc.record({
      type: fc.constant('Property'),
      value: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('x', 'y')),
    });
    const q = fc
      .tuple(
        fc.constantFrom('==', '!=', '>', '>=', '<', '<=', '~=', '!~='),
        fc.constantFrom('-1', '0', '2', '"x"', '"^y"'),
      )
      .map(([op, v]) => parseOrRefuse(`a${op}${v}`));
    fc.assert(
      fc.property(fc.array(instance, { minLength: 1, maxLength: 4 }), q, (instances, expr) => {
        if (!expr) return;
        const one = (i: object): Entity => ({ id: 'urn:x:1', type: 'T', a: i });
        const all: Entity = { id: 'urn:x:1', type: 'T', a: instances };
        expect(matchesQ(all, expr)).toBe(instances.some((i) => matchesQ(one(i), expr)));
      }),
      { numRuns: 1000 },
    );
  });
});
