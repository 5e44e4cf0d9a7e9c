import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEntity, type Entity } from '../../core/index.js';
import { SqliteStore } from '../../store/sqlite/index.js';
import { expandConcise } from './concise.js';
import { ContextRegistry } from './context-registry.js';
import { LdContextResolver } from './context-resolver.js';
import { compactEntity, expandEntity } from './entity-names.js';
import type { LdContext, StoredContext } from './types.js';

let dir: string;
let store: SqliteStore;
let user: LdContext;
let core: LdContext;

const USER = {
  ex: 'https://example.org/',
  Vehicle: 'https://example.org/Vehicle',
  Car: 'ex:Car',
  speed: 'https://example.org/speed',
  accuracy: 'https://example.org/accuracy',
  owner: 'https://example.org/owner',
  Person: 'https://example.org/Person',
  category: 'https://example.org/category',
  sports: 'https://example.org/sports',
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cb-names-'));
  store = new SqliteStore({ file: join(dir, 'city.db'), synchronous: 'normal' });
  const registry = new ContextRegistry({
    collection: store.collection<StoredContext>('jsonldContexts'),
    fetchContexts: false,
  });
  const resolver = new LdContextResolver({ registry });
  user = await resolver.resolve(USER);
  core = await resolver.resolve(undefined);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const written = {
  id: 'urn:ngsi-ld:Vehicle:1',
  type: ['Vehicle', 'Car'],
  '@context': USER,
  speed: {
    type: 'Property',
    value: 80,
    accuracy: { type: 'Property', value: 0.5, note: { type: 'Property', value: 'n' } },
    unitCode: 'KMH',
  },
  owner: [
    {
      type: 'Relationship',
      object: 'urn:ngsi-ld:Person:1',
      objectType: 'Person',
      datasetId: 'urn:ds:1',
    },
    { type: 'Relationship', object: 'urn:ngsi-ld:Person:2' },
  ],
  category: { type: 'VocabProperty', vocab: ['sports', 'ex:racing'] },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [1, 2] } },
  color: { type: 'Property', value: { speed: 'not a name' } },
};

describe('expandEntity / compactEntity', () => {
  it('expands types, attribute and sub-attribute names, vocab and objectType; not values', () => {
    const e = expandEntity(written, user);
    expect(e['@context']).toBeUndefined();
    expect(e.id).toBe(written.id);
    expect(e.type).toEqual(['https://example.org/Vehicle', 'https://example.org/Car']);
    const speed = e['https://example.org/speed'] as Record<string, unknown>;
    expect(speed.unitCode).toBe('KMH');
    expect(speed['https://example.org/accuracy']).toEqual({
      type: 'Property',
      value: 0.5,
      note: { type: 'Property', value: 'n' },
    });
    const owner = e['https://example.org/owner'] as Record<string, unknown>[];
    expect(owner[0]?.objectType).toBe('https://example.org/Person');
    expect(owner[1]?.object).toBe('urn:ngsi-ld:Person:2');
    expect(e['https://example.org/category']).toEqual({
      type: 'VocabProperty',
      vocab: ['https://example.org/sports', 'https://example.org/racing'],
    });
    expect(e.location).toEqual(written.location);
    // Unknown terms are in the default vocabulary: canonical short names; values untouched.
    expect(e.color).toEqual({ type: 'Property', value: { speed: 'not a name' } });
  });

  it('round-trips: compact(expand(x)) == x for names defined in the context', () => {
    const e = expandEntity(written, user) as Entity;
    const withoutContext: Record<string, unknown> = { ...written };
    delete withoutContext['@context'];
    expect(compactEntity(e, user)).toEqual({
      ...withoutContext,
      category: { type: 'VocabProperty', vocab: ['sports', 'ex:racing'] },
    });
  });

  it('shows other contexts IRIs in full under the core context', () => {
    const e = expandEntity(written, user) as Entity;
    const seen = compactEntity(e, core);
    expect(seen.type).toEqual(['https://example.org/Vehicle', 'https://example.org/Car']);
    expect(Object.keys(seen)).toContain('https://example.org/speed');
    expect(compactEntity(expandEntity(written, core) as Entity, core).speed).toBeDefined();
  });

  it('under the core context, default-vocabulary IRIs become short names', () => {
    const e = expandEntity(
      {
        id: 'urn:x:1',
        type: 'https://uri.etsi.org/ngsi-ld/default-context/Room',
        'https://uri.etsi.org/ngsi-ld/default-context/temperature': { type: 'Property', value: 1 },
      },
      core,
    );
    expect(e).toEqual({ id: 'urn:x:1', type: 'Room', temperature: { type: 'Property', value: 1 } });
  });
});

describe('expandConcise', () => {
  it('turns concise and keyValues members into normalized attributes (clause 4.5.10)', () => {
    const n = expandConcise({
      id: 'urn:x:1',
      type: 'T',
      '@context': 'https://example.org/ctx',
      scope: '/a',
      plain: 21,
      list: ['a', 'b'],
      address: { street: 'Main' },
      location: { type: 'Point', coordinates: [1, 2] },
      withSub: { value: 3, unitCode: 'CEL', accuracy: 0.1, observedAt: '2024-01-01T00:00:00Z' },
      rel: { object: 'urn:x:2', since: { value: 'x' } },
      names: { languageMap: { en: 'a', fr: 'b' } },
      kind: { vocab: 'sports' },
      raw: { json: { a: 1 } },
      seq: { valueList: [1, 2] },
      refs: { objectList: ['urn:x:3'] },
      normal: { type: 'Property', value: 1, sub: 5 },
      multi: [{ value: 1, datasetId: 'urn:ds:1' }, { value: 2 }],
      kv: { dataset: { '@none': 1, 'urn:ds:2': 2 } },
    });
    expect(n).toEqual({
      id: 'urn:x:1',
      type: 'T',
      '@context': 'https://example.org/ctx',
      scope: '/a',
      plain: { type: 'Property', value: 21 },
      list: { type: 'Property', value: ['a', 'b'] },
      address: { type: 'Property', value: { street: 'Main' } },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [1, 2] } },
      withSub: {
        type: 'Property',
        value: 3,
        unitCode: 'CEL',
        accuracy: { type: 'Property', value: 0.1 },
        observedAt: '2024-01-01T00:00:00Z',
      },
      rel: { type: 'Relationship', object: 'urn:x:2', since: { type: 'Property', value: 'x' } },
      names: { type: 'LanguageProperty', languageMap: { en: 'a', fr: 'b' } },
      kind: { type: 'VocabProperty', vocab: 'sports' },
      raw: { type: 'JsonProperty', json: { a: 1 } },
      seq: { type: 'ListProperty', valueList: [1, 2] },
      refs: { type: 'ListRelationship', objectList: ['urn:x:3'] },
      normal: { type: 'Property', value: 1, sub: { type: 'Property', value: 5 } },
      multi: [
        { type: 'Property', value: 1, datasetId: 'urn:ds:1' },
        { type: 'Property', value: 2 },
      ],
      kv: [
        { type: 'Property', value: 1 },
        { type: 'Property', value: 2, datasetId: 'urn:ds:2' },
      ],
    });
    const entity = { ...n };
    delete entity['@context'];
    expect(() => parseEntity(entity)).not.toThrow();
  });
});
