import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceAvailable, SERVICES } from '../../../tests/helpers/services.js';
import { matchesScope, parseScopeQuery, type Entity } from '../../core/index.js';
import { scopeToSql } from './scope-sql.js';
import { SqlParams } from './sql-params.js';
import { scratchClient } from './test-schema.js';

const pgUp = await serviceAvailable('postgres');

const level = fc.constantFrom('Madrid', 'Gardens', 'a.b', 'x*', 'é', '$1');
const scope = fc.array(level, { minLength: 1, maxLength: 3 }).map((ls) => `/${ls.join('/')}`);
const pattern = fc
  .tuple(fc.array(fc.oneof(level, fc.constant('+')), { maxLength: 3 }), fc.boolean())
  .filter(([segs, hash]) => segs.length > 0 || hash)
  .map(([segs, hash]) => `/${[...segs, ...(hash ? ['#'] : [])].join('/')}`);
const scopeQ = fc.oneof(
  pattern,
  fc.tuple(pattern, pattern, fc.constantFrom(';', ',', '|')).map(([a, b, j]) => `${a}${j}${b}`),
);

describe.skipIf(!pgUp)('scopeToSql on PostgreSQL', () => {
  let client: pg.Client;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ client, close } = await scratchClient(SERVICES.postgres));
  });
  afterAll(async () => close?.());

  it('agrees with matchesScope on generated scopes and queries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(fc.oneof(scope, fc.array(scope, { minLength: 1, maxLength: 2 }))), {
          minLength: 1,
          maxLength: 6,
        }),
        scopeQ,
        async (scopes, text) => {
          const entities = scopes.map((s, i): Entity => ({
            id: `urn:e:${i}`,
            type: 'T',
            ...(s !== null && { scope: s }),
          }));
          const query = parseScopeQuery(text);
          const p = new SqlParams();
          p.add(JSON.stringify(entities), 'jsonb');
          const { rows } = await client.query<{ i: string }>(
            `SELECT i FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY x(doc, i)
             WHERE ${scopeToSql(query, 'x.doc', p)} ORDER BY i`,
            p.values,
          );
          expect(rows.map((r) => Number(r.i) - 1)).toEqual(
            entities.flatMap((e, i) => (matchesScope(e, query) ? [i] : [])),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
