import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './test-harness.js';

const id = 'urn:ngsi-ld:Building:b1';
const path = `/ngsi-ld/v1/entities/${id}`;
const building = {
  id,
  type: 'Building',
  name: { type: 'LanguageProperty', languageMap: { en: 'Town hall', fr: 'Mairie' } },
  floors: { type: 'Property', value: 4, observedAt: '2024-05-01T12:00:00Z' },
  address: { type: 'Property', value: { street: 'Main St' } },
  owner: { type: 'Relationship', object: 'urn:ngsi-ld:City:c1' },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [2.35, 48.85] } },
  createdAt: '1999-01-01T00:00:00Z',
};

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
  const res = await broker.app.inject({
    method: 'POST',
    url: '/ngsi-ld/v1/entities',
    payload: building,
  });
  expect(res.statusCode, res.body).toBe(201);
});
afterAll(() => broker.close());

const get = (qs: string, headers: Record<string, string> = {}) =>
  broker.app.inject({ url: `${path}?${qs}`, headers });
const body = async (qs: string) => (await get(qs)).json<Record<string, unknown>>();

describe('GET /entities/{id} representations', () => {
  it('hides system attributes unless options=sysAttrs, and never keeps client-sent ones', async () => {
    const plain = await body('');
    expect(plain).not.toHaveProperty('createdAt');
    expect(plain.floors).toEqual(building.floors);
    const sys = await body('options=sysAttrs');
    expect(sys.createdAt).not.toBe(building.createdAt);
    expect(Date.parse(sys.createdAt as string)).toBeGreaterThan(Date.now() - 60_000);
    expect(sys.modifiedAt).toBe(sys.createdAt);
    expect(sys.floors).toMatchObject({ value: 4, createdAt: sys.createdAt });
  });

  it('renders concise: no types, bare values where nothing else is said', async () => {
    expect(await body('options=concise')).toEqual({
      id,
      type: 'Building',
      name: { languageMap: { en: 'Town hall', fr: 'Mairie' } },
      floors: { value: 4, observedAt: '2024-05-01T12:00:00Z' },
      address: { street: 'Main St' },
      owner: { object: 'urn:ngsi-ld:City:c1' },
      location: { type: 'Point', coordinates: [2.35, 48.85] },
    });
    expect(await body('format=concise&attrs=floors')).toMatchObject({ floors: { value: 4 } });
  });

  it('picks and omits members, and refuses both together', async () => {
    expect(await body('pick=id,floors')).toEqual({ id, floors: building.floors });
    const omitted = await body('omit=type,name,address,owner,location');
    expect(omitted).toEqual({ id, floors: building.floors });
    expect((await get('pick=id&omit=type')).statusCode).toBe(400);
  });

  it('answers a LanguageProperty in one language with lang', async () => {
    expect((await body('lang=fr')).name).toEqual({ type: 'Property', value: 'Mairie', lang: 'fr' });
    expect((await body('lang=de&options=keyValues')).name).toBe('Town hall');
  });

  it('checks the type parameter and answers 404 when none of attrs is there', async () => {
    expect((await get('type=Building')).statusCode).toBe(200);
    expect((await get('type=Vehicle')).statusCode).toBe(404);
    expect((await get('attrs=height')).statusCode).toBe(404);
  });

  it('answers a GeoJSON Feature with Accept: application/geo+json', async () => {
    const res = await get('options=keyValues&attrs=floors', { accept: 'application/geo+json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
    expect(res.json()).toEqual({
      id,
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [2.35, 48.85] },
      properties: { type: 'Building', floors: 4 },
      '@context': expect.stringMatching(/ngsi-ld-core-context/),
    });
  });

  it('answers in the terms of the client @context (Link header)', async () => {
    const url = 'https://example.org/building-context.jsonld';
    const scoped = await startTestBroker({
      fetchContexts: false,
      preloadedContexts: { [url]: { '@context': { storeys: 'https://example.org/floors' } } },
    });
    try {
      const link = `<${url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
      const created = await scoped.app.inject({
        method: 'POST',
        url: '/ngsi-ld/v1/entities',
        headers: { link },
        payload: { id, type: 'Building', storeys: { type: 'Property', value: 4 } },
      });
      expect(created.statusCode, created.body).toBe(201);
      const withLink = await scoped.app.inject({ url: path, headers: { link } });
      expect(withLink.json()).toMatchObject({ storeys: { value: 4 } });
      expect(withLink.headers.link).toContain(url);
      const withoutLink = await scoped.app.inject({ url: path });
      expect(withoutLink.json()).toMatchObject({ 'https://example.org/floors': { value: 4 } });
    } finally {
      await scoped.close();
    }
  });

  it('accepts concise input', async () => {
    const res = await broker.app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entities',
      payload: {
        id: 'urn:ngsi-ld:Building:b2',
        type: 'Building',
        floors: 2,
        owner: { object: 'urn:ngsi-ld:City:c1' },
        location: { type: 'Point', coordinates: [1, 2] },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const got = await broker.app.inject({ url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Building:b2' });
    expect(got.json()).toEqual({
      id: 'urn:ngsi-ld:Building:b2',
      type: 'Building',
      floors: { type: 'Property', value: 2 },
      owner: { type: 'Relationship', object: 'urn:ngsi-ld:City:c1' },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [1, 2] } },
    });
  });
});
