// ETSI GS CIM 009 v1.8 clauses 5.6.2-5.6.5 and 5.6.19 (attribute operations), 4.5.5
// (multi-attributes, datasetId), HTTP binding 6.6-6.7.
import { describe, expect, it } from 'vitest';
import { expectProblem, urn, useBroker } from './helpers/broker.js';

const b = useBroker({}, 'file');
const path = (id: string) => `/entities/${encodeURIComponent(id)}`;

async function seed() {
  const id = urn('Room');
  const res = await b.api.post('/entities', {
    id,
    type: 'Room',
    temperature: { type: 'Property', value: 21, unitCode: 'CEL' },
    humidity: { type: 'Property', value: 40 },
    isIn: { type: 'Relationship', object: 'urn:ngsi-ld:Building:b1' },
  });
  expect(res.status, res.text).toBe(201);
  return id;
}
const get = async (id: string, qs = '') => (await b.api.get(`${path(id)}${qs}`)).body;

describe('5.6.3 Append Entity Attributes (POST /entities/{entityId}/attrs)', () => {
  it('5.6.3: 204 when every attribute was appended; new attributes appear', async () => {
    const id = await seed();
    const res = await b.api.post(`${path(id)}/attrs`, {
      pressure: { type: 'Property', value: 1013 },
    });
    expect(res.status, res.text).toBe(204);
    expect((await get(id)).pressure).toEqual({ type: 'Property', value: 1013 });
  });

  it('5.6.3: existing attributes are overwritten by default', async () => {
    const id = await seed();
    const res = await b.api.post(`${path(id)}/attrs`, {
      temperature: { type: 'Property', value: 25 },
    });
    expect(res.status, res.text).toBe(204);
    expect((await get(id)).temperature).toEqual({ type: 'Property', value: 25 });
  });

  it('5.6.3: options=noOverwrite keeps existing attributes and answers 207 with an UpdateResult naming them', async () => {
    const id = await seed();
    const res = await b.api.post(`${path(id)}/attrs?options=noOverwrite`, {
      temperature: { type: 'Property', value: 99 },
      pressure: { type: 'Property', value: 1013 },
    });
    expect(res.status, res.text).toBe(207);
    expect(res.body.updated).toEqual(['pressure']);
    expect(res.body.notUpdated.map((n: { attributeName: string }) => n.attributeName)).toEqual([
      'temperature',
    ]);
    expect(typeof res.body.notUpdated[0].reason).toBe('string');
    const got = await get(id);
    expect(got.temperature.value).toBe(21);
    expect(got.pressure.value).toBe(1013);
  });

  it('5.6.3: options=noOverwrite with only new attributes answers 204', async () => {
    const id = await seed();
    const res = await b.api.post(`${path(id)}/attrs?options=noOverwrite`, {
      co2: { type: 'Property', value: 400 },
    });
    expect(res.status, res.text).toBe(204);
  });

  it('5.6.3: 404 ResourceNotFound when the entity does not exist', async () => {
    expectProblem(
      await b.api.post(`${path('urn:ngsi-ld:Room:none')}/attrs`, {
        a: { type: 'Property', value: 1 },
      }),
      404,
      'ResourceNotFound',
    );
  });

  it('5.6.3: 400 BadRequestData when an attribute is malformed', async () => {
    const id = await seed();
    expectProblem(
      await b.api.post(`${path(id)}/attrs`, { a: { type: 'Property' } }),
      400,
      'BadRequestData',
    );
  });

  it('4.5.5/5.6.3: appending an attribute with a new datasetId adds an instance (multi-attribute)', async () => {
    const id = await seed();
    await b.api.post(`${path(id)}/attrs`, {
      temperature: { type: 'Property', value: 19, datasetId: 'urn:ngsi-ld:Dataset:sensor2' },
    });
    const t = (await get(id)).temperature;
    expect(Array.isArray(t)).toBe(true);
    expect(t).toHaveLength(2);
    expect(t).toEqual(
      expect.arrayContaining([
        { type: 'Property', value: 21, unitCode: 'CEL' },
        { type: 'Property', value: 19, datasetId: 'urn:ngsi-ld:Dataset:sensor2' },
      ]),
    );
  });

  it('4.5.5/5.6.3: appending with an existing datasetId replaces only that instance', async () => {
    const id = await seed();
    const ds = 'urn:ngsi-ld:Dataset:sensor2';
    await b.api.post(`${path(id)}/attrs`, {
      temperature: { type: 'Property', value: 19, datasetId: ds },
    });
    await b.api.post(`${path(id)}/attrs`, {
      temperature: { type: 'Property', value: 18, datasetId: ds },
    });
    const t = (await get(id)).temperature as { value: number; datasetId?: string }[];
    expect(t).toHaveLength(2);
    expect(t.find((i) => i.datasetId === ds)?.value).toBe(18);
    expect(t.find((i) => i.datasetId === undefined)?.value).toBe(21);
  });
});

