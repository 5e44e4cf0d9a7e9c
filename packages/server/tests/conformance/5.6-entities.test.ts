// ETSI GS CIM 009 v1.8 clause 5.6 (context information provision, entities) and 5.7.1
// (retrieve entity), HTTP binding clause 6.4/6.5.
import { describe, expect, it } from 'vitest';
import { CORE_CONTEXT_RE, expectProblem, urn, useBroker } from './helpers/broker.js';

const b = useBroker({}, 'file');

/** A normalized Building entity with a unique id. */
function building(id = urn('Building')) {
  return {
    id,
    type: 'Building',
    name: { type: 'Property', value: 'Town hall' },
    height: {
      type: 'Property',
      value: 42.5,
      unitCode: 'MTR',
      observedAt: '2024-05-01T12:00:00.000Z',
    },
    address: {
      type: 'Property',
      value: { streetAddress: 'Main Street 1', postalCode: '10115' },
      verified: { type: 'Property', value: true },
    },
    owner: {
      type: 'Relationship',
      object: 'urn:ngsi-ld:Person:alice',
      since: { type: 'Property', value: '2019-01-01' },
    },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [13.4, 52.52] } },
  };
}

const path = (id: string) => `/entities/${encodeURIComponent(id)}`;

describe('5.6.1 Create Entity: "a new Entity is created" (POST /entities)', () => {
  it('6.4.3.1: answers 201 Created with a Location header /ngsi-ld/v1/entities/{entityId}', async () => {
    const e = building();
    const res = await b.api.post('/entities', e);
    expect(res.status, res.text).toBe(201);
    expect(res.headers.location).toBe(`/ngsi-ld/v1/entities/${e.id}`);
  });

  it('5.6.1: the created Entity is retrievable exactly as provided (normalized form)', async () => {
    const e = building();
    await b.api.post('/entities', e);
    const res = await b.api.get(path(e.id));
    expect(res.status).toBe(200);
    expect(res.body).toEqual(e);
  });

  it('5.6.1: "If an Entity with the same id already exists, AlreadyExists" (409)', async () => {
    const e = building();
    expect((await b.api.post('/entities', e)).status).toBe(201);
    expectProblem(await b.api.post('/entities', e), 409, 'AlreadyExists');
  });

  it('5.6.1: entity content is stored unchanged when the request is rejected as AlreadyExists', async () => {
    const e = building();
    await b.api.post('/entities', e);
    await b.api.post('/entities', { ...e, name: { type: 'Property', value: 'Other' } });
    expect((await b.api.get(path(e.id))).body.name.value).toBe('Town hall');
  });

  it.each([
    ['the id is missing', { type: 'Building' }],
    ['the type is missing', { id: 'urn:ngsi-ld:Building:no-type' }],
    ['the id is not a URI', { id: 'not a uri', type: 'Building' }],
    ['the type is not a string', { id: 'urn:ngsi-ld:Building:t', type: 42 }],
    [
      'a Property has no value',
      { id: 'urn:ngsi-ld:Building:v', type: 'Building', name: { type: 'Property' } },
    ],
    [
      'a Property value is null',
      { id: 'urn:ngsi-ld:Building:n', type: 'Building', name: { type: 'Property', value: null } },
    ],
    [
      'a Relationship has no object',
      { id: 'urn:ngsi-ld:Building:r', type: 'Building', owner: { type: 'Relationship' } },
    ],
    [
      'a Relationship object is not a URI',
      {
        id: 'urn:ngsi-ld:Building:r2',
        type: 'Building',
        owner: { type: 'Relationship', object: 'alice' },
      },
    ],
    [
      'a GeoProperty is not valid GeoJSON',
      {
        id: 'urn:ngsi-ld:Building:g',
        type: 'Building',
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: 'x' } },
      },
    ],
    [
      'an attribute has an unknown type',
      { id: 'urn:ngsi-ld:Building:u', type: 'Building', name: { type: 'Thing', value: 1 } },
    ],
    [
      'observedAt is not a DateTime',
      {
        id: 'urn:ngsi-ld:Building:o',
        type: 'Building',
        name: { type: 'Property', value: 1, observedAt: 'yesterday' },
      },
    ],
    [
      'a multi-attribute repeats a datasetId',
      {
        id: 'urn:ngsi-ld:Building:d',
        type: 'Building',
        name: [
          { type: 'Property', value: 1, datasetId: 'urn:ngsi-ld:Dataset:a' },
          { type: 'Property', value: 2, datasetId: 'urn:ngsi-ld:Dataset:a' },
        ],
      },
    ],
  ])('5.6.1/5.5.2: 400 BadRequestData when %s', async (_why, body) => {
    expectProblem(await b.api.post('/entities', body), 400, 'BadRequestData');
  });

  it('5.5.2: 400 InvalidRequest when the body is not valid JSON', async () => {
    expectProblem(await b.api.post('/entities', '{"id": "urn:x", '), 400, 'InvalidRequest');
  });

  it('4.16: an Entity may have several types; all are kept', async () => {
    const id = urn('Building');
    await b.api.post('/entities', { id, type: ['Building', 'Landmark'] });
    const res = await b.api.get(path(id));
    expect([res.body.type].flat().sort()).toEqual(['Building', 'Landmark']);
  });

  it('4.5.2: Property values of every JSON type (number, string, boolean, object, array) round-trip', async () => {
    const id = urn('Thing');
    const e = {
      id,
      type: 'Thing',
      n: { type: 'Property', value: -3.25 },
      s: { type: 'Property', value: 'text' },
      b: { type: 'Property', value: false },
      o: { type: 'Property', value: { a: [1, { b: null }] } },
      l: { type: 'Property', value: [1, 'two', true] },
    };
    await b.api.post('/entities', e);
    expect((await b.api.get(path(id))).body).toEqual(e);
  });

  it('4.5.3/4.5.4: properties of properties and properties of relationships are kept', async () => {
    const e = building();
    await b.api.post('/entities', e);
    const got = (await b.api.get(path(e.id))).body;
    expect(got.address.verified).toEqual({ type: 'Property', value: true });
    expect(got.owner.since).toEqual({ type: 'Property', value: '2019-01-01' });
  });

  it('4.7: scope is kept on creation and returned', async () => {
    const id = urn('Building');
    await b.api.post('/entities', { id, type: 'Building', scope: ['/Madrid/Centro'] });
    expect([(await b.api.get(path(id))).body.scope].flat()).toEqual(['/Madrid/Centro']);
  });
});

