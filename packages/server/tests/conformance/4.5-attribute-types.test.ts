// ETSI GS CIM 009 v1.8 clause 4.5 (NGSI-LD data representation): LanguageProperty (4.5.18),
// VocabProperty (4.5.20), ListProperty (4.5.21), ListRelationship (4.5.22), JsonProperty
// (4.5.24), multi-attributes (4.5.5), NGSI-LD Null (4.5.8), and lang (4.15).
import { describe, expect, it } from 'vitest';
import { CORE_CONTEXT, expectProblem, link, urn, useBroker } from './helpers/broker.js';

const VOCAB_CTX = 'https://example.org/conformance/vocab-context.jsonld';
const b = useBroker(
  {
    preloadedContexts: {
      [VOCAB_CTX]: {
        '@context': {
          Sports: 'https://example.org/ontology/Sports',
          Music: 'https://example.org/ontology/Music',
          category: 'https://example.org/ontology/category',
        },
      },
    },
  },
  'file',
);
const path = (id: string) => `/entities/${encodeURIComponent(id)}`;

async function create(attrs: Record<string, unknown>, type = 'Venue') {
  const id = urn(type);
  const res = await b.api.post('/entities', { id, type, ...attrs });
  expect(res.status, res.text).toBe(201);
  return id;
}
const get = async (id: string, qs = '', headers?: Record<string, string>) =>
  (await b.api.get(`${path(id)}${qs}`, headers)).body;

const name = {
  type: 'LanguageProperty',
  languageMap: { en: 'Concert hall', fr: 'Salle de concert', de: 'Konzertsaal' },
};

describe('4.5.18 LanguageProperty', () => {
  it('4.5.18: a LanguageProperty with a languageMap round-trips in normalized form', async () => {
    const id = await create({ name });
    expect((await get(id)).name).toEqual(name);
  });

  it('4.5.18: keyValues renders a LanguageProperty as { languageMap }', async () => {
    const id = await create({ name });
    expect((await get(id, '?options=keyValues')).name).toEqual({ languageMap: name.languageMap });
  });

  it('4.15: lang=fr renders it as a Property holding the French string, with a lang sub-attribute', async () => {
    const id = await create({ name });
    expect((await get(id, '?lang=fr')).name).toEqual({
      type: 'Property',
      value: 'Salle de concert',
      lang: 'fr',
    });
  });

  it('4.15: lang=de with keyValues renders the German string alone', async () => {
    const id = await create({ name });
    expect((await get(id, '?lang=de&options=keyValues')).name).toBe('Konzertsaal');
  });

  it('4.15: lang also applies to query results (GET /entities)', async () => {
    const type = `Venue${Date.now()}`;
    await create({ name }, type);
    const res = await b.api.get(`/entities?type=${type}&lang=en`);
    expect(res.body[0].name).toEqual({ type: 'Property', value: 'Concert hall', lang: 'en' });
  });

  it('4.15: lang leaves ordinary Properties untouched', async () => {
    const id = await create({ name, capacity: { type: 'Property', value: 500 } });
    expect((await get(id, '?lang=fr')).capacity).toEqual({ type: 'Property', value: 500 });
  });

  it('4.5.18: 400 BadRequestData when languageMap is not a map of language tags to strings', async () => {
    expectProblem(
      await b.api.post('/entities', {
        id: urn('Venue'),
        type: 'Venue',
        name: { type: 'LanguageProperty', languageMap: 'Concert hall' },
      }),
      400,
      'BadRequestData',
    );
  });
});

