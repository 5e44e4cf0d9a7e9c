// ETSI GS CIM 009 v1.8 clause 5.5.7 (@context handling), 6.3.5 (Link header / body @context),
// 5.13 and 6.29-6.30 (@context management API: /jsonldContexts), LdContextNotAvailable (5.5.2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CORE_CONTEXT,
  expectProblem,
  ids,
  link,
  startBroker,
  unique,
  urn,
  useBroker,
} from './helpers/broker.js';
import { startContextServer, type ContextServer } from './helpers/context-server.js';

const NS = 'https://example.org/ns/';
const userContext = {
  '@context': { temp: `${NS}temperature`, Sensor: `${NS}Sensor`, site: `${NS}site` },
};

let ctx: ContextServer;
beforeAll(async () => {
  ctx = await startContextServer();
});
afterAll(() => ctx.close());

const b = useBroker({}, 'file');
/** Serves the user context at a fresh path; returns its URL and path. */
function fresh(doc: unknown = userContext) {
  const p = `/${unique('ctx')}.jsonld`;
  return { url: ctx.serve(p, doc), path: p };
}
const sensor = (id = urn('Sensor')) => ({
  id,
  type: 'Sensor',
  temp: { type: 'Property', value: 21 },
  site: { type: 'Relationship', object: 'urn:ngsi-ld:Site:s1' },
});
const path = (id: string) => `/entities/${encodeURIComponent(id)}`;

