import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsonld from 'jsonld';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CityError } from '../../core/index.js';
import { SqliteStore } from '../../store/sqlite/index.js';
import { ContextRegistry, type ContextRegistryOptions } from './context-registry.js';
import { LdContextResolver } from './context-resolver.js';
import { CORE_CONTEXT, CORE_CONTEXT_URL, CORE_CONTEXT_URLS } from './core-context.js';
import type { StoredContext } from './types.js';
import { SHARED_DATA } from '../../../tests/helpers/shared-data.js';

const REFERENCE = join(SHARED_DATA, 'ngsi-ld/ngsi-ld-core-context-v1.9.jsonld');
const SDM_PARKING = join(SHARED_DATA, 'smart-data-models/Parking/context.jsonld');
const PARKING_URL =
  'https://raw.githubusercontent.com/smart-data-models/dataModel.Parking/master/context.jsonld';

let dir: string;
let store: SqliteStore;
let server: Server;
let base: string;
const hits = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
    if (req.url === '/ctx.jsonld') {
      res.setHeader('content-type', 'application/ld+json');
      res.end(JSON.stringify({ '@context': { speed: 'https://example.org/speed' } }));
    } else if (req.url === '/nested.jsonld') {
      res.end(
        JSON.stringify({ '@context': [`${base}/ctx.jsonld`, { car: 'https://example.org/Car' }] }),
      );
    } else if (req.url === '/huge.jsonld') {
      res.end(JSON.stringify({ '@context': { x: 'y'.repeat(4096) } }));
    } else if (req.url === '/not-json') {
      res.end('<html>');
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

beforeEach(() => {
  hits.clear();
  dir = mkdtempSync(join(tmpdir(), 'cb-ctx-'));
  store = new SqliteStore({ file: join(dir, 'city.db'), synchronous: 'normal' });
  return async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
});

function resolverWith(options: Partial<ContextRegistryOptions> = {}) {
  const registry = new ContextRegistry({
    collection: store.collection<StoredContext>('jsonldContexts'),
    fetchLimits: { timeoutMs: 2000, maxBytes: 2048 },
    ...options,
  });
  return { registry, resolver: new LdContextResolver({ registry }) };
}

async function failure(p: Promise<unknown>): Promise<CityError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CityError);
  return err as CityError;
}

describe('the core context', () => {
  it('resolves every core URL without fetching, to canonical identity', async () => {
    const { resolver } = resolverWith({ fetchContexts: false });
    for (const url of CORE_CONTEXT_URLS) {
      const ctx = await resolver.resolve(url);
      expect(ctx.coreOnly).toBe(true);
      expect(ctx.expand('temperature')).toBe('temperature');
      expect(ctx.expand('location')).toBe('location');
      expect(ctx.responseContext).toBe(CORE_CONTEXT_URL);
      expect(ctx.linkHeader).toContain(`<${CORE_CONTEXT_URL}>`);
    }
    const core = await resolver.resolve(undefined);
    expect(core.expand('https://uri.etsi.org/ngsi-ld/default-context/temperature')).toBe(
      'temperature',
    );
    expect(core.expand('https://uri.etsi.org/ngsi-ld/location')).toBe('location');
    expect(core.expand('https://schema.org/name')).toBe('https://schema.org/name');
    expect(core.compact('https://schema.org/name')).toBe('https://schema.org/name');
  });

  it.skipIf(!existsSync(REFERENCE))('defines the same terms and IRIs as ETSI v1.9', async () => {
    const reference = JSON.parse(readFileSync(REFERENCE, 'utf8')) as {
      '@context': Record<string, unknown>;
    };
    const ngsiLdProof = 'ngsildproof';
    const refTerms = Object.keys(reference['@context'])
      .filter((t) => t !== ngsiLdProof)
      .sort();
    const ourTerms = Object.keys(CORE_CONTEXT)
      .filter((t) => t !== ngsiLdProof)
      .sort();
    expect(ourTerms).toEqual(refTerms);
    const drop = (c: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(c).filter(([k]) => k !== ngsiLdProof));
    const refCtx = drop(reference['@context']);
    const ourCtx = drop(CORE_CONTEXT);
    // Same expansion of a document using every term: same IRIs, types and containers.
    const doc = Object.fromEntries(
      refTerms
        .filter((t) => !t.startsWith('@') && t !== 'id' && t !== 'type')
        .map((t) => [t, '2020-01-01T00:00:00Z']),
    );
    const a = await jsonld.expand({ '@context': refCtx, ...doc } as never);
    const b = await jsonld.expand({ '@context': ourCtx, ...doc } as never);
    expect(b).toEqual(a);
  });

  it('cannot be overridden by a user context', async () => {
    const { resolver } = resolverWith({ fetchContexts: false });
    const ctx = await resolver.resolve({
      location: 'https://example.org/myLocation',
      value: 'https://example.org/value',
      temperature: 'https://example.org/temperature',
    });
    expect(ctx.expand('location')).toBe('location');
    expect(ctx.compact('location')).toBe('location');
    expect(ctx.expand('temperature')).toBe('https://example.org/temperature');
  });
});