describe('4.5.20 VocabProperty', () => {
  it('4.5.20: a VocabProperty round-trips in normalized form', async () => {
    const id = await create({ category: { type: 'VocabProperty', vocab: 'Sports' } });
    expect((await get(id)).category).toEqual({ type: 'VocabProperty', vocab: 'Sports' });
  });

  it('4.5.20: a list of vocab terms round-trips', async () => {
    const id = await create({ category: { type: 'VocabProperty', vocab: ['Sports', 'Music'] } });
    expect((await get(id)).category).toEqual({ type: 'VocabProperty', vocab: ['Sports', 'Music'] });
  });

  it("4.5.20: vocab values are expanded with the @context and compacted back with the caller's", async () => {
    const id = urn('Venue');
    const res = await b.api.post(
      '/entities',
      { id, type: 'Venue', category: { type: 'VocabProperty', vocab: 'Sports' } },
      { link: link(VOCAB_CTX) },
    );
    expect(res.status, res.text).toBe(201);
    // With the same context the term comes back; with the core context alone, the full IRI.
    expect((await get(id, '', { link: link(VOCAB_CTX) })).category.vocab).toBe('Sports');
    const plain = await get(id);
    const attr = plain.category ?? plain['https://example.org/ontology/category'];
    expect(attr.vocab).toBe('https://example.org/ontology/Sports');
  });

  it('4.5.20: keyValues renders the vocab value (optionally wrapped as { vocab })', async () => {
    const id = await create({ category: { type: 'VocabProperty', vocab: 'Sports' } });
    const kv = (await get(id, '?options=keyValues')).category;
    expect(typeof kv === 'string' ? kv : kv.vocab).toBe('Sports');
  });

  it('4.5.20: 400 BadRequestData when vocab is not a string or list of strings', async () => {
    expectProblem(
      await b.api.post('/entities', {
        id: urn('Venue'),
        type: 'Venue',
        category: { type: 'VocabProperty', vocab: 3 },
      }),
      400,
      'BadRequestData',
    );
  });
});

describe('4.5.24 JsonProperty', () => {
  const json = { '@id': 'not-expanded', type: 'NotAnNgsiType', nested: [1, { x: null }] };

  it('4.5.24: the json member is kept verbatim, never interpreted as JSON-LD', async () => {
    const id = await create({ config: { type: 'JsonProperty', json } });
    expect((await get(id)).config).toEqual({ type: 'JsonProperty', json });
  });

  it('4.5.24: keyValues renders the json value (optionally wrapped as { json })', async () => {
    const id = await create({ config: { type: 'JsonProperty', json } });
    const kv = (await get(id, '?options=keyValues')).config;
    expect(kv).toSatisfy(
      (v: unknown) =>
        JSON.stringify(v) === JSON.stringify(json) ||
        JSON.stringify(v) === JSON.stringify({ json }),
    );
  });

  it('4.5.24: 400 BadRequestData when json is missing', async () => {
    expectProblem(
      await b.api.post('/entities', {
        id: urn('Venue'),
        type: 'Venue',
        config: { type: 'JsonProperty' },
      }),
      400,
      'BadRequestData',
    );
  });
});

describe('4.5.21 ListProperty and 4.5.22 ListRelationship', () => {
  it('4.5.21: a ListProperty keeps the order of valueList', async () => {
    const id = await create({
      readings: { type: 'ListProperty', valueList: [3, 1, 2, 'x', true] },
    });
    expect((await get(id)).readings).toEqual({
      type: 'ListProperty',
      valueList: [3, 1, 2, 'x', true],
    });
  });

  it('4.5.21: keyValues renders a ListProperty as its ordered list', async () => {
    const id = await create({ readings: { type: 'ListProperty', valueList: [3, 1, 2] } });
    const kv = (await get(id, '?options=keyValues')).readings;
    expect(Array.isArray(kv) ? kv : kv.valueList).toEqual([3, 1, 2]);
  });

  it('4.5.21: 400 BadRequestData when valueList is not an array', async () => {
    expectProblem(
      await b.api.post('/entities', {
        id: urn('Venue'),
        type: 'Venue',
        readings: { type: 'ListProperty', valueList: 3 },
      }),
      400,
      'BadRequestData',
    );
  });

  it('4.5.22: a ListRelationship keeps its ordered objectList', async () => {
    const objectList = [
      { object: 'urn:ngsi-ld:Person:c' },
      { object: 'urn:ngsi-ld:Person:a' },
      { object: 'urn:ngsi-ld:Person:b' },
    ];
    const id = await create({ queue: { type: 'ListRelationship', objectList } });
    const got = (await get(id)).queue;
    expect(got.type).toBe('ListRelationship');
    expect(
      got.objectList.map((o: string | { object: string }) =>
        typeof o === 'string' ? o : o.object,
      ),
    ).toEqual(['urn:ngsi-ld:Person:c', 'urn:ngsi-ld:Person:a', 'urn:ngsi-ld:Person:b']);
  });

  it('4.5.22: 400 BadRequestData when an objectList member is not a URI', async () => {
    expectProblem(
      await b.api.post('/entities', {
        id: urn('Venue'),
        type: 'Venue',
        queue: { type: 'ListRelationship', objectList: [{ object: 'nope' }] },
      }),
      400,
      'BadRequestData',
    );
  });

  it('4.5.22: keyValues renders a ListRelationship as its ordered list of entity ids', async () => {
    const id = await create({
      queue: {
        type: 'ListRelationship',
        objectList: [{ object: 'urn:ngsi-ld:Person:b' }, { object: 'urn:ngsi-ld:Person:a' }],
      },
    });
    const kv = (await get(id, '?options=keyValues')).queue;
    const list = Array.isArray(kv) ? kv : kv.objectList;
    expect(
      list.map((o: string | { object: string }) => (typeof o === 'string' ? o : o.object)),
    ).toEqual(['urn:ngsi-ld:Person:b', 'urn:ngsi-ld:Person:a']);
  });
});

