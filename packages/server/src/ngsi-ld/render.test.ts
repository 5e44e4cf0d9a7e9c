import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CityError, type Entity } from '../core/index.js';
import { SqliteStore } from '../store/sqlite/index.js';
import {
  ContextRegistry,
  expandConcise,
  LdContextResolver,
  type LdContext,
  type StoredContext,
} from './context/index.js';
import {
  parseRenderOptions,
  renderEntities,
  renderEntity,
  setRepresentationHeaders,
  type RenderOptions,
} from './render.js';

const USER = { ex: 'https://example.org/', Shop: 'ex:Shop', name: 'ex:name', owner: 'ex:owner' };
let dir: string;
let store: SqliteStore;
let ctx: LdContext;
let core: LdContext;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cb-render-'));
  store = new SqliteStore({ file: join(dir, 'city.db'), synchronous: 'normal' });
  const registry = new ContextRegistry({
    collection: store.collection<StoredContext>('jsonldContexts'),
    fetchContexts: false,
  });
  const resolver = new LdContextResolver({ registry });
  ctx = await resolver.resolve(USER);
  core = await resolver.resolve(undefined);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = '2024-01-01T00:00:00.000Z';
/** A canonical entity (names compacted against the core context alone). */
const shop: Entity = {
  id: 'urn:ngsi-ld:Shop:1',
  type: 'https://example.org/Shop',
  createdAt: T0,
  modifiedAt: T0,
  'https://example.org/name': {
    type: 'LanguageProperty',
    languageMap: { en: 'Corner shop', fr: 'Épicerie' },
    createdAt: T0,
  },
  'https://example.org/owner': {
    type: 'Relationship',
    object: 'urn:ngsi-ld:Person:1',
    since: { type: 'Property', value: 2001, createdAt: T0 },
  },
  temperature: [
    { type: 'Property', value: 21, unitCode: 'CEL' },
    { type: 'Property', value: 22, datasetId: 'urn:ds:2' },
  ],
  address: { type: 'Property', value: { street: 'Main', value: 'tricky' } },
  tags: { type: 'Property', value: ['a', 'b'] },
  category: { type: 'VocabProperty', vocab: 'https://example.org/grocery' },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [1, 2] } },
};

const opts = (o: Partial<RenderOptions> = {}): RenderOptions => ({
  format: 'normalized',
  sysAttrs: false,
  ctx,
  mediaType: 'application/json',
  ...o,
});

describe('renderEntity', () => {
  it('normalized: names in the client context, no system attributes unless asked', () => {
    const out = renderEntity(shop, opts());
    expect(out.type).toBe('Shop');
    expect(out.createdAt).toBeUndefined();
    expect(out.name).toEqual({
      type: 'LanguageProperty',
      languageMap: { en: 'Corner shop', fr: 'Épicerie' },
    });
    expect(out.owner).toEqual({
      type: 'Relationship',
      object: 'urn:ngsi-ld:Person:1',
      since: { type: 'Property', value: 2001 },
    });
    expect(out.category).toEqual({ type: 'VocabProperty', vocab: 'ex:grocery' });
    expect(out['@context']).toBeUndefined();
    const sys = renderEntity(shop, opts({ sysAttrs: true }));
    expect(sys.createdAt).toBe(T0);
    expect((sys.owner as { since: { createdAt: string } }).since.createdAt).toBe(T0);
  });

  it('keyValues: values only; multi-attributes as a dataset map', () => {
    const out = renderEntity(shop, opts({ format: 'keyValues' }));
    expect(out).toEqual({
      id: 'urn:ngsi-ld:Shop:1',
      type: 'Shop',
      name: { languageMap: { en: 'Corner shop', fr: 'Épicerie' } },
      owner: 'urn:ngsi-ld:Person:1',
      temperature: { dataset: { '@none': 21, 'urn:ds:2': 22 } },
      address: { street: 'Main', value: 'tricky' },
      tags: ['a', 'b'],
      category: { vocab: 'ex:grocery' },
      location: { type: 'Point', coordinates: [1, 2] },
    });
  });

  it('concise: types dropped, plain values where unambiguous, and it reads back as the same entity', () => {
    const out = renderEntity(shop, opts({ format: 'concise', ctx: core }));
    expect(out).toEqual({
      id: 'urn:ngsi-ld:Shop:1',
      type: 'https://example.org/Shop',
      'https://example.org/name': { languageMap: { en: 'Corner shop', fr: 'Épicerie' } },
      'https://example.org/owner': { object: 'urn:ngsi-ld:Person:1', since: 2001 },
      temperature: [
        { value: 21, unitCode: 'CEL' },
        { value: 22, datasetId: 'urn:ds:2' },
      ],
      address: { value: { street: 'Main', value: 'tricky' } },
      tags: ['a', 'b'],
      category: { vocab: 'https://example.org/grocery' },
      location: { type: 'Point', coordinates: [1, 2] },
    });
    const normalized = renderEntity(shop, opts({ ctx: core }));
    expect(expandConcise(out)).toEqual(normalized);
  });

  it('pick / omit / attrs select members; lang picks one language', () => {
    expect(
      renderEntity(shop, opts({ pick: ['id', 'https://example.org/owner'], format: 'keyValues' })),
    ).toEqual({
      id: 'urn:ngsi-ld:Shop:1',
      owner: 'urn:ngsi-ld:Person:1',
    });
    const omitted = renderEntity(shop, opts({ omit: ['id', 'temperature'] }));
    expect(omitted.id).toBeUndefined();
    expect(omitted.temperature).toBeUndefined();
    expect(omitted.type).toBe('Shop');
    expect(Object.keys(renderEntity(shop, opts({ attrs: ['tags'] })))).toEqual([
      'id',
      'type',
      'tags',
    ]);
    expect(
      renderEntity(shop, opts({ lang: 'fr', attrs: ['https://example.org/name'] })).name,
    ).toEqual({
      type: 'Property',
      value: 'Épicerie',
      lang: 'fr',
    });
    expect(renderEntity(shop, opts({ lang: 'de,en;q=0.5', format: 'keyValues' })).name).toBe(
      'Corner shop',
    );
  });

  it('application/ld+json carries the request @context; geo+json gives Features', () => {
    expect(renderEntity(shop, opts({ mediaType: 'application/ld+json' }))['@context']).toEqual(
      USER,
    );
    const feature = renderEntity(
      shop,
      opts({ mediaType: 'application/geo+json', format: 'keyValues' }),
    );
    expect(feature.type).toBe('Feature');
    expect(feature.id).toBe(shop.id);
    expect(feature.geometry).toEqual({ type: 'Point', coordinates: [1, 2] });
    expect((feature.properties as Record<string, unknown>).type).toBe('Shop');
    expect(feature['@context']).toEqual(USER);
    const collection = renderEntities(
      [shop, { id: 'urn:x:2', type: 'Shop' }],
      opts({ mediaType: 'application/geo+json' }),
    );
    expect(collection).toMatchObject({ type: 'FeatureCollection', '@context': USER });
    const features = (collection as { features: Record<string, unknown>[] }).features;
    expect(features[1]?.geometry).toBeNull();
    expect(features[0]?.['@context']).toBeUndefined();
    expect(renderEntities([shop], opts())).toHaveLength(1);
  });
});

