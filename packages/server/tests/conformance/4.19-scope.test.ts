// ETSI GS CIM 009 v1.8 clause 4.18 (Entity scopes) and 4.19 (NGSI-LD Scope Query Language),
// via GET /entities?scopeQ= (5.7.2).
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, ids, urn, useBroker } from './helpers/broker.js';

const b = useBroker({}, 'file');
const S = (n: number) => `urn:ngsi-ld:Scoped:s${n}`;

beforeAll(async () => {
  const res = await b.api.post('/entityOperations/create', [
    { id: S(1), type: 'Scoped', scope: '/Madrid' },
    { id: S(2), type: 'Scoped', scope: '/Madrid/Centro' },
    { id: S(3), type: 'Scoped', scope: '/Madrid/Centro/Sol' },
    { id: S(4), type: 'Scoped', scope: ['/Madrid/Retiro', '/Company/Sales'] },
    { id: S(5), type: 'Scoped', scope: '/Barcelona' },
    { id: S(6), type: 'Scoped' },
  ]);
  expect(res.status, res.text).toBe(201);
});

async function scoped(scopeQ: string, type = '&type=Scoped') {
  const res = await b.api.get(`/entities?scopeQ=${encodeURIComponent(scopeQ)}${type}`);
  expect(res.status, res.text).toBe(200);
  return ids(res.body);
}
const want = (...n: number[]) => n.map(S).sort();

describe('4.19 Scope query language', () => {
  it.each([
    ['/Madrid', [1], 'an exact scope matches only that scope'],
    ['/Madrid/#', [1, 2, 3, 4], '"#" matches the scope and every descendant'],
    ['/Madrid/+', [2, 4], '"+" matches exactly one further level'],
    ['/#', [1, 2, 3, 4, 5], '"/#" matches every entity that has a scope'],
    ['/Madrid/Centro,/Barcelona', [2, 5], '"," is OR'],
    ['/Madrid/#;/Company/Sales', [4], '";" is AND'],
    ['(/Madrid/Centro,/Madrid/Retiro);/Company/#', [4], 'parentheses group'],
    ['/Madrid/Centro/Sol', [3], 'a deep exact scope'],
    ['/Valencia', [], 'an unused scope matches nothing'],
  ])('4.19: scopeQ=%s: %s', async (scopeQ, expected) => {
    expect(await scoped(scopeQ)).toEqual(want(...expected));
  });

  it('5.7.2: scopeQ alone is a sufficient selector', async () => {
    expect(await scoped('/Barcelona', '')).toEqual(want(5));
  });

  it('4.19: scopeQ combines with q', async () => {
    const type = 'ScopedQ';
    await b.api.post('/entityOperations/create', [
      { id: urn(type), type, scope: '/Lyon', n: { type: 'Property', value: 1 } },
      { id: urn(type), type, scope: '/Lyon', n: { type: 'Property', value: 2 } },
      { id: urn(type), type, scope: '/Nice', n: { type: 'Property', value: 2 } },
    ]);
    const res = await b.api.get(`/entities?type=${type}&scopeQ=/Lyon&q=n==2`);
    expect(res.body).toHaveLength(1);
    expect(res.body[0].scope).toBe('/Lyon');
  });

  it('4.18: scope is updated by an entity merge', async () => {
    const id = urn('ScopedMove');
    await b.api.post('/entities', { id, type: 'ScopedMove', scope: '/Old' });
    const res = await b.api.patch(`/entities/${id}`, { scope: '/New' });
    expect(res.status, res.text).toBe(204);
    expect(await scoped('/New', '&type=ScopedMove')).toEqual([id]);
    expect(await scoped('/Old', '&type=ScopedMove')).toEqual([]);
  });

  it('4.18: keyValues keeps the scope as it is', async () => {
    const res = await b.api.get(`/entities/${S(4)}?options=keyValues`);
    expect([res.body.scope].flat().sort()).toEqual(['/Company/Sales', '/Madrid/Retiro']);
  });

  it.each(['Madrid', '/Madrid/', '/Madrid//Centro', '/Madrid;'])(
    '4.19/5.5.2: 400 BadRequestData for the malformed scopeQ %s',
    async (scopeQ) => {
      expectProblem(
        await b.api.get(`/entities?type=Scoped&scopeQ=${encodeURIComponent(scopeQ)}`),
        400,
        'BadRequestData',
      );
    },
  );

  it('4.18: 400 BadRequestData when an entity scope does not start with "/"', async () => {
    expectProblem(
      await b.api.post('/entities', { id: urn('Scoped'), type: 'Scoped', scope: 'Madrid' }),
      400,
      'BadRequestData',
    );
  });
});