describe('5.7.1 Retrieve Entity (GET /entities/{entityId})', () => {
  it('5.7.1: 404 ResourceNotFound for an unknown entity id', async () => {
    expectProblem(await b.api.get(path('urn:ngsi-ld:Building:none')), 404, 'ResourceNotFound');
  });

  it('5.7.1: 400 BadRequestData when the entity id is not a URI', async () => {
    expectProblem(await b.api.get('/entities/not%20a%20uri'), 400, 'BadRequestData');
  });

  it('6.3.5: application/json answers carry a JSON-LD Link header naming the core @context', async () => {
    const e = building();
    await b.api.post('/entities', e);
    const res = await b.api.get(path(e.id));
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.link).toMatch(CORE_CONTEXT_RE);
    expect(res.headers.link).toContain('rel="http://www.w3.org/ns/json-ld#context"');
    expect(res.body['@context']).toBeUndefined();
  });

  it('6.3.5: Accept application/ld+json answers the @context in the body and no Link header', async () => {
    const e = building();
    await b.api.post('/entities', e);
    const res = await b.api.get(path(e.id), { accept: 'application/ld+json' });
    expect(res.headers['content-type']).toMatch(/^application\/ld\+json/);
    expect(JSON.stringify(res.body['@context'])).toMatch(CORE_CONTEXT_RE);
    expect(res.headers.link ?? '').not.toContain('json-ld#context');
  });

  it('5.7.1: attrs restricts the answer to the listed attributes; id and type are always present', async () => {
    const e = building();
    await b.api.post('/entities', e);
    const res = await b.api.get(`${path(e.id)}?attrs=name,owner,nonexistent`);
    expect(res.body).toEqual({ id: e.id, type: 'Building', name: e.name, owner: e.owner });
  });

  it('4.5.4/6.3.7: options=keyValues answers the simplified representation', async () => {
    const e = building();
    await b.api.post('/entities', e);
    const res = await b.api.get(`${path(e.id)}?options=keyValues`);
    expect(res.body).toEqual({
      id: e.id,
      type: 'Building',
      name: 'Town hall',
      height: 42.5,
      address: { streetAddress: 'Main Street 1', postalCode: '10115' },
      owner: 'urn:ngsi-ld:Person:alice',
      location: { type: 'Point', coordinates: [13.4, 52.52] },
    });
  });

  it('5.7.1: the type parameter, when given and not matching, yields 404 ResourceNotFound', async () => {
    const e = building();
    await b.api.post('/entities', e);
    expect((await b.api.get(`${path(e.id)}?type=Building`)).status).toBe(200);
    expectProblem(await b.api.get(`${path(e.id)}?type=Vehicle`), 404, 'ResourceNotFound');
  });
});