describe('5.6.2 Update Entity Attributes (PATCH /entities/{entityId}/attrs)', () => {
  it('5.6.2: 204 when all attributes existed and were updated', async () => {
    const id = await seed();
    const res = await b.api.patch(`${path(id)}/attrs`, {
      temperature: { type: 'Property', value: 22 },
      humidity: { type: 'Property', value: 41 },
    });
    expect(res.status, res.text).toBe(204);
    const got = await get(id);
    expect(got.temperature.value).toBe(22);
    expect(got.humidity.value).toBe(41);
  });

  it('5.6.2: attributes that do not exist are not created; 207 UpdateResult lists them in notUpdated', async () => {
    const id = await seed();
    const res = await b.api.patch(`${path(id)}/attrs`, {
      temperature: { type: 'Property', value: 23 },
      missing: { type: 'Property', value: 1 },
    });
    expect(res.status, res.text).toBe(207);
    expect(res.body.updated).toEqual(['temperature']);
    expect(res.body.notUpdated).toEqual([
      expect.objectContaining({ attributeName: 'missing', reason: expect.any(String) }),
    ]);
    const got = await get(id);
    expect(got.missing).toBeUndefined();
    expect(got.temperature.value).toBe(23);
  });

  it('5.6.2: 404 ResourceNotFound when the entity does not exist', async () => {
    expectProblem(
      await b.api.patch(`${path('urn:ngsi-ld:Room:none')}/attrs`, {
        temperature: { type: 'Property', value: 1 },
      }),
      404,
      'ResourceNotFound',
    );
  });

  it('5.6.2: 400 BadRequestData on an invalid fragment', async () => {
    const id = await seed();
    expectProblem(
      await b.api.patch(`${path(id)}/attrs`, { isIn: { type: 'Relationship', object: 42 } }),
      400,
      'BadRequestData',
    );
  });

  it('4.5.8/5.6.2: NGSI-LD Null as value deletes the attribute', async () => {
    const id = await seed();
    const res = await b.api.patch(`${path(id)}/attrs`, {
      humidity: { type: 'Property', value: 'urn:ngsi-ld:null' },
    });
    expect(res.status, res.text).toBe(204);
    expect((await get(id)).humidity).toBeUndefined();
  });

  it('4.5.5/5.6.2: an update with a datasetId targets only the instance with that datasetId', async () => {
    const id = await seed();
    const ds = 'urn:ngsi-ld:Dataset:s2';
    await b.api.post(`${path(id)}/attrs`, {
      temperature: { type: 'Property', value: 19, datasetId: ds },
    });
    await b.api.patch(`${path(id)}/attrs`, {
      temperature: { type: 'Property', value: 10, datasetId: ds },
    });
    const t = (await get(id)).temperature as { value: number; datasetId?: string }[];
    expect(t.find((i) => i.datasetId === ds)?.value).toBe(10);
    expect(t.find((i) => i.datasetId === undefined)?.value).toBe(21);
  });
});

describe('5.6.4 Partial Attribute Update (PATCH /entities/{entityId}/attrs/{attrId})', () => {
  it('5.6.4: 204; the given members change, other sub-attributes stay', async () => {
    const id = await seed();
    const res = await b.api.patch(`${path(id)}/attrs/temperature`, { value: 30 });
    expect(res.status, res.text).toBe(204);
    expect((await get(id)).temperature).toEqual({ type: 'Property', value: 30, unitCode: 'CEL' });
  });

  it('5.6.4: a sub-attribute can be added by a partial update', async () => {
    const id = await seed();
    await b.api.patch(`${path(id)}/attrs/temperature`, {
      type: 'Property',
      value: 30,
      accuracy: { type: 'Property', value: 0.5 },
    });
    expect((await get(id)).temperature.accuracy).toEqual({ type: 'Property', value: 0.5 });
  });

  it('5.6.4: a Relationship object can be changed', async () => {
    const id = await seed();
    await b.api.patch(`${path(id)}/attrs/isIn`, { object: 'urn:ngsi-ld:Building:b2' });
    expect((await get(id)).isIn).toEqual({
      type: 'Relationship',
      object: 'urn:ngsi-ld:Building:b2',
    });
  });

  it('5.6.4: 404 ResourceNotFound when the attribute does not exist', async () => {
    const id = await seed();
    expectProblem(
      await b.api.patch(`${path(id)}/attrs/nothere`, { value: 1 }),
      404,
      'ResourceNotFound',
    );
  });

  it('5.6.4: 404 ResourceNotFound when the entity does not exist', async () => {
    expectProblem(
      await b.api.patch(`${path('urn:ngsi-ld:Room:none')}/attrs/temperature`, { value: 1 }),
      404,
      'ResourceNotFound',
    );
  });

  it('5.6.4: a datasetId in the fragment targets that instance only', async () => {
    const id = await seed();
    const ds = 'urn:ngsi-ld:Dataset:s3';
    await b.api.post(`${path(id)}/attrs`, {
      temperature: { type: 'Property', value: 19, datasetId: ds },
    });
    await b.api.patch(`${path(id)}/attrs/temperature`, { value: 5, datasetId: ds });
    const t = (await get(id)).temperature as { value: number; datasetId?: string }[];
    expect(t.find((i) => i.datasetId === ds)?.value).toBe(5);
    expect(t.find((i) => i.datasetId === undefined)?.value).toBe(21);
  });
});

