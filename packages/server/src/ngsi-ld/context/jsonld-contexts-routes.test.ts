import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../test-harness.js';
import { CORE_CONTEXT_URL } from './core-context.js';

const BASE = '/ngsi-ld/v1/jsonldContexts';
const REL = 'http://www.w3.org/ns/json-ld#context';
const link = (url: string) => `<${url}>; rel="${REL}"; type="application/ld+json"`;
const DEFAULT_VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';
// Terms mapped into the default vocabulary give short canonical names the core context shows.
const CAR_CONTEXT = {
  '@context': { Car: `${DEFAULT_VOCAB}Automobile`, speed: `${DEFAULT_VOCAB}velocity` },
};

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ fetchContexts: false });
});
afterAll(() => broker.close());

const inject = (opts: InjectOptions | string) => broker.app.inject(opts);

async function host(doc: unknown, query = ''): Promise<string> {
  const res = await inject({
    method: 'POST',
    url: `${BASE}${query}`,
    headers: { 'content-type': 'application/ld+json' },
    payload: JSON.stringify(doc),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.headers.location as string;
}

describe('/jsonldContexts (clauses 5.13, 6.31, 6.32)', () => {
  it('lists the core context, and refuses to delete it', async () => {
    const list = await inject({ url: BASE });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toContain(CORE_CONTEXT_URL);
    const core = await inject({ url: `${BASE}/${encodeURIComponent(CORE_CONTEXT_URL)}` });
    expect(core.json<{ '@context': Record<string, unknown> }>()['@context'].location).toBe(
      'ngsi-ld:location',
    );
    const del = await inject({
      method: 'DELETE',
      url: `${BASE}/${encodeURIComponent(CORE_CONTEXT_URL)}`,
    });
    expect(del.statusCode).toBe(400);
  });

  it('hosts a posted context: served at its Location, usable as a Link, deletable', async () => {
    const location = await host(CAR_CONTEXT);
    expect(location).toMatch(/^\/ngsi-ld\/v1\/jsonldContexts\/[\w-]+$/);
    const served = await inject({ url: location });
    expect(served.statusCode).toBe(200);
    expect(served.json()).toEqual(CAR_CONTEXT);

    const url = `http://localhost${location}`;
    const created = await inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entities',
      headers: { 'content-type': 'application/json', link: link(url) },
      payload: JSON.stringify({
        id: 'urn:ngsi-ld:Car:1',
        type: 'Car',
        speed: { type: 'Property', value: 3 },
      }),
    });
    expect(created.statusCode, created.body).toBe(201);
    const asCore = await inject({ url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Car:1' });
    expect(asCore.json()).toMatchObject({
      type: 'Automobile',
      velocity: { type: 'Property', value: 3 },
    });
    const asUser = await inject({
      url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Car:1',
      headers: { link: link(url) },
    });
    expect(asUser.json()).toMatchObject({ type: 'Car', speed: { value: 3 } });

    const details = await inject({
      url: `${location}?details=true`,
      headers: { host: 'localhost' },
    });
    expect(details.json()).toMatchObject({
      URL: url,
      kind: 'Hosted',
      localId: location.split('/').pop(),
      numberOfHits: expect.any(Number) as number,
    });
    expect(details.json<{ numberOfHits: number }>().numberOfHits).toBeGreaterThan(0);
    const hosted = await inject({
      url: `${BASE}?kind=Hosted&details=true`,
      headers: { host: 'localhost' },
    });
    expect(hosted.json<{ kind: string }[]>().every((c) => c.kind === 'Hosted')).toBe(true);
    expect(hosted.json<{ URL: string }[]>().map((c) => c.URL)).toContain(url);

    expect((await inject({ method: 'DELETE', url: location })).statusCode).toBe(204);
    expect((await inject({ url: location })).statusCode).toBe(404);
    const gone = await inject({
      url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Car:1',
      headers: { link: link(url) },
    });
    expect(gone.statusCode).toBe(503);
  });

  it('registers an operator copy under a remote URL (extension): resolved, never fetched', async () => {
    const remote = 'https://example.com/models/context.jsonld';
    const before = await inject({
      url: '/ngsi-ld/v1/entities/urn:x:none',
      headers: { link: link(remote) },
    });
    expect(before.statusCode).toBe(503);
    const location = await host(CAR_CONTEXT, `?url=${encodeURIComponent(remote)}`);
    const details = await inject({ url: `${location}?details=true` });
    expect(details.json()).toMatchObject({ URL: remote, kind: 'Cached' });
    const byUrl = await inject({ url: `${BASE}/${encodeURIComponent(remote)}` });
    expect(byUrl.json()).toEqual(CAR_CONTEXT);
    const after = await inject({
      url: '/ngsi-ld/v1/entities/urn:x:none',
      headers: { link: link(remote) },
    });
    expect(after.statusCode).toBe(404);
    // reload re-fetches from the origin, which this broker cannot reach: 503, copy kept.
    const reload = await inject({ method: 'DELETE', url: `${location}?reload=true` });
    expect(reload.statusCode).toBe(503);
    expect((await inject({ url: location })).statusCode).toBe(200);
  });

  it('refuses bad input', async () => {
    const noContext = await inject({
      method: 'POST',
      url: BASE,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ speed: 'x' }),
    });
    expect(noContext.statusCode).toBe(400);
    const invalid = await inject({
      method: 'POST',
      url: BASE,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ '@context': { speed: { '@id': 5 } } }),
    });
    expect(invalid.statusCode).toBe(400);
    expect((await inject({ url: `${BASE}?kind=Other` })).statusCode).toBe(400);
    expect((await inject({ url: `${BASE}/nope` })).statusCode).toBe(404);
    const coreUrl = `?url=${encodeURIComponent(CORE_CONTEXT_URL)}`;
    const replaceCore = await inject({
      method: 'POST',
      url: `${BASE}${coreUrl}`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(CAR_CONTEXT),
    });
    expect(replaceCore.statusCode).toBe(400);
  });
});
