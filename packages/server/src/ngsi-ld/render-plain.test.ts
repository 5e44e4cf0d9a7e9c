import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Entity } from '../core/index.js';
import { SqliteStore } from '../store/sqlite/index.js';
import {
  ContextRegistry,
  LdContextResolver,
  type LdContext,
  type StoredContext,
} from './context/index.js';
import { plainEntityJson } from './render-plain.js';
import { renderEntity, renderEntityJson, type RenderOptions } from './render.js';

const USER = {
  ex: 'https://example.org/',
  Shop: 'ex:Shop',
  name: 'ex:name',
  owner: 'ex:owner',
  note: 'ex:note',
  Color: 'ex:Color',
};
const T = '2026-01-01T00:00:00.000Z';
let dir: string;
let store: SqliteStore;
let ctx: LdContext;
let core: LdContext;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cb-render-plain-'));
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

/** Canonical entities with every shape the plain path must get right. */
function entities(): Entity[] {
  const sys = { createdAt: T, modifiedAt: T };
  return [
    {
      id: 'urn:ngsi-ld:Shop:1',
      type: 'https://example.org/Shop',
      ...sys,
      'https://example.org/name': {
        type: 'Property',
        value: { createdAt: 'kept: a value is not touched', nested: { modifiedAt: 1 } },
        ...sys,
        'https://example.org/note': {
          type: 'Property',
          value: 'sub',
          ...sys,
          'https://example.org/note': { type: 'Property', value: 'subsub', ...sys },
        },
      },
      'https://example.org/owner': [
        { type: 'Relationship', object: 'urn:a', datasetId: 'urn:d:1', ...sys },
        { type: 'Relationship', object: 'urn:b', objectType: 'https://example.org/Shop', ...sys },
      ],
      color: { type: 'VocabProperty', vocab: ['https://example.org/Color', 'red'], ...sys },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [1, 2] }, ...sys },
      temperature: { type: 'Property', value: 21.5, unitCode: 'CEL', observedAt: T, ...sys },
    },
    // Members in an unusual order, a deletedAt, an @context and several types.
    {
      type: ['Building', 'https://example.org/Shop'],
      temperature: { type: 'Property', value: 1 },
      deletedAt: T,
      id: 'urn:ngsi-ld:Building:2',
      scope: '/a/b',
      '@context': 'https://example.org/ctx.jsonld',
      modifiedAt: T,
    },
  ];
}

const options = (c: LdContext, extra: Partial<RenderOptions> = {}): RenderOptions => ({
  format: 'normalized',
  sysAttrs: false,
  ctx: c,
  mediaType: 'application/json',
  ...extra,
});

describe('the plain rendering (normalized, no sysAttrs, nothing picked)', () => {
  it('is exactly the general rendering, member order included', () => {
    for (const c of [ctx, core])
      for (const e of entities()) {
        // `omit: []` drops nothing but takes the general path.
        const general = renderEntity(e, options(c, { omit: [] }));
        const plain = renderEntity(e, options(c));
        expect(JSON.stringify(plain)).toBe(JSON.stringify(general));
      }
  });

  it('drops system attributes at every level but leaves values alone', () => {
    const body = renderEntity(entities()[0]!, options(ctx));
    expect(body).not.toHaveProperty('createdAt');
    expect(body.name).toEqual({
      type: 'Property',
      value: { createdAt: 'kept: a value is not touched', nested: { modifiedAt: 1 } },
      note: { type: 'Property', value: 'sub', note: { type: 'Property', value: 'subsub' } },
    });
    expect(body.owner).toEqual([
      { type: 'Relationship', object: 'urn:a', datasetId: 'urn:d:1' },
      { type: 'Relationship', object: 'urn:b', objectType: 'Shop' },
    ]);
    expect(body.color).toEqual({ type: 'VocabProperty', vocab: ['Color', 'red'] });
  });

  it('as JSON text puts id and type first and is remembered per entity and context', () => {
    const [shop, building] = entities();
    const text = renderEntityJson(building!, options(ctx));
    expect(text.startsWith('{"id":"urn:ngsi-ld:Building:2","type":["Building","Shop"],')).toBe(
      true,
    );
    expect(JSON.parse(text)).toEqual(renderEntity(building!, options(ctx)));
    expect(plainEntityJson(shop!, ctx)).toBe(plainEntityJson(shop!, ctx));
    expect(JSON.parse(plainEntityJson(shop!, core))).toEqual(renderEntity(shop!, options(core)));
    // Other options go the general way, id and type first as well.
    const kv = renderEntityJson(building!, options(ctx, { format: 'keyValues', sysAttrs: true }));
    expect(kv.startsWith('{"id":"urn:ngsi-ld:Building:2","type":')).toBe(true);
    expect(JSON.parse(kv)).toEqual(
      renderEntity(building!, options(ctx, { format: 'keyValues', sysAttrs: true })),
    );
  });
});
