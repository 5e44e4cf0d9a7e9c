// ETSI GS CIM 009 v1.8 clauses 5.7.5 (Retrieve Available Entity Types), 5.7.6 (details of
// entity types), 5.7.7 (Entity Type Information), 5.7.8 (Available Attributes), 5.7.9
// (details of attributes), 5.7.10 (Attribute Information); data types 5.2.24-5.2.28.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_VOCAB, expectProblem, link, useBroker } from './helpers/broker.js';

const ALIAS_CTX = 'https://example.org/conformance/alias-context.jsonld';
const b = useBroker(
  {
    preloadedContexts: {
      [ALIAS_CTX]: {
        '@context': { Bldg: `${DEFAULT_VOCAB}Building`, altitude: `${DEFAULT_VOCAB}height` },
      },
    },
  },
  'file',
);
const CORE_NAME = 'https://uri.etsi.org/ngsi-ld/name';
const P = (value: unknown) => ({ type: 'Property', value });

beforeAll(async () => {
  const res = await b.api.post('/entityOperations/create', [
    {
      id: 'urn:ngsi-ld:Building:d1',
      type: 'Building',
      name: P('One'),
      height: P(10),
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [1, 2] } },
      owner: { type: 'Relationship', object: 'urn:ngsi-ld:Person:p' },
    },
    {
      id: 'urn:ngsi-ld:Building:d2',
      type: 'Building',
      name: P('Two'),
      owner: { type: 'Relationship', object: 'urn:ngsi-ld:Person:q' },
    },
    { id: 'urn:ngsi-ld:Vehicle:d3', type: 'Vehicle', name: P('Three'), speed: P(3) },
  ]);
  expect(res.status, res.text).toBe(201);
});

const sorted = (l: string[]) => [...l].sort();

describe('5.7.5 Retrieve Available Entity Types (GET /types)', () => {
  it('5.2.24: answers an EntityTypeList with every type in use', async () => {
    const res = await b.api.get('/types');
    expect(res.status, res.text).toBe(200);
    expect(res.body.type).toBe('EntityTypeList');
    expect(res.body.id).toMatch(/^urn:ngsi-ld:EntityTypeList:/);
    expect(sorted(res.body.typeList)).toEqual(['Building', 'Vehicle']);
  });

  it('5.7.5: type names are compacted with the @context of the request', async () => {
    const res = await b.api.get('/types', { link: link(ALIAS_CTX) });
    expect(sorted(res.body.typeList)).toEqual(['Bldg', 'Vehicle']);
  });

  it('5.7.5: Accept application/ld+json puts the @context into the body', async () => {
    const res = await b.api.get('/types', { accept: 'application/ld+json' });
    expect(res.headers['content-type']).toMatch(/^application\/ld\+json/);
    expect(res.body['@context']).toBeDefined();
  });
});

describe('5.7.6 Retrieve Details of Available Entity Types (GET /types?details=true)', () => {
  it('5.2.25: answers one EntityType per type with its attribute names', async () => {
    const res = await b.api.get('/types?details=true');
    expect(res.status, res.text).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    const building = res.body.find((t: { typeName: string }) => t.typeName === 'Building');
    expect(building).toMatchObject({ id: `${DEFAULT_VOCAB}Building`, type: 'EntityType' });
    expect(sorted(building.attributeNames)).toEqual(['height', 'location', 'name', 'owner']);
    const vehicle = res.body.find((t: { typeName: string }) => t.typeName === 'Vehicle');
    expect(sorted(vehicle.attributeNames)).toEqual(['name', 'speed']);
  });
});