describe('5.6.19 Replace Attribute (PUT /entities/{entityId}/attrs/{attrId})', () => {
  it('5.6.19: 204; the attribute is replaced as a whole (old sub-attributes are gone)', async () => {
    const id = await seed();
    const res = await b.api.put(`${path(id)}/attrs/temperature`, { type: 'Property', value: 12 });
    expect(res.status, res.text).toBe(204);
    expect((await get(id)).temperature).toEqual({ type: 'Property', value: 12 });
  });

  it('5.6.19: the attribute type may change with a replace', async () => {
    const id = await seed();
    await b.api.put(`${path(id)}/attrs/humidity`, {
      type: 'Relationship',
      object: 'urn:ngsi-ld:Sensor:h1',
    });
    expect((await get(id)).humidity).toEqual({
      type: 'Relationship',
      object: 'urn:ngsi-ld:Sensor:h1',
    });
  });

  it('5.6.19: 404 ResourceNotFound when the attribute does not exist', async () => {
    const id = await seed();
    expectProblem(
      await b.api.put(`${path(id)}/attrs/nothere`, { type: 'Property', value: 1 }),
      404,
      'ResourceNotFound',
    );
  });

  it('5.6.19: 400 BadRequestData when the new attribute is invalid', async () => {
    const id = await seed();
    expectProblem(
      await b.api.put(`${path(id)}/attrs/temperature`, { type: 'Property' }),
      400,
      'BadRequestData',
    );
  });
});

describe('5.6.5 Delete Entity Attribute (DELETE /entities/{entityId}/attrs/{attrId})', () => {
  it('5.6.5: 204; the attribute is gone, others stay', async () => {
    const id = await seed();
    const res = await b.api.delete(`${path(id)}/attrs/humidity`);
    expect(res.status, res.text).toBe(204);
    const got = await get(id);
    expect(got.humidity).toBeUndefined();
    expect(got.temperature).toBeDefined();
  });

  it('5.6.5: 404 ResourceNotFound when the attribute does not exist', async () => {
    const id = await seed();
    expectProblem(await b.api.delete(`${path(id)}/attrs/nothere`), 404, 'ResourceNotFound');
  });

  it('5.6.5: 404 ResourceNotFound when the entity does not exist', async () => {
    expectProblem(
      await b.api.delete(`${path('urn:ngsi-ld:Room:none')}/attrs/temperature`),
      404,
      'ResourceNotFound',
    );
  });

  it('5.6.5: ?datasetId= deletes only the instance with that datasetId', async () => {
    const id = await seed();
    const ds = 'urn:ngsi-ld:Dataset:s4';
    await b.api.post(`${path(id)}/attrs`, {
      temperature: { type: 'Property', value: 19, datasetId: ds },
    });
    const res = await b.api.delete(
      `${path(id)}/attrs/temperature?datasetId=${encodeURIComponent(ds)}`,
    );
    expect(res.status, res.text).toBe(204);
    expect([(await get(id)).temperature].flat()).toEqual([
      { type: 'Property', value: 21, unitCode: 'CEL' },
    ]);
  });

  it('5.6.5: without datasetId only the default instance (no datasetId) is deleted', async () => {
    const id = await seed();
    const ds = 'urn:ngsi-ld:Dataset:s5';
    await b.api.post(`${path(id)}/attrs`, {
      temperature: { type: 'Property', value: 19, datasetId: ds },
    });
    await b.api.delete(`${path(id)}/attrs/temperature`);
    expect([(await get(id)).temperature].flat()).toEqual([
      { type: 'Property', value: 19, datasetId: ds },
    ]);
  });

  it('5.6.5: deleteAll=true deletes every instance', async () => {
    const id = await seed();
    await b.api.post(`${path(id)}/attrs`, {
      temperature: { type: 'Property', value: 19, datasetId: 'urn:ngsi-ld:Dataset:s6' },
    });
    const res = await b.api.delete(`${path(id)}/attrs/temperature?deleteAll=true`);
    expect(res.status, res.text).toBe(204);
    expect((await get(id)).temperature).toBeUndefined();
  });

  it('5.6.5: 404 ResourceNotFound when no instance has the given datasetId', async () => {
    const id = await seed();
    expectProblem(
      await b.api.delete(
        `${path(id)}/attrs/temperature?datasetId=${encodeURIComponent('urn:ngsi-ld:Dataset:none')}`,
      ),
      404,
      'ResourceNotFound',
    );
  });
});