describe('parseRenderOptions', () => {
  it('reads options, format, names (expanded with the context) and lang', () => {
    const o = parseRenderOptions(
      {
        options: 'keyValues,sysAttrs',
        pick: 'id,name',
        attrs: ['name', 'tags'],
        lang: 'fr',
        geometryProperty: 'location',
      },
      ctx,
      'application/json',
    );
    expect(o).toMatchObject({
      format: 'keyValues',
      sysAttrs: true,
      pick: ['id', 'https://example.org/name'],
      attrs: ['https://example.org/name', 'tags'],
      lang: 'fr',
      geometryProperty: 'location',
    });
    expect(
      parseRenderOptions({ options: 'keyValues', format: 'concise' }, ctx, 'application/json')
        .format,
    ).toBe('concise');
    expect(parseRenderOptions({ format: 'simplified' }, ctx, 'application/json').format).toBe(
      'keyValues',
    );
    expect(
      parseRenderOptions({ options: 'noOverwrite' }, ctx, 'application/json', ['noOverwrite'])
        .format,
    ).toBe('normalized');
  });

  it.each([
    [{ options: 'keyValues,concise' }],
    [{ options: 'fancy' }],
    [{ format: 'xml' }],
    [{ pick: 'a', omit: 'b' }],
    [{ attrs: 'a,,b' }],
    [{ lang: 'en;q=2' }],
    [{ geometryProperty: 'a,b' }],
  ])('refuses %j with BadRequestData', (query) => {
    expect(() => parseRenderOptions(query, ctx, 'application/json')).toThrow(CityError);
  });
});

describe('setRepresentationHeaders', () => {
  it('names the request context in a Link header for application/json only', async () => {
    const app = Fastify();
    app.get('/json', (_r, reply) =>
      setRepresentationHeaders(reply, { ctx, mediaType: 'application/json' }).send({}),
    );
    app.get('/ld', (_r, reply) =>
      setRepresentationHeaders(reply, { ctx: core, mediaType: 'application/ld+json' }).send({}),
    );
    const json = await app.inject('/json');
    expect(json.headers['content-type']).toContain('application/json');
    expect(json.headers.link).toBe(ctx.linkHeader);
    expect(json.headers.link).toContain('rel="http://www.w3.org/ns/json-ld#context"');
    const ld = await app.inject('/ld');
    expect(ld.headers['content-type']).toContain('application/ld+json');
    expect(ld.headers.link).toBeUndefined();
    await app.close();
  });
});