describe('5.7.7 Retrieve Available Entity Type Information (GET /types/{type})', () => {
  it('5.2.26: answers EntityTypeInfo with entityCount and attributeDetails', async () => {
    const res = await b.api.get('/types/Building');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      id: `${DEFAULT_VOCAB}Building`,
      type: 'EntityTypeInfo',
      typeName: 'Building',
      entityCount: 2,
    });
    const details = Object.fromEntries(
      res.body.attributeDetails.map((a: { attributeName: string }) => [a.attributeName, a]),
    );
    expect(Object.keys(details).sort()).toEqual(['height', 'location', 'name', 'owner']);
    expect(details.owner).toMatchObject({
      id: `${DEFAULT_VOCAB}owner`,
      type: 'Attribute',
      attributeTypes: ['Relationship'],
    });
    expect(details.location.attributeTypes).toEqual(['GeoProperty']);
    expect(details.name.attributeTypes).toEqual(['Property']);
  });

  it('5.7.7: the type may be given as a full IRI (URL-encoded)', async () => {
    const res = await b.api.get(`/types/${encodeURIComponent(`${DEFAULT_VOCAB}Vehicle`)}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.entityCount).toBe(1);
  });

  it('5.7.7: the type may be given as a term of the request @context', async () => {
    const res = await b.api.get('/types/Bldg', { link: link(ALIAS_CTX) });
    expect(res.status, res.text).toBe(200);
    expect(res.body.typeName).toBe('Bldg');
    expect(res.body.entityCount).toBe(2);
  });

  it('5.7.7: 404 ResourceNotFound for a type with no entities', async () => {
    expectProblem(await b.api.get('/types/Spaceship'), 404, 'ResourceNotFound');
  });
});

describe('5.7.8 Retrieve Available Attributes (GET /attributes)', () => {
  it('5.2.27: answers an AttributeList with every attribute name in use', async () => {
    const res = await b.api.get('/attributes');
    expect(res.status, res.text).toBe(200);
    expect(res.body.type).toBe('AttributeList');
    expect(res.body.id).toMatch(/^urn:ngsi-ld:AttributeList:/);
    expect(sorted(res.body.attributeList)).toEqual([
      'height',
      'location',
      'name',
      'owner',
      'speed',
    ]);
  });

  it('5.7.8: attribute names are compacted with the @context of the request', async () => {
    const res = await b.api.get('/attributes', { link: link(ALIAS_CTX) });
    expect(res.body.attributeList).toContain('altitude');
    expect(res.body.attributeList).not.toContain('height');
  });
});

describe('5.7.9 Retrieve Details of Available Attributes (GET /attributes?details=true)', () => {
  it('5.2.28: answers one Attribute per name with attributeTypes and typeNames', async () => {
    const res = await b.api.get('/attributes?details=true');
    expect(res.status, res.text).toBe(200);
    const name = res.body.find((a: { attributeName: string }) => a.attributeName === 'name');
    // name is a core term (ngsi-ld:name), so its IRI is in the core namespace.
    expect(name).toMatchObject({ id: CORE_NAME, type: 'Attribute' });
    expect(name.attributeTypes).toEqual(['Property']);
    expect(sorted(name.typeNames)).toEqual(['Building', 'Vehicle']);
  });
});

describe('5.7.10 Retrieve Available Attribute Information (GET /attributes/{attrId})', () => {
  it('5.2.28: answers the Attribute with attributeCount, attributeTypes and typeNames', async () => {
    const res = await b.api.get('/attributes/name');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      id: CORE_NAME,
      type: 'Attribute',
      attributeName: 'name',
      attributeCount: 3,
      attributeTypes: ['Property'],
    });
    expect(sorted(res.body.typeNames)).toEqual(['Building', 'Vehicle']);
  });

  it('5.7.10: a Relationship attribute reports attributeTypes ["Relationship"]', async () => {
    const res = await b.api.get('/attributes/owner');
    expect(res.body.attributeTypes).toEqual(['Relationship']);
    expect(res.body.attributeCount).toBe(2);
    expect(res.body.typeNames).toEqual(['Building']);
  });

  it('5.7.10: the attribute may be given as a full IRI', async () => {
    const res = await b.api.get(`/attributes/${encodeURIComponent(`${DEFAULT_VOCAB}speed`)}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.attributeCount).toBe(1);
  });

  it('5.7.10: 404 ResourceNotFound for an attribute no entity has', async () => {
    expectProblem(await b.api.get('/attributes/colour'), 404, 'ResourceNotFound');
  });
});