describe('4.5.5 Multi-attributes (several instances distinguished by datasetId)', () => {
  const instances = [
    { type: 'Property', value: 20 },
    { type: 'Property', value: 21, datasetId: 'urn:ngsi-ld:Dataset:a' },
    { type: 'Property', value: 22, datasetId: 'urn:ngsi-ld:Dataset:b' },
  ];

  it('4.5.5: an attribute given as an array of instances is kept with every instance', async () => {
    const id = await create({ temperature: instances });
    const t = (await get(id)).temperature;
    expect(t).toHaveLength(3);
    expect(t).toEqual(expect.arrayContaining(instances));
  });

  it('4.5.5: 400 BadRequestData when two instances have no datasetId', async () => {
    expectProblem(
      await b.api.post('/entities', {
        id: urn('Venue'),
        type: 'Venue',
        temperature: [
          { type: 'Property', value: 1 },
          { type: 'Property', value: 2 },
        ],
      }),
      400,
      'BadRequestData',
    );
  });

  it('4.5.5: attrs selects every instance of a multi-attribute', async () => {
    const id = await create({ temperature: instances, other: { type: 'Property', value: 0 } });
    const got = await get(id, '?attrs=temperature');
    expect(got.other).toBeUndefined();
    expect(got.temperature).toHaveLength(3);
  });

  it('4.5.5: a multi-attribute may mix attribute instances of GeoProperty type', async () => {
    const loc = [
      { type: 'GeoProperty', value: { type: 'Point', coordinates: [1, 2] } },
      {
        type: 'GeoProperty',
        value: { type: 'Point', coordinates: [3, 4] },
        datasetId: 'urn:ngsi-ld:Dataset:gps',
      },
    ];
    const id = await create({ location: loc });
    expect((await get(id)).location).toEqual(expect.arrayContaining(loc));
  });
});

describe('4.5.8 NGSI-LD Null', () => {
  it('4.5.8: "urn:ngsi-ld:null" is not stored as a value on creation of a new attribute via append', async () => {
    const id = await create({ a: { type: 'Property', value: 1 } });
    await b.api.post(`${path(id)}/attrs`, { a: { type: 'Property', value: 'urn:ngsi-ld:null' } });
    expect((await get(id)).a).toBeUndefined();
  });

  it('4.5.8: a Relationship whose object is NGSI-LD Null is deleted on merge', async () => {
    const id = await create({ r: { type: 'Relationship', object: 'urn:ngsi-ld:X:1' } });
    await b.api.patch(path(id), { r: { type: 'Relationship', object: 'urn:ngsi-ld:null' } });
    expect((await get(id)).r).toBeUndefined();
  });

  it('4.5.8: a LanguageProperty whose languageMap is {"@none": "urn:ngsi-ld:null"} is deleted on merge', async () => {
    const id = await create({ name });
    await b.api.patch(path(id), {
      name: { type: 'LanguageProperty', languageMap: { '@none': 'urn:ngsi-ld:null' } },
    });
    expect((await get(id)).name).toBeUndefined();
  });

  it('4.5.8: a bare "urn:ngsi-ld:null" in a keyValues merge deletes the attribute', async () => {
    const id = await create({
      a: { type: 'Property', value: 1 },
      b: { type: 'Property', value: 2 },
    });
    await b.api.patch(`${path(id)}?options=keyValues`, { a: 'urn:ngsi-ld:null' });
    const got = await get(id);
    expect(got.a).toBeUndefined();
    expect(got.b.value).toBe(2);
  });
});

describe('5.5.7 core @context terms keep their meaning', () => {
  it('5.5.7: an entity created with the core context in a Link header is stored like one without', async () => {
    const id = urn('Venue');
    const res = await b.api.post(
      '/entities',
      { id, type: 'Venue', capacity: { type: 'Property', value: 10 } },
      { link: link(CORE_CONTEXT) },
    );
    expect(res.status, res.text).toBe(201);
    expect((await get(id)).capacity.value).toBe(10);
  });
});
