import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CityError } from './errors.js';
import { parseGeometry, type Geometry } from './geo.js';
import { geoQueryBounds, matchesGeoQuery, parseGeoQuery } from './geo-query.js';
import { matchesScope, parseScopeQuery } from './scope-q.js';
import {
  formatTypeExpression,
  matchesTypes,
  parseTypeExpression,
  type TypeExpression,
} from './type-expression.js';

/** Runs a parser: its answer, or undefined when it refused with BadRequestData (anything else fails). */
const attempt = <T>(parse: () => T): T | undefined => {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof CityError) || err.code !== 'BadRequestData') throw err;
    return undefined;
  }
};

/** An expression tree over names, rendered with `;` for and and `or` as given. */
type Tree = { name: string } | { kind: 'and' | 'or'; terms: Tree[] };
const tree = (leaf: fc.Arbitrary<string>) =>
  fc.letrec<{ t: Tree }>((tie) => ({
    t: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf.map((name) => ({ name })),
      fc.record({
        kind: fc.constantFrom('and' as const, 'or' as const),
        terms: fc.array(tie('t'), { minLength: 2, maxLength: 3 }),
      }),
    ),
  })).t;
const render = (t: Tree, or: string): string =>
  'name' in t ? t.name : t.terms.map((x) => `(${render(x, or)})`).join(t.kind === 'and' ? ';' : or);
const evaluate = (t: Tree, leaf: (name: string) => boolean): boolean =>
  'name' in t
    ? leaf(t.name)
    : t.kind === 'and'
      ? t.terms.every((x) => evaluate(x, leaf))
      : t.terms.some((x) => evaluate(x, leaf));

