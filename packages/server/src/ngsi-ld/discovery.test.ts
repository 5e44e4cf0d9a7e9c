import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './test-harness.js';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';
const VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
  const res = await broker.app.inject({
    method: 'POST',
    url: '/ngsi-ld/v1/entityOperations/create',
    payload: [
      {
        id: 'urn:ngsi-ld:Parking:p1',
        type: 'Parking',
        free: { type: 'Property', value: 3 },
        operator: { type: 'Relationship', object: 'urn:ngsi-ld:Company:c1' },
      },
      { id: 'urn:ngsi-ld:Parking:p2', type: 'Parking', free: { type: 'Property', value: 0 } },
      { id: 'urn:ngsi-ld:Shop:s1', type: 'Shop', free: { type: 'Property', value: 1 } },
    ],
  });
  expect(res.statusCode, res.body).toBe(201);
});
afterAll(() => broker.close());

const get = (url: string, headers: Record<string, string> = {}) =>
  broker.app.inject({ url: `/ngsi-ld/v1${url}`, headers });

describe('GET /types', () => {
  it('lists types, or with details=true their attribute names', async () => {
    const list = await get('/types');
    expect(list.json()).toMatchObject({ type: 'EntityTypeList', typeList: ['Parking', 'Shop'] });
    expect(list.headers.link).toMatch(/ngsi-ld-core-context/);
    const details = await get('/types?details=true');
    expect(details.json()).toEqual([
      {
        id: `${VOCAB}Parking`,
        type: 'EntityType',
        typeName: 'Parking',
        attributeNames: ['free', 'operator'],
      },
      { id: `${VOCAB}Shop`, type: 'EntityType', typeName: 'Shop', attributeNames: ['free'] },
    ]);
  });

  it('describes one type (EntityTypeInfo), 404 for an unknown one', async () => {
    const res = await get('/types/Parking');
    expect(res.json()).toEqual({
      id: `${VOCAB}Parking`,
      type: 'EntityTypeInfo',
      typeName: 'Parking',
      entityCount: 2,
      attributeDetails: [
        {
          id: `${VOCAB}free`,
          type: 'Attribute',
          attributeName: 'free',
          attributeTypes: ['Property'],
        },
        {
          id: `${VOCAB}operator`,
          type: 'Attribute',
          attributeName: 'operator',
          attributeTypes: ['Relationship'],
        },
      ],
    });
    const missing = await get('/types/Nothing');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ type: `${ETSI}ResourceNotFound` });
  });
});

describe('GET /attributes', () => {
  it('lists attributes, or with details=true their counts, types and entity types', async () => {
    expect((await get('/attributes')).json()).toMatchObject({
      type: 'AttributeList',
      attributeList: ['free', 'operator'],
    });
    expect((await get('/attributes?details=true')).json()).toEqual([
      {
        id: `${VOCAB}free`,
        type: 'Attribute',
        attributeName: 'free',
        attributeCount: 3,
        attributeTypes: ['Property'],
        typeNames: ['Parking', 'Shop'],
      },
      {
        id: `${VOCAB}operator`,
        type: 'Attribute',
        attributeName: 'operator',
        attributeCount: 1,
        attributeTypes: ['Relationship'],
        typeNames: ['Parking'],
      },
    ]);
  });

  it('describes one attribute, 404 for an unknown one, JSON-LD on request', async () => {
    const res = await get('/attributes/operator', { accept: 'application/ld+json' });
    expect(res.headers['content-type']).toMatch(/^application\/ld\+json/);
    expect(res.json()).toMatchObject({ attributeName: 'operator', attributeCount: 1 });
    expect(res.json()).toHaveProperty('@context');
    expect((await get('/attributes/nothing')).statusCode).toBe(404);
    expect((await get('/attributes', { accept: 'application/geo+json' })).statusCode).toBe(406);
  });

  it('answers names in the client @context', async () => {
    const url = 'https://example.org/parking.jsonld';
    const scoped = await startTestBroker({
      fetchContexts: false,
      preloadedContexts: { [url]: { '@context': { available: `${VOCAB}free` } } },
    });
    try {
      await scoped.app.inject({
        method: 'POST',
        url: '/ngsi-ld/v1/entities',
        payload: {
          id: 'urn:ngsi-ld:Parking:p1',
          type: 'Parking',
          free: { type: 'Property', value: 1 },
        },
      });
      const link = `<${url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
      const res = await scoped.app.inject({
        url: '/ngsi-ld/v1/attributes/available',
        headers: { link },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ attributeName: 'available', id: `${VOCAB}free` });
    } finally {
      await scoped.close();
    }
  });
});
