import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceAvailable, SERVICES } from '../../../tests/helpers/services.js';
import { CityError } from '../../core/index.js';
import { toPgRegex } from './pg-regex.js';
import { scratchClient } from './test-schema.js';

const pgUp = await serviceAvailable('postgres');

const CHARS = [
  'a',
  'b',
  'A',
  'B',
  'é',
  'É',
  'k',
  'K',
  '\u212a',
  'ß',
  '😀',
  '\ue000',
  '\n',
  ' ',
  '1',
  '_',
  '-',
  ']',
  '{',
  '.',
  '\t',
  'ſ',
  's',
];
const subject = fc.array(fc.constantFrom(...CHARS), { maxLength: 5 }).map((cs) => cs.join(''));

const atom = fc.constantFrom(
  'a',
  'b',
  'A',
  'é',
  'É',
  'k',
  'ß',
  's',
  '😀',
  '\ue000',
  ' ',
  '-',
  ']',
  '}',
  '.',
  '\\.',
  '\\d',
  '\\D',
  '\\w',
  '\\W',
  '\\s',
  '\\S',
  '\\b',
  '\\B',
  '\\x41',
  '\\u00e9',
  '\\t',
  '\\n',
  '\\cJ',
  '\\-',
  '\\/',
  '\\q',
  '\\uD83D',
  '[a-c]',
  '[^a]',
  '[]',
  '[^]',
  '[\\d-z]',
  '[\\b]',
  '[a\\]]',
  '[é-ê]',
  '[\\uD800-\\uDBFF]',
  '[^\\W]',
  '[\\s\\d]',
  '[K]',
  '^',
  '$',
  '{',
  'a{2',
  '(?=a)',
  '(?!b)',
  '(?<=a)',
  '(?<!a)',
);
const quantifier = fc.constantFrom('', '', '', '*', '+', '?', '{2}', '{1,}', '{0,2}', '*?', '+?');
const pattern = fc.letrec<{ seq: string; item: string }>((tie) => ({
  item: fc.oneof(
    { weight: 6, arbitrary: fc.tuple(atom, quantifier).map(([a, q]) => a + q) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('(', '(?:', '(?='),
          tie('seq'),
          fc.option(tie('seq'), { nil: undefined }),
          quantifier,
        )
        .map(
          ([open, a, b, q]) =>
            `${open}${a}${b === undefined ? '' : `|${b}`})${open === '(?=' ? '' : q}`,
        ),
    },
  ),
  seq: fc.array(tie('item'), { minLength: 1, maxLength: 3 }).map((items) => items.join('')),
})).seq;

describe('toPgRegex', () => {
  it('refuses what PostgreSQL cannot run, and invalid patterns, with BadRequestData', () => {
    for (const p of ['(a)\\1', 'a{300}', '(?<n>a)\\k<n>', '('])
      expect(() => toPgRegex(p, '')).toThrow(CityError);
    expect(() => toPgRegex('a', 'g')).toThrow(/flags/);
  });
});

describe.skipIf(!pgUp)('toPgRegex on PostgreSQL', () => {
  let client: pg.Client;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ client, close } = await scratchClient(SERVICES.postgres));
  });
  afterAll(async () => close?.());

  const check = async (source: string, flags: string, subjects: string[]): Promise<void> => {
    const re = new RegExp(source, flags);
    const { rows } = await client.query<{ s: string; m: boolean }>(
      'SELECT s, cb_units(s) ~ $1 AS m FROM unnest($2::text[]) s',
      [toPgRegex(source, flags), subjects],
    );
    expect({ source, flags, matches: rows.map((r) => [r.s, r.m]) }).toEqual({
      source,
      flags,
      matches: subjects.map((s) => [s, re.test(s)]),
    });
  };

  it('matches what ECMAScript matches on generated patterns and strings', async () => {
    await fc.assert(
      fc.asyncProperty(
        pattern,
        fc.constantFrom('', 'i'),
        fc.array(subject, { minLength: 1, maxLength: 8 }),
        async (source, flags, subjects) => {
          try {
            new RegExp(source, flags);
            toPgRegex(source, flags);
          } catch {
            fc.pre(false);
          }
          await check(source, flags, subjects);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads characters above U+FFFF as two code units, and folds case as ECMAScript', async () => {
    await check('^.{2}$', '', ['😀', 'a😀', 'ab']);
    await check('^[^a]$', '', ['😀', 'b']);
    await check('\\uD83D\\uDE00', '', ['😀', 'x😀']);
    await check('é', 'i', ['É', 'e']);
    await check('k', 'i', ['K', '\u212a']);
    await check('\\bé', '', ['é', 'aé', ' é']);
  });
});