describe('scopeQ parser and matcher', () => {
  const scopeUnit = fc.constantFrom('/', 'A', 'b', '#', '+', ';', ',', '|', '(', ')', ' ', '//');
  const level = fc.constantFrom('Madrid', 'Gardens', 'P1', 'x');
  const scopePath = fc.array(level, { minLength: 1, maxLength: 4 }).map((l) => `/${l.join('/')}`);
  const pattern = fc
    .tuple(fc.array(fc.oneof(level, fc.constant('+')), { maxLength: 3 }), fc.boolean())
    .filter(([segs, hash]) => segs.length > 0 || hash)
    .map(([segs, hash]) => `/${[...segs, ...(hash ? ['#'] : [])].join('/')}`);

  it('either parses or throws BadRequestData, for any string and for token soup', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => void attempt(() => parseScopeQuery(s))),
      {
        numRuns: 1000,
      },
    );
    fc.assert(
      fc.property(
        fc.string({ unit: scopeUnit, maxLength: 40 }),
        (s) => void attempt(() => parseScopeQuery(s)),
      ),
      { numRuns: 3000 },
    );
  });

  it('parses generated expressions and evaluates them like a reference, for any scopes', () => {
    fc.assert(
      fc.property(
        tree(pattern),
        fc.constantFrom(',', '|'),
        fc.array(scopePath, { maxLength: 3 }),
        (t, or, scopes) => {
          const q = parseScopeQuery(render(t, or));
          const entity = { scope: scopes };
          const leaf = (p: string) =>
            scopes.some((s) => matchesScope({ scope: s }, parseScopeQuery(p)));
          expect(matchesScope(entity, q)).toBe(evaluate(t, leaf));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('a scope matches itself, /#, and every ancestor/#', () => {
    fc.assert(
      fc.property(scopePath, (s) => {
        const levels = s.split('/');
        expect(matchesScope({ scope: s }, parseScopeQuery(s))).toBe(true);
        expect(matchesScope({ scope: s }, parseScopeQuery('/#'))).toBe(true);
        for (let i = 2; i <= levels.length; i++)
          expect(
            matchesScope({ scope: s }, parseScopeQuery(`${levels.slice(0, i).join('/')}/#`)),
          ).toBe(true);
      }),
    );
  });

  it('never throws on an entity whose scope is anything', () => {
    fc.assert(
      fc.property(tree(pattern), fc.anything(), (t, scope) => {
        expect(
          typeof matchesScope({ scope } as { scope: string }, parseScopeQuery(render(t, ','))),
        ).toBe('boolean');
      }),
    );
  });
});

describe('type expression parser', () => {
  const typeUnit = fc.constantFrom(
    'A',
    'ex:B',
    'https://ex.org/C',
    ',',
    ';',
    '|',
    '(',
    ')',
    ' ',
    '#',
  );
  const typeName = fc.constantFrom('A', 'B', 'ex:C', 'https://ex.org/ns#D', 'urn:x:E');

  it('either parses or throws BadRequestData, for any string and for token soup', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => void attempt(() => parseTypeExpression(s))),
      {
        numRuns: 1000,
      },
    );
    fc.assert(
      fc.property(
        fc.string({ unit: typeUnit, maxLength: 40 }),
        (s) => void attempt(() => parseTypeExpression(s)),
      ),
      { numRuns: 3000 },
    );
  });

  it('parses generated expressions, evaluates them like a reference and formats them back', () => {
    fc.assert(
      fc.property(
        tree(typeName),
        fc.constantFrom(',', '|'),
        fc.subarray(['A', 'B', 'ex:C', 'https://ex.org/ns#D']),
        (t, or, types) => {
          const expr: TypeExpression = parseTypeExpression(render(t, or));
          expect(matchesTypes(types, expr)).toBe(evaluate(t, (n) => types.includes(n)));
          expect(parseTypeExpression(formatTypeExpression(expr))).toEqual(expr);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('geo-query parser and matcher', () => {
  const lon = fc.integer({ min: -1800, max: 1800 }).map((n) => n / 10);
  const lat = fc.integer({ min: -900, max: 900 }).map((n) => n / 10);
  const position = fc.tuple(lon, lat);
  const ring = fc.array(position, { minLength: 3, maxLength: 6 }).map((ps) => [...ps, ps[0]!]);
  const geometry: fc.Arbitrary<Geometry> = fc.oneof(
    position.map((coordinates) => ({ type: 'Point' as const, coordinates })),
    fc
      .array(position, { minLength: 1, maxLength: 4 })
      .map((coordinates) => ({ type: 'MultiPoint' as const, coordinates })),
    fc
      .array(position, { minLength: 2, maxLength: 4 })
      .map((coordinates) => ({ type: 'LineString' as const, coordinates })),
    fc
      .array(fc.array(position, { minLength: 2, maxLength: 3 }), { minLength: 1, maxLength: 2 })
      .map((coordinates) => ({
        type: 'MultiLineString' as const,
        coordinates,
      })),
    fc
      .array(ring, { minLength: 1, maxLength: 2 })
      .map((coordinates) => ({ type: 'Polygon' as const, coordinates })),
    fc
      .array(fc.array(ring, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 })
      .map((coordinates) => ({
        type: 'MultiPolygon' as const,
        coordinates,
      })),
  );
  const georel = fc.oneof(
    fc.constantFrom('within', 'contains', 'intersects', 'disjoint', 'equals', 'overlaps'),
    fc.integer({ min: 0, max: 10_000_000 }).map((d) => `near;maxDistance==${d}`),
    fc.integer({ min: 0, max: 10_000_000 }).map((d) => `near;minDistance==${d}`),
  );

  it('either parses or throws BadRequestData, for arbitrary inputs', () => {
    const loose = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.anything(),
      georel,
      fc.constantFrom('Point', 'Polygon', '[0,0]', '[[0,0],[1,1]]'),
    );
    fc.assert(
      fc.property(
        fc.record(
          { georel: loose, geometry: loose, coordinates: loose, geoproperty: loose },
          { requiredKeys: [] },
        ),
        (raw) => void attempt(() => parseGeoQuery(raw)),
      ),
      { numRuns: 3000 },
    );
  });

  it('parses generated valid queries from URL strings and from bodies alike', () => {
    fc.assert(
      fc.property(georel, geometry, (rel, g) => {
        const fromUrl = parseGeoQuery({
          georel: rel,
          geometry: g.type,
          coordinates: JSON.stringify(g.coordinates),
        });
        const fromBody = parseGeoQuery({
          georel: rel,
          geometry: g.type,
          coordinates: g.coordinates,
        });
        expect(fromUrl).toEqual(fromBody);
        expect(fromUrl.geometry).toEqual(g);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws while matching, and what matches lies in the bounds', () => {
    fc.assert(
      fc.property(georel, geometry, geometry, (rel, ref, g) => {
        const q = parseGeoQuery({ georel: rel, geometry: ref.type, coordinates: ref.coordinates });
        const matched = matchesGeoQuery(parseGeometry(g), q);
        expect(typeof matched).toBe('boolean');
        const box = geoQueryBounds(q);
        if (!matched || !box) return;
        const [minLon, minLat, maxLon, maxLat] = box;
        const coords = JSON.stringify(g.coordinates)
          .match(/-?[\d.]+,-?[\d.]+/g)!
          .map((p) => p.split(',').map(Number));
        const xs = coords.map((c) => c[0]!);
        const ys = coords.map((c) => c[1]!);
        // The geometry's own box meets the query box.
        expect(Math.max(...xs) >= minLon && Math.min(...xs) <= maxLon).toBe(true);
        expect(Math.max(...ys) >= minLat && Math.min(...ys) <= maxLat).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
