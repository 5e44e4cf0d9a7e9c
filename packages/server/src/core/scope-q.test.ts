import { describe, expect, it } from 'vitest';
import { CityError } from './errors.js';
import {
  matchesScope,
  parseScopePath,
  parseScopeQuery,
  parseScopes,
  scopeMatches,
} from './scope-q.js';

const scoped = (...scope: string[]) => ({ scope: scope.length === 1 ? scope[0] : scope });
const matches = (q: string, ...scope: string[]) =>
  matchesScope(scoped(...scope), parseScopeQuery(q));

const badRequest = (f: () => unknown) => {
  let error: unknown;
  try {
    f();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(CityError);
  expect((error as CityError).code).toBe('BadRequestData');
  return (error as CityError).message;
};

describe('matchesScope (clause 4.19)', () => {
  it.each([
    ['/Madrid/Gardens/ParqueNorte', '/Madrid/Gardens/ParqueNorte', true],
    ['/Madrid/Gardens/ParqueNorte', '/Madrid/Gardens', false],
    ['/Madrid/Gardens', '/Madrid/Gardens/ParqueNorte', false],
    ['/Madrid/#', '/Madrid', true],
    ['/Madrid/#', '/Madrid/Gardens/ParqueNorte', true],
    ['/Madrid/#', '/MadridSur', false],
    ['/Madrid/#', '/Barcelona/Madrid', false],
    ['/#', '/Anything/At/All', true],
    ['/Madrid/+/ParqueNorte', '/Madrid/Gardens/ParqueNorte', true],
    ['/Madrid/+/ParqueNorte', '/Madrid/ParqueNorte', false],
    ['/Madrid/+/ParqueNorte', '/Madrid/a/b/ParqueNorte', false],
    ['/Madrid/+', '/Madrid/Gardens', true],
    ['/Madrid/+', '/Madrid', false],
    ['/+/#', '/Madrid', true],
  ])('%s against %s → %s', (q, scope, expected) => expect(matches(q, scope)).toBe(expected));

  it('matches when any of several scopes matches, and each AND term may use another scope', () => {
    expect(matches('/Madrid/Gardens', '/Spain', '/Madrid/Gardens')).toBe(true);
    expect(matches('/Madrid/#;/CompanyA', '/Madrid/Gardens', '/CompanyA')).toBe(true);
    expect(matches('/Madrid/#;/CompanyA', '/Madrid/Gardens', '/CompanyB')).toBe(false);
    expect(matches('/Madrid/#,/CompanyA', '/CompanyA')).toBe(true);
    expect(matches('/Madrid/#|/CompanyA', '/Nowhere')).toBe(false);
  });

  it('gives ; precedence over , and honours parentheses', () => {
    expect(matches('/A;/B,/C', '/C')).toBe(true);
    expect(matches('/A;(/B,/C)', '/C')).toBe(false);
    expect(matches('/A;(/B,/C)', '/A', '/C')).toBe(true);
  });

  it('never matches an entity without scope, not even /#', () => {
    expect(matchesScope({}, parseScopeQuery('/#'))).toBe(false);
  });

  it('parses to the ScopeQuery AST', () => {
    expect(parseScopeQuery('/Madrid/+/P;(/#,/X)')).toEqual({
      kind: 'and',
      terms: [
        { kind: 'scope', segments: ['Madrid', '+', 'P'] },
        {
          kind: 'or',
          terms: [
            { kind: 'scope', segments: ['#'] },
            { kind: 'scope', segments: ['X'] },
          ],
        },
      ],
    });
    expect(scopeMatches('/a/b', ['a', '#'])).toBe(true);
  });
});

describe('parseScopeQuery errors', () => {
  it.each([
    '',
    'Madrid',
    '/',
    '/Madrid/',
    '/Madrid//Gardens',
    '/Madrid/#/Gardens',
    '/Mad rid',
    '/A;',
    '(/A',
    '/A)',
    '/A#',
    '/A/++',
    `${'('.repeat(40)}/A${')'.repeat(40)}`,
    `/${'a'.repeat(5000)}`,
  ])('refuses %j with BadRequestData', (q) => {
    badRequest(() => parseScopeQuery(q));
  });

  it('names the position', () => {
    expect(badRequest(() => parseScopeQuery('/A;B'))).toMatch(/position 3/);
  });
});

describe('parseScopePath and parseScopes', () => {
  it('accepts scope paths and lists of them', () => {
    expect(parseScopePath('/Madrid/Gardens')).toBe('/Madrid/Gardens');
    expect(parseScopes(['/A', '/B/C'])).toEqual(['/A', '/B/C']);
  });

  it.each([['Madrid'], ['/'], ['/A/'], ['/A/#'], ['/A/+'], ['/A B'], ['/A,B'], [3], [null]])(
    'refuses %j',
    (value) => {
      badRequest(() => parseScopePath(value));
    },
  );

  it('refuses an empty list and names the bad element', () => {
    badRequest(() => parseScopes([]));
    expect(badRequest(() => parseScopes(['/A', 'B']))).toMatch(/scope\[1\]/);
  });
});
