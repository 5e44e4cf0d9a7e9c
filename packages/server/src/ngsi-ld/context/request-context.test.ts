import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../bus/memory/index.js';
import { installErrorHandler } from '../../server/http/error-handler.js';
import { SqliteStore, SqliteTenants } from '../../store/sqlite/index.js';
import { installBodyParsers } from '../media-type.js';
import { CORE_CONTEXT_URL, installContextHandling, itemContext, requestContext } from './index.js';
import { parseLinkHeader } from './link-header.js';

const REL = 'http://www.w3.org/ns/json-ld#context';
const CTX_URL = 'https://example.com/ctx.jsonld';
const link = (url: string) => `<${url}>; rel="${REL}"; type="application/ld+json"`;

let dir: string;
let app: FastifyInstance;
let store: SqliteStore;
let tenants: SqliteTenants;
let bus: MemoryBus;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cb-reqctx-'));
  store = new SqliteStore({ file: join(dir, 'city.db'), synchronous: 'normal' });
  tenants = new SqliteTenants({ default: store, dir: join(dir, 't'), synchronous: 'normal' });
  bus = new MemoryBus(() => undefined);
  app = Fastify();
  installErrorHandler(app);
  await app.register(
    (scope, _o, done) => {
      installBodyParsers(scope);
      installContextHandling(scope, {
        tenants,
        bus,
        fetchContexts: false,
        preloadedContexts: { [CTX_URL]: { '@context': { speed: 'https://example.org/speed' } } },
      });
      const echo = async (request: Parameters<typeof requestContext>[0]) => {
        const ctx = await requestContext(request);
        return { speed: ctx.expand('speed'), coreOnly: ctx.coreOnly, link: ctx.linkHeader };
      };
      scope.get('/echo', echo);
      scope.post('/echo', echo);
      scope.post('/batch', async (request) => {
        await requestContext(request);
        const items = request.body as unknown[];
        return Promise.all(items.map(async (i) => (await itemContext(request, i)).expand('speed')));
      });
      done();
    },
    { prefix: '/ngsi-ld/v1' },
  );
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await bus.close();
  await tenants.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: unknown, type: string, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/ngsi-ld/v1/echo',
    headers: { 'content-type': type, ...headers },
    payload: JSON.stringify(body),
  });

describe('the @context of a request (clause 6.3.5)', () => {
  it('GET: the Link header, or the core context without one', async () => {
    const linked = await app.inject({ url: '/ngsi-ld/v1/echo', headers: { link: link(CTX_URL) } });
    expect(linked.json()).toMatchObject({ speed: 'https://example.org/speed', coreOnly: false });
    expect(linked.json<{ link: string }>().link).toBe(link(CTX_URL));
    const bare = await app.inject({ url: '/ngsi-ld/v1/echo' });
    expect(bare.json()).toMatchObject({ speed: 'speed', coreOnly: true });
    expect(bare.json<{ link: string }>().link).toContain(CORE_CONTEXT_URL);
    const other = await app.inject({
      url: '/ngsi-ld/v1/echo',
      headers: { link: '<https://example.com/next>; rel="next"' },
    });
    expect(other.json()).toMatchObject({ coreOnly: true });
  });

  it('application/json: Link header; an @context in the body is 400', async () => {
    const ok = await post({ id: 'urn:x:1' }, 'application/json', { link: link(CTX_URL) });
    expect(ok.json()).toMatchObject({ speed: 'https://example.org/speed' });
    const bad = await post({ id: 'urn:x:1', '@context': CTX_URL }, 'application/json');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      type: 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData',
    });
  });

  it('application/ld+json: @context in the body; missing it or adding a Link is 400', async () => {
    const ok = await post({ '@context': [CTX_URL] }, 'application/ld+json');
    expect(ok.json()).toMatchObject({ speed: 'https://example.org/speed', coreOnly: false });
    expect((await post({ id: 'urn:x:1' }, 'application/ld+json')).statusCode).toBe(400);
    const both = await post({ '@context': CTX_URL }, 'application/ld+json', {
      link: link(CTX_URL),
    });
    expect(both.statusCode).toBe(400);
  });

  it('a malformed Link header, two context links or a relative one is 400', async () => {
    for (const header of [
      'https://example.com/ctx.jsonld',
      `<${CTX_URL}`,
      `${link(CTX_URL)}, ${link('https://example.com/other')}`,
      link('ctx.jsonld'),
    ]) {
      const res = await app.inject({ url: '/ngsi-ld/v1/echo', headers: { link: header } });
      expect(res.statusCode, header).toBe(400);
    }
  });

  it('an unavailable context is 503 LdContextNotAvailable', async () => {
    const res = await app.inject({
      url: '/ngsi-ld/v1/echo',
      headers: { link: link('https://example.com/unknown.jsonld') },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      type: 'https://uri.etsi.org/ngsi-ld/errors/LdContextNotAvailable',
    });
  });

  it('batch bodies: every application/ld+json item carries its own @context', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/batch',
      headers: { 'content-type': 'application/ld+json' },
      payload: JSON.stringify([
        { '@context': CTX_URL },
        { '@context': { speed: 'https://x.org/s' } },
      ]),
    });
    expect(res.json()).toEqual(['https://example.org/speed', 'https://x.org/s']);
    const missing = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/batch',
      headers: { 'content-type': 'application/ld+json' },
      payload: JSON.stringify([{ '@context': CTX_URL }, { id: 'urn:x:1' }]),
    });
    expect(missing.statusCode).toBe(400);
  });
});

describe('parseLinkHeader', () => {
  it('reads several links with quoted and bare parameters', () => {
    expect(parseLinkHeader(`<a:b>; rel=next, <${CTX_URL}>;rel="${REL} other"; type=x`)).toEqual([
      { target: 'a:b', params: { rel: 'next' } },
      { target: CTX_URL, params: { rel: `${REL} other`, type: 'x' } },
    ]);
  });
});
