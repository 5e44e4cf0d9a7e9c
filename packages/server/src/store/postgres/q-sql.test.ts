import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceAvailable, SERVICES } from '../../../tests/helpers/services.js';
import { matchesQ, parseQ, type Entity, type QExpression } from '../../core/index.js';
import { Q_DATE, Q_TIME } from '../../core/q-ast.js';
import { DATE_RE, qInstantOf, TIME_RE } from './q-literals.js';
import { qPrefilter, qToSql } from './q-sql.js';
import { SqlParams } from './sql-params.js';
import { scratchClient } from './test-schema.js';

const pgUp = await serviceAvailable('postgres');

/** The indexes (in order) of the entities PostgreSQL says match q. */
async function sqlMatches(
  client: pg.Client,
  entities: Entity[],
  q: QExpression,
): Promise<number[]> {
  const p = new SqlParams();
  p.add(JSON.stringify(entities), 'jsonb'); // $1
  // The index prefilter must never drop a match: it is ANDed in as the store does.
  const where = [qPrefilter(q, 'x.doc', p), qToSql(q, 'x.doc', p)].filter(Boolean).join(' AND ');
  const { rows } = await client.query<{ i: string }>(
    `SELECT i FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(doc, i) WHERE ${where} ORDER BY i`,
    p.values,
  );
  return rows.map((r) => Number(r.i) - 1);
}

const jsMatches = (entities: Entity[], q: QExpression): number[] =>
  entities.flatMap((e, i) => (matchesQ(e, q) ? [i] : []));

// Values near the boundaries the evaluator cares about: numbers vs strings, date-like strings,
// code-unit order (é, U+E000, an emoji), JSON-LD value objects, nested lists.
const scalar = fc.oneof(
  fc.constantFrom(-2, 0, 3, 3.5, 10),
  fc.constantFrom('a', 'b', 'B', '', 'é', '\ue000', '😀', 'a😀', 'urn:x:1', '10'),
  fc.constantFrom(
    '2026-01-19T00:00:00Z',
    '2026-01-19T01:00:00+01:00',
    '2026-01-19T00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-01-19T24:00:00Z',
    '2026-01-19',
    '12:30:00',
    '2026-01-19T00:00:00.1239Z',
  ),
  fc.boolean(),
);
const json = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { weight: 5, arbitrary: scalar },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.array(tie('v'), { maxLength: 3 }) },
    {
      weight: 1,
      arbitrary: fc.record({ k: tie('v'), j: tie('v'), '@value': scalar }, { requiredKeys: [] }),
    },
  ),
})).v;
const meta = fc.record(
  {
    observedAt: fc.constantFrom('2026-01-18T00:00:00Z', '2026-01-20T00:00:00Z', 'nope'),
    unitCode: fc.constantFrom('CEL', 'GQ'),
  },
  { requiredKeys: [] },
);
const instance = fc.letrec<{ i: Record<string, unknown> }>((tie) => ({
  i: fc
    .tuple(
      fc.oneof(
        json.map((value) => ({ type: 'Property', value })),
        fc.oneof(fc.constant('urn:x:1'), fc.constant(['urn:x:1', 'urn:x:2'])).map((object) => ({
          type: 'Relationship',
          object,
        })),
        fc
          .array(fc.oneof(fc.constant('urn:x:1'), fc.constant({ object: 'urn:x:2' })), {
            maxLength: 2,
          })
          .map((objectList) => ({ type: 'ListRelationship', objectList })),
        fc
          .record(
            { en: fc.oneof(scalar, fc.array(scalar, { maxLength: 2 })), fr: scalar },
            { requiredKeys: [] },
          )
          .map((languageMap) => ({ type: 'LanguageProperty', languageMap })),
        json.map((vocab) => ({ type: 'VocabProperty', vocab })),
        json.map((j) => ({ type: 'JsonProperty', json: j })),
        fc.array(json, { maxLength: 2 }).map((valueList) => ({ type: 'ListProperty', valueList })),
        json.map((object) => ({ type: 'Unknown', object })),
      ),
      meta,
      fc.option(fc.oneof(tie('i'), fc.array(tie('i'), { maxLength: 2 })), {
        nil: undefined,
        freq: 3,
      }),
    )
    .map(([base, m, sub]) => ({ ...base, ...m, ...(sub !== undefined && { sub }) })),
})).i;
const attribute = fc.oneof(instance, fc.array(instance, { minLength: 1, maxLength: 3 }));
const entities = fc.array(fc.record({ x: attribute, y: attribute }, { requiredKeys: [] }), {
  minLength: 1,
  maxLength: 8,
});