describe('user contexts', () => {
  it.skipIf(!existsSync(SDM_PARKING))(
    'preloaded: SDM terms map to their IRIs and back',
    async () => {
      const { resolver } = resolverWith({
        fetchContexts: false,
        preloaded: { [PARKING_URL]: JSON.parse(readFileSync(SDM_PARKING, 'utf8')) },
      });
      const ctx = await resolver.resolve(PARKING_URL);
      expect(ctx.coreOnly).toBe(false);
      expect(ctx.expand('OnStreetParking')).toBe(
        'https://smartdatamodels.org/dataModel.Parking/OnStreetParking',
      );
      expect(ctx.expand('location')).toBe('location');
      expect(ctx.expand('description')).toBe('description');
      expect(ctx.expand('unknownThing')).toBe('unknownThing');
      for (const term of [
        'OnStreetParking',
        'availableSpotNumber',
        'name',
        'location',
        'unknownThing',
      ])
        expect(ctx.compact(ctx.expand(term))).toBe(term);
      // The same context as a list with the core first is the same mapping.
      const listed = await resolver.resolve([CORE_CONTEXT_URL, PARKING_URL]);
      expect(listed.expand('name')).toBe('https://smartdatamodels.org/name');
      expect(ctx.linkHeader).toContain(`<${PARKING_URL}>`);
    },
  );

  it('expands compact IRIs and absolute IRIs, compacts with prefixes', async () => {
    const { resolver } = resolverWith({ fetchContexts: false });
    const ctx = await resolver.resolve({ schema: 'https://schema.org/', Shop: 'schema:Store' });
    expect(ctx.expand('schema:name')).toBe('https://schema.org/name');
    expect(ctx.compact('https://schema.org/name')).toBe('schema:name');
    expect(ctx.expand('Shop')).toBe('https://schema.org/Store');
    expect(ctx.compact('https://schema.org/Store')).toBe('Shop');
    expect(ctx.expand('https://example.org/x')).toBe('https://example.org/x');
    expect(ctx.expand('urn:x:y')).toBe('urn:x:y');
    expect(ctx.expand('plain')).toBe('plain');
    expect(ctx.compact('plain')).toBe('plain');
  });

  it('rejects an invalid context with BadRequestData', async () => {
    const { resolver } = resolverWith({ fetchContexts: false });
    const err = await failure(resolver.resolve({ bad: { '@id': 42 } }));
    expect(err.code).toBe('BadRequestData');
    expect((await failure(resolver.resolve(42))).code).toBe('BadRequestData');
  });
});

describe('remote contexts', () => {
  it('are fetched once, then served from memory and from the store', async () => {
    const { resolver } = resolverWith();
    const url = `${base}/ctx.jsonld`;
    const ctx = await resolver.resolve(url);
    expect(ctx.expand('speed')).toBe('https://example.org/speed');
    await resolver.resolve([url, { other: 'https://example.org/other' }]);
    await Promise.all([1, 2, 3].map(() => resolver.resolve(url)));
    expect(hits.get('/ctx.jsonld')).toBe(1);
    // A new broker on the same store does not fetch again.
    const again = resolverWith();
    expect((await again.resolver.resolve(url)).expand('speed')).toBe('https://example.org/speed');
    expect(hits.get('/ctx.jsonld')).toBe(1);
    const held = await again.registry.find(url);
    expect(held).toMatchObject({ kind: 'Cached', url, origin: 'fetched' });
  });

  it('follows context URLs inside fetched documents', async () => {
    const { resolver } = resolverWith();
    const ctx = await resolver.resolve(`${base}/nested.jsonld`);
    expect(ctx.expand('car')).toBe('https://example.org/Car');
    expect(ctx.expand('speed')).toBe('https://example.org/speed');
  });

  it('are LdContextNotAvailable (503) when they cannot be had', async () => {
    const { resolver } = resolverWith();
    for (const path of ['/missing.jsonld', '/huge.jsonld', '/not-json']) {
      const err = await failure(resolver.resolve(`${base}${path}`));
      expect(err.code).toBe('LdContextNotAvailable');
    }
    const closed = await failure(resolver.resolve('http://127.0.0.1:1/ctx.jsonld'));
    expect(closed.code).toBe('LdContextNotAvailable');
    const disabled = resolverWith({ fetchContexts: false });
    const err = await failure(disabled.resolver.resolve(`${base}/ctx.jsonld`));
    expect(err.code).toBe('LdContextNotAvailable');
    expect(err.message).toContain('jsonldContexts?url=');
    expect(hits.get('/ctx.jsonld')).toBeUndefined();
  });

  it('an operator-registered copy resolves the URL without fetching; deleting it forgets it', async () => {
    const { resolver, registry } = resolverWith({ fetchContexts: false });
    const url = 'https://example.com/remote/context.jsonld';
    await registry.register(url, { '@context': { road: 'https://example.org/Road' } });
    expect((await resolver.resolve(url)).expand('road')).toBe('https://example.org/Road');
    const held = await registry.find(url);
    await registry.remove(held?.localId ?? '', false);
    expect((await failure(resolver.resolve(url))).code).toBe('LdContextNotAvailable');
  });
});