describe('4.8 Temporal properties: createdAt/modifiedAt, shown with options=sysAttrs', () => {
  const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

  it('4.8: without sysAttrs neither createdAt nor modifiedAt appear', async () => {
    const e = building();
    await b.api.post('/entities', e);
    const got = (await b.api.get(path(e.id))).body;
    expect(got.createdAt).toBeUndefined();
    expect(got.modifiedAt).toBeUndefined();
    expect(got.name.createdAt).toBeUndefined();
  });

  it('4.8: options=sysAttrs adds createdAt and modifiedAt (UTC DateTime) to the entity and to every attribute', async () => {
    const before = Date.now();
    const e = building();
    await b.api.post('/entities', e);
    const got = (await b.api.get(`${path(e.id)}?options=sysAttrs`)).body;
    expect(got.createdAt).toMatch(ISO);
    expect(got.modifiedAt).toMatch(ISO);
    expect(Date.parse(got.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    for (const name of ['name', 'height', 'owner', 'location']) {
      expect(got[name].createdAt, name).toMatch(ISO);
      expect(got[name].modifiedAt, name).toMatch(ISO);
    }
  });

  it('4.8: an update changes modifiedAt and keeps createdAt', async () => {
    const e = building();
    await b.api.post('/entities', e);
    const first = (await b.api.get(`${path(e.id)}?options=sysAttrs`)).body;
    await new Promise((r) => setTimeout(r, 15));
    await b.api.patch(`${path(e.id)}/attrs`, { name: { type: 'Property', value: 'New' } });
    const second = (await b.api.get(`${path(e.id)}?options=sysAttrs`)).body;
    expect(second.createdAt).toBe(first.createdAt);
    expect(Date.parse(second.modifiedAt)).toBeGreaterThan(Date.parse(first.modifiedAt));
    expect(second.name.createdAt).toBe(first.name.createdAt);
    expect(Date.parse(second.name.modifiedAt)).toBeGreaterThan(Date.parse(first.name.modifiedAt));
    expect(second.height.modifiedAt).toBe(first.height.modifiedAt);
  });

  it('4.8: createdAt/modifiedAt sent by a client are ignored (they are system-generated)', async () => {
    const id = urn('Building');
    await b.api.post('/entities', {
      id,
      type: 'Building',
      createdAt: '2000-01-01T00:00:00Z',
      name: { type: 'Property', value: 'x', modifiedAt: '2000-01-01T00:00:00Z' },
    });
    const got = (await b.api.get(`${path(id)}?options=sysAttrs`)).body;
    expect(got.createdAt).not.toBe('2000-01-01T00:00:00Z');
    expect(got.name.modifiedAt).not.toBe('2000-01-01T00:00:00Z');
  });
});

describe('5.6.6 Delete Entity (DELETE /entities/{entityId})', () => {
  it('5.6.6: 204 No Content, after which the entity is gone (404)', async () => {
    const e = building();
    await b.api.post('/entities', e);
    const res = await b.api.delete(path(e.id));
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectProblem(await b.api.get(path(e.id)), 404, 'ResourceNotFound');
  });

  it('5.6.6: 404 ResourceNotFound when the entity does not exist', async () => {
    expectProblem(await b.api.delete(path('urn:ngsi-ld:Building:ghost')), 404, 'ResourceNotFound');
  });

  it('5.6.6: 400 BadRequestData when the id is not a URI', async () => {
    expectProblem(await b.api.delete('/entities/ghost'), 400, 'BadRequestData');
  });

  it('5.6.6: the same id may be created again after deletion', async () => {
    const e = building();
    await b.api.post('/entities', e);
    await b.api.delete(path(e.id));
    expect((await b.api.post('/entities', e)).status).toBe(201);
  });
});

describe('5.6.18 Replace Entity (PUT /entities/{entityId})', () => {
  it('5.6.18: 204; attributes not in the new content are removed, new ones are added', async () => {
    const e = building();
    await b.api.post('/entities', e);
    const res = await b.api.put(path(e.id), {
      id: e.id,
      type: 'Building',
      colour: { type: 'Property', value: 'red' },
    });
    expect(res.status, res.text).toBe(204);
    expect((await b.api.get(path(e.id))).body).toEqual({
      id: e.id,
      type: 'Building',
      colour: { type: 'Property', value: 'red' },
    });
  });

  it('5.6.18: the id may be left out of the body (taken from the path)', async () => {
    const e = building();
    await b.api.post('/entities', e);
    const res = await b.api.put(path(e.id), {
      type: 'Building',
      x: { type: 'Property', value: 1 },
    });
    expect(res.status, res.text).toBe(204);
    expect((await b.api.get(path(e.id))).body.x.value).toBe(1);
  });

  it('5.6.18: 404 ResourceNotFound when the entity does not exist', async () => {
    const id = urn('Building');
    expectProblem(await b.api.put(path(id), { id, type: 'Building' }), 404, 'ResourceNotFound');
  });

  it('5.6.18: 400 BadRequestData when the body id differs from the path id', async () => {
    const e = building();
    await b.api.post('/entities', e);
    expectProblem(
      await b.api.put(path(e.id), { id: 'urn:ngsi-ld:Building:other', type: 'Building' }),
      400,
      'BadRequestData',
    );
  });

  it('5.6.18: the entity keeps its createdAt across a replace', async () => {
    const e = building();
    await b.api.post('/entities', e);
    const before = (await b.api.get(`${path(e.id)}?options=sysAttrs`)).body.createdAt;
    await b.api.put(path(e.id), { id: e.id, type: 'Building' });
    const after = (await b.api.get(`${path(e.id)}?options=sysAttrs`)).body.createdAt;
    expect(after).toBeDefined();
    expect(after).toBe(before);
  });
});

describe('5.6.17 Merge Entity (PATCH /entities/{entityId})', () => {
  it('5.6.17: 204; given attributes are merged in, others are left untouched', async () => {
    const e = building();
    await b.api.post('/entities', e);
    const res = await b.api.patch(path(e.id), {
      name: { type: 'Property', value: 'City hall' },
      colour: { type: 'Property', value: 'blue' },
    });
    expect(res.status, res.text).toBe(204);
    const got = (await b.api.get(path(e.id))).body;
    expect(got.name.value).toBe('City hall');
    expect(got.colour).toEqual({ type: 'Property', value: 'blue' });
    expect(got.owner).toEqual(e.owner);
    expect(got.height).toEqual(e.height);
  });

  it('5.6.17: sub-attributes not mentioned in the patch are kept (merge-patch semantics)', async () => {
    const e = building();
    await b.api.post('/entities', e);
    await b.api.patch(path(e.id), { height: { type: 'Property', value: 50 } });
    const got = (await b.api.get(path(e.id))).body;
    expect(got.height.value).toBe(50);
    expect(got.height.unitCode).toBe('MTR');
  });

  it('4.5.8/5.6.17: an attribute set to NGSI-LD Null ("urn:ngsi-ld:null") is deleted', async () => {
    const e = building();
    await b.api.post('/entities', e);
    const res = await b.api.patch(path(e.id), {
      name: { type: 'Property', value: 'urn:ngsi-ld:null' },
    });
    expect(res.status, res.text).toBe(204);
    const got = (await b.api.get(path(e.id))).body;
    expect(got.name).toBeUndefined();
    expect(got.height).toBeDefined();
  });

  it('4.5.8/5.6.17: a sub-attribute set to NGSI-LD Null is deleted, the attribute stays', async () => {
    const e = building();
    await b.api.post('/entities', e);
    await b.api.patch(path(e.id), {
      address: {
        type: 'Property',
        value: e.address.value,
        verified: { type: 'Property', value: 'urn:ngsi-ld:null' },
      },
    });
    const got = (await b.api.get(path(e.id))).body;
    expect(got.address.value).toEqual(e.address.value);
    expect(got.address.verified).toBeUndefined();
  });

  it('5.6.17: 404 ResourceNotFound when the entity does not exist', async () => {
    expectProblem(
      await b.api.patch(path('urn:ngsi-ld:Building:nobody'), { x: { type: 'Property', value: 1 } }),
      404,
      'ResourceNotFound',
    );
  });

  it('5.6.17: 400 BadRequestData when a merged attribute is invalid', async () => {
    const e = building();
    await b.api.post('/entities', e);
    expectProblem(
      await b.api.patch(path(e.id), { owner: { type: 'Relationship', object: 'nope' } }),
      400,
      'BadRequestData',
    );
  });

  it('5.6.17: keyValues merge (options=keyValues) updates values of existing Properties', async () => {
    const e = building();
    await b.api.post('/entities', e);
    const res = await b.api.patch(`${path(e.id)}?options=keyValues`, { name: 'By value' });
    expect(res.status, res.text).toBe(204);
    const got = (await b.api.get(path(e.id))).body;
    expect(got.name).toEqual({ type: 'Property', value: 'By value' });
  });
});