const path = fc.constantFrom(
  'x',
  'y',
  'x.sub',
  'x.observedAt',
  'x.unitCode',
  'x.sub.observedAt',
  'x.sub.sub',
  'x[k]',
  'x[k.j]',
  'x[k][j]',
  'x.sub[k]',
  'x[@value]',
  'x.observedAt[k]',
  'x[0]',
  'x[length]',
);
const literal = fc.constantFrom(
  '3',
  '-2',
  '3.5',
  '0',
  '10',
  '"a"',
  '"B"',
  '"é"',
  '"\\ue000"',
  'b',
  'true',
  'false',
  'urn:x:1',
  '2026-01-19T00:00:00Z',
  '2026-01-19T00:30:00+01:00',
  '2026-01-19T00:00',
  '2026-01-19',
  '12:30:00',
  '"10"',
  '"2026-01-19T00:00:00Z"',
);
const term = fc.oneof(
  fc
    .tuple(path, fc.constantFrom('==', '!=', '>', '>=', '<', '<='), literal)
    .map(([p, op, v]) => `${p}${op}${v}`),
  fc
    .tuple(path, fc.constantFrom('==', '!='), literal, literal)
    .map(([p, op, a, b]) => `${p}${op}${a},${b}`),
  fc
    .tuple(
      path,
      fc.constantFrom('==', '!='),
      fc.constantFrom('0..3', '-2..0', '"a".."b"', '2026-01-18T00:00:00Z..2026-01-19T12:00:00Z'),
    )
    .map(([p, op, r]) => `${p}${op}${r}`),
  fc
    .tuple(
      path,
      fc.constantFrom('~=', '!~='),
      fc.constantFrom(
        '"a"',
        '"^B"',
        '"(?i)^b"',
        '"\\d"',
        '"urn:.*:1"',
        '"^$"',
        '"é"',
        '"(?i)É"',
        '"^.{2}$"',
        '"[^a]"',
        '"\\bb"',
      ),
    )
    .map(([p, op, r]) => `${p}${op}${r}`),
  path,
);
const q = fc.oneof(
  term,
  fc.tuple(term, term, fc.constantFrom(';', '|')).map(([a, b, j]) => `${a}${j}${b}`),
  fc.tuple(term, term, term).map(([a, b, c]) => `(${a}|${b});${c}`),
);

describe.skipIf(!pgUp)('qToSql on PostgreSQL', () => {
  let client: pg.Client;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ client, close } = await scratchClient(SERVICES.postgres));
  });
  afterAll(async () => close?.());

  it('agrees with matchesQ on generated entities and queries', async () => {
    await fc.assert(
      fc.asyncProperty(entities, q, async (attrs, text) => {
        const list = attrs.map((a, i): Entity => ({ id: `urn:e:${i}`, type: 'T', ...a }));
        const expr = parseQ(text);
        expect(await sqlMatches(client, list, expr)).toEqual(jsMatches(list, expr));
      }),
      { numRuns: 600 },
    );
  });

  it('decides the documented edge cases like the core evaluator', async () => {
    const e = (attrs: Record<string, unknown>): Entity => ({ id: 'urn:e', type: 'T', ...attrs });
    const cases: [Record<string, unknown>, string][] = [
      [{ t: { type: 'Property', value: 1e21 } }, 't>1e20'],
      [{ t: { type: 'Property', value: 5 } }, 't<1e999'],
      [{ t: { type: 'Property', value: '\ue000' } }, 't>"😀"'],
      [{ t: { type: 'Property', value: '😀' } }, 't<"\ue000"'],
      [{ t: { type: 'Property', value: '2026-02-29T00:00:00Z' } }, 't==2026-03-01T00:00:00Z'],
      [{ t: { type: 'Property', value: '2026-01-01T24:00:00Z' } }, 't==2026-01-02T00:00:00Z'],
      [{ t: { type: 'Property', value: '2026-01-01T00:00:00.9999Z' } }, 't<2026-01-01T00:00:01Z'],
      [{ t: { type: 'Property', value: '0000-01-01T00:00:00Z' } }, 't<1970-01-01T00:00:00Z'],
      [{ t: { type: 'Property', value: '2026-01-01T00:00:00+2359' } }, 't<2026-01-01T00:00:00Z'],
      [{ t: { type: 'LanguageProperty', languageMap: { en: ['a', 'b'], fr: 'c' } } }, 't=="b"'],
      [{ t: { type: 'LanguageProperty', languageMap: { en: 'a' } } }, 't[en]=="a"'],
      [{ t: { type: 'Property', value: [1, [2]] } }, 't==2'],
      [{ t: { type: 'Property', value: [1, [2]] } }, 't[0]==1'],
      [{ t: { type: 'Property', value: { '@value': 3, '@type': 'X' } } }, 't==3'],
      [{ id2: 1, scope: { type: 'Property', value: 1 } }, 'scope==1'],
    ];
    for (const [attrs, text] of cases) {
      const expr = parseQ(text);
      expect({ text, sql: await sqlMatches(client, [e(attrs)], expr) }).toEqual({
        text,
        sql: jsMatches([e(attrs)], expr),
      });
    }
  });
});

describe('q literals', () => {
  it('match core Q_DATE and Q_TIME and read instants as core does', () => {
    expect(new RegExp(DATE_RE).source).toBe(Q_DATE.source.replaceAll('\\d', '[0-9]'));
    expect(new RegExp(TIME_RE).source).toBe(Q_TIME.source.replaceAll('\\d', '[0-9]'));
    expect(qInstantOf('2026-01-01T00:00')).toBe(Date.parse('2026-01-01T00:00Z'));
    expect(qInstantOf('2026-01-01T00:00+0100')).toBe(Date.parse('2025-12-31T23:00Z'));
  });
});
