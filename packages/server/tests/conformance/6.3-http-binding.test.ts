// ETSI GS CIM 009 v1.8 clause 6.3 (HTTP binding, common behaviours): media types (6.3.4),
// JSON-LD @context in Link header or body (6.3.5), content negotiation (6.3.6), and
// multi-tenancy with the NGSILD-Tenant header (5.5.10, 6.3.14).
import { describe, expect, it } from 'vitest';
import {
  CORE_CONTEXT,
  CORE_CONTEXT_RE,
  expectProblem,
  expectStatus,
  ids,
  link,
  unique,
  urn,
  useBroker,
} from './helpers/broker.js';

const b = useBroker({}, 'file');
const path = (id: string) => `/entities/${encodeURIComponent(id)}`;
const thing = (id = urn('Thing')) => ({ id, type: 'Thing', n: { type: 'Property', value: 1 } });

describe('6.3.4 Request media types', () => {
  it('6.3.4: 415 Unsupported Media Type for a body that is neither JSON nor JSON-LD', async () => {
    const res = await b.api.post('/entities', JSON.stringify(thing()), {
      'content-type': 'text/plain',
    });
    expectStatus(res, 415);
  });

  it('6.3.4: 415 for application/xml', async () => {
    const res = await b.api.post('/entities', '<entity/>', { 'content-type': 'application/xml' });
    expectStatus(res, 415);
  });

  it('6.3.4: application/json with a charset parameter is accepted', async () => {
    const res = await b.api.post('/entities', thing(), {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(res.status, res.text).toBe(201);
  });

  it('6.3.4: PATCH accepts application/merge-patch+json', async () => {
    const e = thing();
    await b.api.post('/entities', e);
    const res = await b.api.patch(
      path(e.id),
      { n: { type: 'Property', value: 2 } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    expect(res.status, res.text).toBe(204);
    expect((await b.api.get(path(e.id))).body.n.value).toBe(2);
  });
});

describe('6.3.5 JSON-LD @context resolution for requests', () => {
  it('6.3.5: application/ld+json with an @context member in the body is accepted', async () => {
    const e = { ...thing(), '@context': CORE_CONTEXT };
    const res = await b.api.post('/entities', e, { 'content-type': 'application/ld+json' });
    expect(res.status, res.text).toBe(201);
  });

  it('6.3.5: 400 BadRequestData for application/ld+json without @context in the body', async () => {
    const res = await b.api.post('/entities', thing(), { 'content-type': 'application/ld+json' });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('6.3.5: 400 BadRequestData for application/json with an @context member in the body', async () => {
    const res = await b.api.post('/entities', { ...thing(), '@context': CORE_CONTEXT });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('6.3.5: 400 BadRequestData for application/ld+json together with a JSON-LD Link header', async () => {
    const res = await b.api.post(
      '/entities',
      { ...thing(), '@context': CORE_CONTEXT },
      { 'content-type': 'application/ld+json', link: link(CORE_CONTEXT) },
    );
    expectProblem(res, 400, 'BadRequestData');
  });

  it('6.3.5: application/json with a Link header naming the core context is accepted', async () => {
    const res = await b.api.post('/entities', thing(), { link: link(CORE_CONTEXT) });
    expect(res.status, res.text).toBe(201);
  });
});

describe('6.3.6 Response media types and content negotiation', () => {
  it('6.3.6: no Accept header gives application/json', async () => {
    const e = thing();
    await b.api.post('/entities', e);
    const res = await b.api.get(path(e.id));
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it('6.3.6: Accept */* gives application/json with a Link header', async () => {
    const e = thing();
    await b.api.post('/entities', e);
    const res = await b.api.get(path(e.id), { accept: '*/*' });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.link).toMatch(CORE_CONTEXT_RE);
  });

  it('6.3.6: the media type with the highest q value wins', async () => {
    const e = thing();
    await b.api.post('/entities', e);
    const res = await b.api.get(path(e.id), {
      accept: 'application/json;q=0.5, application/ld+json;q=0.9',
    });
    expect(res.headers['content-type']).toMatch(/^application\/ld\+json/);
    expect(res.body['@context']).toBeDefined();
  });

  it.each(['text/html', 'application/xml', 'image/png'])(
    '6.3.6: 406 Not Acceptable for Accept: %s',
    async (accept) => {
      const e = thing();
      await b.api.post('/entities', e);
      expectStatus(await b.api.get(path(e.id), { accept }), 406);
    },
  );

  it('6.3.6: 406 on queries too', async () => {
    expectStatus(await b.api.get('/entities?type=Thing', { accept: 'text/csv' }), 406);
  });

  it('6.3.6: query results with Accept application/ld+json carry the @context in every entity', async () => {
    await b.api.post('/entities', thing());
    const res = await b.api.get('/entities?type=Thing', { accept: 'application/ld+json' });
    expect(res.headers['content-type']).toMatch(/^application\/ld\+json/);
    expect(res.body.length).toBeGreaterThan(0);
    for (const e of res.body) expect(JSON.stringify(e['@context'])).toMatch(CORE_CONTEXT_RE);
  });

  it('5.5.3: errors are ProblemDetails JSON documents with type, title and status', async () => {
    const res = await b.api.get(path('urn:ngsi-ld:Thing:missing'));
    expectProblem(res, 404, 'ResourceNotFound');
    expect(res.body.status).toBe(404);
  });
});

describe('5.5.10/6.3.14 Multi-tenancy (NGSILD-Tenant)', () => {
  it('5.5.10: a create with NGSILD-Tenant creates the tenant implicitly (201)', async () => {
    const t = b.api.with({ 'ngsild-tenant': unique('tenant') });
    const e = thing();
    expect((await t.post('/entities', e)).status).toBe(201);
    expect((await t.get(path(e.id))).body).toEqual(e);
  });

  it('5.5.10: entities of a tenant are invisible to the default tenant', async () => {
    const t = b.api.with({ 'ngsild-tenant': unique('tenant') });
    const type = unique('Hidden');
    const e = { ...thing(), type };
    await t.post('/entities', e);
    expectProblem(await b.api.get(path(e.id)), 404, 'ResourceNotFound');
    expect((await b.api.get(`/entities?type=${type}`)).body).toEqual([]);
  });

  it('5.5.10: entities of the default tenant are invisible to another tenant', async () => {
    const tenant = unique('tenant');
    const t = b.api.with({ 'ngsild-tenant': tenant });
    const e = thing();
    await b.api.post('/entities', e);
    await t.post('/entities', thing());
    expectProblem(await t.get(path(e.id)), 404, 'ResourceNotFound');
  });

  it('5.5.10: the same entity id can exist independently in two tenants', async () => {
    const t1 = b.api.with({ 'ngsild-tenant': unique('tenant') });
    const t2 = b.api.with({ 'ngsild-tenant': unique('tenant') });
    const e = thing();
    expect((await t1.post('/entities', e)).status).toBe(201);
    expect((await t2.post('/entities', e)).status).toBe(201);
    await t1.patch(`${path(e.id)}/attrs`, { n: { type: 'Property', value: 5 } });
    expect((await t2.get(path(e.id))).body.n.value).toBe(1);
    await t1.delete(path(e.id));
    expect((await t2.get(path(e.id))).status).toBe(200);
  });

  it('5.5.10: queries see only the entities of their tenant', async () => {
    const t1 = b.api.with({ 'ngsild-tenant': unique('tenant') });
    const t2 = b.api.with({ 'ngsild-tenant': unique('tenant') });
    const a = thing();
    const c = thing();
    await t1.post('/entities', a);
    await t2.post('/entities', c);
    expect(ids((await t1.get('/entities?type=Thing')).body)).toEqual([a.id]);
    expect(ids((await t2.get('/entities?type=Thing')).body)).toEqual([c.id]);
  });

  it('5.5.10: a batch create also creates the tenant', async () => {
    const t = b.api.with({ 'ngsild-tenant': unique('tenant') });
    expect((await t.post('/entityOperations/create', [thing()])).status).toBe(201);
    expect((await t.get('/entities?type=Thing')).body).toHaveLength(1);
  });

  it('5.5.10: discovery (/types) only reports the types of its tenant', async () => {
    const t = b.api.with({ 'ngsild-tenant': unique('tenant') });
    const secret = unique('Secret');
    await t.post('/entities', { id: urn('Secret'), type: secret });
    await b.api.post('/entities', thing());
    expect((await t.get('/types')).body.typeList).toEqual([secret]);
    expect((await b.api.get('/types')).body.typeList).not.toContain(secret);
  });

  it.each([
    ['GET /entities?type=Thing', '/entities?type=Thing'],
    ['GET /entities/{id}', path('urn:ngsi-ld:Thing:x')],
    ['GET /types', '/types'],
    ['GET /attributes', '/attributes'],
    ['GET /subscriptions', '/subscriptions'],
    [
      'GET /temporal/entities?type=Thing',
      '/temporal/entities?type=Thing&timerel=after&timeAt=2000-01-01T00:00:00Z',
    ],
  ])('5.5.10: %s on a tenant that does not exist is 404 NonexistentTenant', async (_n, url) => {
    const res = await b.api.get(url, { 'ngsild-tenant': unique('ghost') });
    expectProblem(res, 404, 'NonexistentTenant');
  });

  it('5.5.10: DELETE on a tenant that does not exist is 404 NonexistentTenant', async () => {
    const res = await b.api.delete(path('urn:ngsi-ld:Thing:x'), {
      'ngsild-tenant': unique('ghost'),
    });
    expectProblem(res, 404, 'NonexistentTenant');
  });

  it('5.5.10: a read does not create the tenant (still NonexistentTenant the second time)', async () => {
    const headers = { 'ngsild-tenant': unique('ghost') };
    await b.api.get('/entities?type=Thing', headers);
    expectProblem(await b.api.get('/entities?type=Thing', headers), 404, 'NonexistentTenant');
  });

  // v1.9 clause 6.3.14 makes the echo explicit; Orion-LD and Scorpio already send it.
  it('6.3.14 (v1.9): the tenant of the operation is echoed in the NGSILD-Tenant response header', async () => {
    const tenant = unique('tenant');
    const res = await b.api.post('/entities', thing(), { 'ngsild-tenant': tenant });
    expect(res.headers['ngsild-tenant']).toBe(tenant);
  });
});