describe('6.3.5 @context from the Link header: expansion and compaction', () => {
  it('5.5.7: terms are expanded with the user @context; without it, responses show full IRIs', async () => {
    const { url } = fresh();
    const e = sensor();
    expect((await b.api.post('/entities', e, { link: link(url) })).status).toBe(201);
    const plain = (await b.api.get(path(e.id))).body;
    expect(plain.type).toBe(`${NS}Sensor`);
    expect(plain[`${NS}temperature`]).toEqual({ type: 'Property', value: 21 });
    expect(plain.temp).toBeUndefined();
  });

  it('5.5.7: with the same @context, the response uses the terms again', async () => {
    const { url } = fresh();
    const e = sensor();
    await b.api.post('/entities', e, { link: link(url) });
    expect((await b.api.get(path(e.id), { link: link(url) })).body).toEqual(e);
  });

  it('6.3.5: an application/json response names the request @context in its Link header', async () => {
    const { url } = fresh();
    const e = sensor();
    await b.api.post('/entities', e, { link: link(url) });
    const res = await b.api.get(path(e.id), { link: link(url) });
    expect(res.headers.link).toContain(url);
  });

  it('6.3.5: an application/ld+json response carries the request @context in the body', async () => {
    const { url } = fresh();
    const e = sensor();
    await b.api.post('/entities', e, { link: link(url) });
    const res = await b.api.get(path(e.id), { link: link(url), accept: 'application/ld+json' });
    expect(JSON.stringify(res.body['@context'])).toContain(url);
    expect(res.body.temp).toEqual(e.temp);
  });

  it('5.5.7: a different @context mapping the same IRI to another term compacts to that term', async () => {
    const { url } = fresh();
    const other = fresh({ '@context': { t: `${NS}temperature`, S: `${NS}Sensor` } });
    const e = sensor();
    await b.api.post('/entities', e, { link: link(url) });
    const got = (await b.api.get(path(e.id), { link: link(other.url) })).body;
    expect(got.type).toBe('S');
    expect(got.t).toEqual(e.temp);
  });

  it('5.7.2: type, attrs and q terms of a query are expanded with the Link @context', async () => {
    const { url } = fresh();
    const e = sensor();
    await b.api.post('/entities', e, { link: link(url) });
    // id keeps the other tests' sensors out (the broker is shared by the file).
    const res = await b.api.get(`/entities?id=${e.id}&type=Sensor&attrs=temp&q=temp>20`, {
      link: link(url),
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual([{ id: e.id, type: 'Sensor', temp: e.temp }]);
  });

  it('5.7.2: the same query without the @context finds nothing (Sensor is another type then)', async () => {
    const { url } = fresh();
    const e = sensor();
    await b.api.post('/entities', e, { link: link(url) });
    expect((await b.api.get(`/entities?id=${e.id}&type=Sensor`)).body).toEqual([]);
  });

  it('5.7.2: the expanded IRI may be used in a query without any @context', async () => {
    const { url } = fresh();
    const e = sensor();
    await b.api.post('/entities', e, { link: link(url) });
    const res = await b.api.get(`/entities?id=${e.id}&type=${encodeURIComponent(`${NS}Sensor`)}`);
    expect(ids(res.body)).toEqual([e.id]);
  });

  it('5.6.3: attribute names in update payloads are expanded too', async () => {
    const { url } = fresh();
    const e = sensor();
    await b.api.post('/entities', e, { link: link(url) });
    await b.api.patch(
      `${path(e.id)}/attrs`,
      { temp: { type: 'Property', value: 30 } },
      { link: link(url) },
    );
    expect((await b.api.get(path(e.id))).body[`${NS}temperature`].value).toBe(30);
  });
});

describe('6.3.5 @context in the body (application/ld+json)', () => {
  it('6.3.5: an inline @context object in the body is applied', async () => {
    const e = sensor();
    const res = await b.api.post(
      '/entities',
      { ...e, '@context': [userContext['@context'], CORE_CONTEXT] },
      {
        'content-type': 'application/ld+json',
      },
    );
    expect(res.status, res.text).toBe(201);
    expect((await b.api.get(path(e.id))).body[`${NS}temperature`]).toBeDefined();
  });

  it('6.3.5: a body @context URL is fetched from its server and applied', async () => {
    const { url, path: p } = fresh();
    const e = sensor();
    const res = await b.api.post(
      '/entities',
      { ...e, '@context': url },
      {
        'content-type': 'application/ld+json',
      },
    );
    expect(res.status, res.text).toBe(201);
    expect(ctx.fetches(p)).toBe(1);
    expect((await b.api.get(path(e.id))).body.type).toBe(`${NS}Sensor`);
  });
});

describe('5.5.7 remote @context retrieval and caching', () => {
  it('5.5.7: a user @context is fetched once and then served from the cache', async () => {
    const { url, path: p } = fresh();
    for (let i = 0; i < 4; i++) await b.api.post('/entities', sensor(), { link: link(url) });
    await b.api.get('/entities?type=Sensor', { link: link(url) });
    expect(ctx.fetches(p)).toBe(1);
  });

  it('5.5.7: the core @context is never fetched (works with fetching disabled)', async () => {
    const offline = await startBroker({ fetchContexts: false });
    try {
      const res = await offline.api.post('/entities', sensor(), { link: link(CORE_CONTEXT) });
      expect(res.status, res.text).toBe(201);
    } finally {
      await offline.close();
    }
  });

  it('5.5.7: a preloaded @context is used without fetching', async () => {
    const { url, path: p } = fresh();
    const pre = await startBroker({
      preloadedContexts: { [url]: userContext },
      fetchContexts: false,
    });
    try {
      const e = sensor();
      expect((await pre.api.post('/entities', e, { link: link(url) })).status).toBe(201);
      expect((await pre.api.get(path(e.id))).body.type).toBe(`${NS}Sensor`);
      expect(ctx.fetches(p)).toBe(0);
    } finally {
      await pre.close();
    }
  });

  it('5.5.2: 503 LdContextNotAvailable when the @context URL answers 404', async () => {
    const url = ctx.fail(`/${unique('missing')}.jsonld`, 404);
    expectProblem(
      await b.api.post('/entities', sensor(), { link: link(url) }),
      503,
      'LdContextNotAvailable',
    );
  });

  it('5.5.2: 503 LdContextNotAvailable when the @context server is unreachable', async () => {
    const url = 'http://127.0.0.1:9/unreachable.jsonld';
    expectProblem(
      await b.api.get('/entities?type=Sensor', { link: link(url) }),
      503,
      'LdContextNotAvailable',
    );
  });

  it('5.5.2: 503 LdContextNotAvailable for a body @context that cannot be fetched', async () => {
    const url = ctx.fail(`/${unique('gone')}.jsonld`, 500);
    const res = await b.api.post(
      '/entities',
      { ...sensor(), '@context': url },
      {
        'content-type': 'application/ld+json',
      },
    );
    expectProblem(res, 503, 'LdContextNotAvailable');
  });

  it('5.5.2: 503 LdContextNotAvailable when fetching is disabled and the @context is unknown', async () => {
    const { url } = fresh();
    const offline = await startBroker({ fetchContexts: false });
    try {
      expectProblem(
        await offline.api.post('/entities', sensor(), { link: link(url) }),
        503,
        'LdContextNotAvailable',
      );
    } finally {
      await offline.close();
    }
  });
});

describe('5.13 @context management (/jsonldContexts)', () => {
  const hostedDoc = { '@context': { speed: `${NS}speed` } };

  async function addHosted() {
    const res = await b.api.post('/jsonldContexts', hostedDoc);
    expect(res.status, res.text).toBe(201);
    const location = res.headers.location ?? '';
    expect(location).toMatch(/\/ngsi-ld\/v1\/jsonldContexts\/[^/]+$/);
    return location.replace(/^.*\/ngsi-ld\/v1/, '');
  }

  it('5.13.2: POST /jsonldContexts answers 201 with a Location of the hosted @context', async () => {
    await addHosted();
  });

  it('5.13.4: GET /jsonldContexts/{contextId} serves the hosted @context document', async () => {
    const loc = await addHosted();
    const res = await b.api.get(loc);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual(hostedDoc);
  });

  it('5.13.3: GET /jsonldContexts lists the URLs of the held @contexts', async () => {
    const loc = await addHosted();
    const res = await b.api.get('/jsonldContexts');
    expect(res.status, res.text).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    const id = loc.split('/').pop()!;
    expect(res.body.some((u: string) => u.endsWith(`/jsonldContexts/${id}`))).toBe(true);
  });

  it('5.13.3: details=true lists objects with URL, localId and kind Hosted', async () => {
    const loc = await addHosted();
    const id = loc.split('/').pop()!;
    const res = await b.api.get('/jsonldContexts?details=true');
    const entry = res.body.find((c: { localId: string }) => c.localId === id);
    expect(entry).toMatchObject({ kind: 'Hosted', localId: id });
    expect(entry.URL).toMatch(new RegExp(`/jsonldContexts/${id}$`));
  });

  it('5.13.3: a @context fetched for a request is listed with kind Cached', async () => {
    const { url } = fresh();
    await b.api.post('/entities', sensor(), { link: link(url) });
    const res = await b.api.get('/jsonldContexts?details=true&kind=Cached');
    expect(res.status, res.text).toBe(200);
    const entry = res.body.find((c: { URL: string }) => c.URL === url);
    expect(entry?.kind).toBe('Cached');
    for (const c of res.body) expect(c.kind).toBe('Cached');
  });

  it('5.13.4: a cached @context can be served by its URL as contextId', async () => {
    const { url } = fresh();
    await b.api.post('/entities', sensor(), { link: link(url) });
    const res = await b.api.get(`/jsonldContexts/${encodeURIComponent(url)}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual(userContext);
  });

  it('5.13.5: DELETE /jsonldContexts/{contextId} answers 204, after which it is 404', async () => {
    const loc = await addHosted();
    expect((await b.api.delete(loc)).status).toBe(204);
    expectProblem(await b.api.get(loc), 404, 'ResourceNotFound');
  });

  it('5.13.5: 404 ResourceNotFound when deleting an unknown @context', async () => {
    expectProblem(await b.api.delete('/jsonldContexts/no-such-context'), 404, 'ResourceNotFound');
  });

  it('5.13.4: 404 ResourceNotFound when serving an unknown @context', async () => {
    expectProblem(await b.api.get('/jsonldContexts/no-such-context'), 404, 'ResourceNotFound');
  });

  it('5.13.2: 400 BadRequestData when the posted document has no @context member', async () => {
    expectProblem(
      await b.api.post('/jsonldContexts', { speed: `${NS}speed` }),
      400,
      'BadRequestData',
    );
  });

  it('5.13.5: reload=true re-fetches a cached @context and applies the new content', async () => {
    const p = `/${unique('reload')}.jsonld`;
    const url = ctx.serve(p, userContext);
    await b.api.post('/entities', sensor(), { link: link(url) });
    ctx.serve(p, { '@context': { temp: `${NS}temperature2`, Sensor: `${NS}Sensor` } });
    const res = await b.api.delete(`/jsonldContexts/${encodeURIComponent(url)}?reload=true`);
    expect(res.status, res.text).toBe(204);
    expect(ctx.fetches(p)).toBe(2);
    const e = sensor();
    await b.api.post('/entities', e, { link: link(url) });
    expect((await b.api.get(path(e.id))).body[`${NS}temperature2`]).toBeDefined();
  });

  it('5.13.5: deleting a cached @context makes the next use fetch it again', async () => {
    const { url, path: p } = fresh();
    await b.api.post('/entities', sensor(), { link: link(url) });
    expect((await b.api.delete(`/jsonldContexts/${encodeURIComponent(url)}`)).status).toBe(204);
    await b.api.post('/entities', sensor(), { link: link(url) });
    expect(ctx.fetches(p)).toBe(2);
  });

  it('5.13.5: 400 BadRequestData for reload=true on a Hosted @context', async () => {
    const loc = await addHosted();
    expectProblem(await b.api.delete(`${loc}?reload=true`), 400, 'BadRequestData');
  });

  it('5.13.5: 400 BadRequestData when deleting the core @context', async () => {
    expectProblem(
      await b.api.delete(`/jsonldContexts/${encodeURIComponent(CORE_CONTEXT)}`),
      400,
      'BadRequestData',
    );
  });
});
