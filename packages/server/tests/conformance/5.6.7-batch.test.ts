// ETSI GS CIM 009 v1.8 clauses 5.6.7 (batch create), 5.6.8 (batch upsert), 5.6.9 (batch
// update), 5.6.10 (batch delete), 5.6.20 (batch merge), 5.7.2/6.23 (query via POST) and the
// BatchOperationResult data type (5.2.16).
import { describe, expect, it } from 'vitest';
import { ETSI_ERRORS, ids, unique, urn, useBroker } from './helpers/broker.js';

const b = useBroker({}, 'file');
const path = (id: string) => `/entities/${encodeURIComponent(id)}`;
const get = async (id: string) => b.api.get(path(id));

function car(id = urn('Car'), speed = 50) {
  return {
    id,
    type: 'Car',
    speed: { type: 'Property', value: speed },
    brand: { type: 'Property', value: 'Mercedes' },
  };
}

/** Asserts a BatchOperationResult: success ids and error entity ids (order free). */
function expectBatchResult(body: any, success: string[], failed: string[]) {
  expect([...body.success].sort()).toEqual([...success].sort());
  expect(body.errors.map((e: { entityId: string }) => e.entityId).sort()).toEqual(
    [...failed].sort(),
  );
  for (const e of body.errors) {
    expect(e.error.type).toMatch(new RegExp(`^${ETSI_ERRORS.replace(/[./]/g, '\\$&')}`));
    expect(typeof e.error.title).toBe('string');
  }
}

describe('5.6.7 Batch Entity Creation (POST /entityOperations/create)', () => {
  it('6.14.3.1: 201 Created with the array of created entity ids when all succeed', async () => {
    const a = car();
    const c = car();
    const res = await b.api.post('/entityOperations/create', [a, c]);
    expect(res.status, res.text).toBe(201);
    expect([...res.body].sort()).toEqual([a.id, c.id].sort());
    expect((await get(a.id)).body).toEqual(a);
    expect((await get(c.id)).body).toEqual(c);
  });

  it('5.6.7: 207 with a BatchOperationResult when some entities already exist', async () => {
    const a = car();
    await b.api.post('/entities', a);
    const c = car();
    const res = await b.api.post('/entityOperations/create', [a, c]);
    expect(res.status, res.text).toBe(207);
    expectBatchResult(res.body, [c.id], [a.id]);
    expect(res.body.errors[0].error.type).toBe(`${ETSI_ERRORS}AlreadyExists`);
  });

  it('5.6.7: 207 with BadRequestData for an invalid entity; the valid ones are created', async () => {
    const good = car();
    const bad = { id: urn('Car'), type: 'Car', speed: { type: 'Property' } };
    const res = await b.api.post('/entityOperations/create', [good, bad]);
    expect(res.status, res.text).toBe(207);
    expectBatchResult(res.body, [good.id], [bad.id]);
    expect(res.body.errors[0].error.type).toBe(`${ETSI_ERRORS}BadRequestData`);
    expect((await get(good.id)).status).toBe(200);
  });

  it('5.6.7: 207 when every entity fails (no 201)', async () => {
    const a = car();
    await b.api.post('/entities', a);
    const res = await b.api.post('/entityOperations/create', [a]);
    expect(res.status, res.text).toBe(207);
    expectBatchResult(res.body, [], [a.id]);
  });

  it('5.6.7: 400 BadRequestData when the body is not an array', async () => {
    const res = await b.api.post('/entityOperations/create', car());
    expect(res.status).toBe(400);
    expect(res.body.type).toMatch(/\/(BadRequestData|InvalidRequest)$/);
  });

  it('5.6.7: the created entities are returned by a query', async () => {
    const type = unique('Fleet');
    const list = [1, 2, 3].map(() => ({ ...car(), type }));
    await b.api.post('/entityOperations/create', list);
    expect(ids((await b.api.get(`/entities?type=${type}`)).body)).toEqual(
      list.map((e) => e.id).sort(),
    );
  });
});

describe('5.6.8 Batch Entity Upsert (POST /entityOperations/upsert)', () => {
  it('6.15.3.1: 201 with the ids of the entities that were created', async () => {
    const existing = car();
    await b.api.post('/entities', existing);
    const fresh = car();
    const res = await b.api.post('/entityOperations/upsert', [existing, fresh]);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual([fresh.id]);
  });

  it('6.15.3.1: 204 when every entity already existed and was updated', async () => {
    const a = car();
    await b.api.post('/entities', a);
    const res = await b.api.post('/entityOperations/upsert', [car(a.id, 80)]);
    expect(res.status, res.text).toBe(204);
    expect((await get(a.id)).body.speed.value).toBe(80);
  });

  it('5.6.8: default (options=replace) replaces existing entities: attributes not sent disappear', async () => {
    const a = car();
    await b.api.post('/entities', a);
    await b.api.post('/entityOperations/upsert', [
      { id: a.id, type: 'Car', colour: { type: 'Property', value: 'red' } },
    ]);
    expect((await get(a.id)).body).toEqual({
      id: a.id,
      type: 'Car',
      colour: { type: 'Property', value: 'red' },
    });
  });

  it('5.6.8: options=replace behaves like the default', async () => {
    const a = car();
    await b.api.post('/entities', a);
    await b.api.post('/entityOperations/upsert?options=replace', [
      { id: a.id, type: 'Car', colour: { type: 'Property', value: 'red' } },
    ]);
    expect((await get(a.id)).body.speed).toBeUndefined();
  });

  it('5.6.8: options=update updates given attributes and keeps the others', async () => {
    const a = car();
    await b.api.post('/entities', a);
    const res = await b.api.post('/entityOperations/upsert?options=update', [
      {
        id: a.id,
        type: 'Car',
        speed: { type: 'Property', value: 90 },
        colour: { type: 'Property', value: 'red' },
      },
    ]);
    expect(res.status, res.text).toBe(204);
    const got = (await get(a.id)).body;
    expect(got.speed.value).toBe(90);
    expect(got.brand.value).toBe('Mercedes');
    expect(got.colour.value).toBe('red');
  });

  it('5.6.8: 207 BatchOperationResult when an entity is invalid', async () => {
    const good = car();
    const bad = { id: 'not a uri', type: 'Car' };
    const res = await b.api.post('/entityOperations/upsert', [good, bad]);
    expect(res.status, res.text).toBe(207);
    expect(res.body.success).toEqual([good.id]);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].error.type).toBe(`${ETSI_ERRORS}BadRequestData`);
  });

  it('5.6.8: 400 when options has an unknown value', async () => {
    const res = await b.api.post('/entityOperations/upsert?options=sideways', [car()]);
    expect(res.status).toBe(400);
  });
});

describe('5.6.9 Batch Entity Update (POST /entityOperations/update)', () => {
  it('6.16.3.1: 204 when every entity was updated', async () => {
    const a = car();
    const c = car();
    await b.api.post('/entityOperations/create', [a, c]);
    const res = await b.api.post('/entityOperations/update', [
      { id: a.id, type: 'Car', speed: { type: 'Property', value: 1 } },
      { id: c.id, type: 'Car', speed: { type: 'Property', value: 2 } },
    ]);
    expect(res.status, res.text).toBe(204);
    expect((await get(a.id)).body.speed.value).toBe(1);
    expect((await get(c.id)).body.speed.value).toBe(2);
    expect((await get(a.id)).body.brand.value).toBe('Mercedes');
  });

  it('5.6.9: 207 with ResourceNotFound for an entity that does not exist', async () => {
    const a = car();
    await b.api.post('/entities', a);
    const ghost = urn('Car');
    const res = await b.api.post('/entityOperations/update', [
      { id: a.id, type: 'Car', speed: { type: 'Property', value: 1 } },
      { id: ghost, type: 'Car', speed: { type: 'Property', value: 1 } },
    ]);
    expect(res.status, res.text).toBe(207);
    expectBatchResult(res.body, [a.id], [ghost]);
    expect(res.body.errors[0].error.type).toBe(`${ETSI_ERRORS}ResourceNotFound`);
    expect((await get(ghost)).status).toBe(404);
  });

  it('5.6.9: new attributes are appended by an update', async () => {
    const a = car();
    await b.api.post('/entities', a);
    await b.api.post('/entityOperations/update', [
      { id: a.id, type: 'Car', colour: { type: 'Property', value: 'green' } },
    ]);
    expect((await get(a.id)).body.colour.value).toBe('green');
  });

  it('5.6.9: options=noOverwrite leaves existing attributes unchanged and appends new ones', async () => {
    const a = car();
    await b.api.post('/entities', a);
    await b.api.post('/entityOperations/update?options=noOverwrite', [
      {
        id: a.id,
        type: 'Car',
        speed: { type: 'Property', value: 999 },
        colour: { type: 'Property', value: 'green' },
      },
    ]);
    const got = (await get(a.id)).body;
    expect(got.speed.value).toBe(50);
    expect(got.colour.value).toBe('green');
  });
});

describe('5.6.10 Batch Entity Delete (POST /entityOperations/delete)', () => {
  it('6.17.3.1: 204 when every entity was deleted', async () => {
    const a = car();
    const c = car();
    await b.api.post('/entityOperations/create', [a, c]);
    const res = await b.api.post('/entityOperations/delete', [a.id, c.id]);
    expect(res.status, res.text).toBe(204);
    expect((await get(a.id)).status).toBe(404);
    expect((await get(c.id)).status).toBe(404);
  });

  it('5.6.10: 207 with ResourceNotFound for ids that do not exist; the others are deleted', async () => {
    const a = car();
    await b.api.post('/entities', a);
    const ghost = urn('Car');
    const res = await b.api.post('/entityOperations/delete', [a.id, ghost]);
    expect(res.status, res.text).toBe(207);
    expectBatchResult(res.body, [a.id], [ghost]);
    expect(res.body.errors[0].error.type).toBe(`${ETSI_ERRORS}ResourceNotFound`);
    expect((await get(a.id)).status).toBe(404);
  });

  it('5.6.10: 400 when the body is not an array of ids', async () => {
    const res = await b.api.post('/entityOperations/delete', { id: urn('Car') });
    expect(res.status).toBe(400);
  });
});

describe('5.6.20 Batch Entity Merge (POST /entityOperations/merge)', () => {
  it('5.6.20: 204; each entity is merged (untouched attributes stay, NGSI-LD Null deletes)', async () => {
    const a = car();
    await b.api.post('/entities', a);
    const res = await b.api.post('/entityOperations/merge', [
      {
        id: a.id,
        type: 'Car',
        speed: { type: 'Property', value: 70 },
        brand: { type: 'Property', value: 'urn:ngsi-ld:null' },
      },
    ]);
    expect(res.status, res.text).toBe(204);
    const got = (await get(a.id)).body;
    expect(got.speed.value).toBe(70);
    expect(got.brand).toBeUndefined();
  });

  it('5.6.20: 207 with ResourceNotFound when an entity does not exist', async () => {
    const a = car();
    await b.api.post('/entities', a);
    const ghost = urn('Car');
    const res = await b.api.post('/entityOperations/merge', [
      { id: a.id, type: 'Car', speed: { type: 'Property', value: 1 } },
      { id: ghost, type: 'Car', speed: { type: 'Property', value: 1 } },
    ]);
    expect(res.status, res.text).toBe(207);
    expectBatchResult(res.body, [a.id], [ghost]);
  });
});

describe('5.7.2/6.23 Query Entities via POST (POST /entityOperations/query)', () => {
  async function fleet() {
    const type = unique('Fleet');
    const list = [10, 60, 120].map((s) => ({ ...car(urn('Car'), s), type }));
    await b.api.post('/entityOperations/create', list);
    return { type, list };
  }

  it('6.23.3.1: 200 with the entities matching the Query entities selector', async () => {
    const { type, list } = await fleet();
    const res = await b.api.post('/entityOperations/query', {
      type: 'Query',
      entities: [{ type }],
    });
    expect(res.status, res.text).toBe(200);
    expect(ids(res.body)).toEqual(list.map((e) => e.id).sort());
  });

  it('5.7.2: the Query q member filters like the q parameter', async () => {
    const { type, list } = await fleet();
    const res = await b.api.post('/entityOperations/query', {
      type: 'Query',
      entities: [{ type }],
      q: 'speed>50',
    });
    expect(ids(res.body)).toEqual([list[1]!.id, list[2]!.id].sort());
  });

  it('5.7.2: the Query attrs member projects attributes', async () => {
    const { type } = await fleet();
    const res = await b.api.post('/entityOperations/query', {
      type: 'Query',
      entities: [{ type }],
      attrs: ['speed'],
    });
    for (const e of res.body) expect(Object.keys(e).sort()).toEqual(['id', 'speed', 'type']);
  });

  it('5.7.2: the Query geoQ member filters geographically', async () => {
    const type = unique('Spot');
    const inside = {
      id: urn('Spot'),
      type,
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [1, 1] } },
    };
    const outside = {
      id: urn('Spot'),
      type,
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [50, 50] } },
    };
    await b.api.post('/entityOperations/create', [inside, outside]);
    const res = await b.api.post('/entityOperations/query', {
      type: 'Query',
      entities: [{ type }],
      geoQ: {
        geometry: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [2, 0],
            [2, 2],
            [0, 2],
            [0, 0],
          ],
        ],
        georel: 'within',
      },
    });
    expect(ids(res.body)).toEqual([inside.id]);
  });

  it('5.7.2: entities selectors with id and idPattern are honoured', async () => {
    const { type, list } = await fleet();
    const res = await b.api.post('/entityOperations/query', {
      type: 'Query',
      entities: [{ type, id: list[0]!.id }],
    });
    expect(ids(res.body)).toEqual([list[0]!.id]);
  });

  it('5.7.2: limit and count in the URL apply to POST queries', async () => {
    const { type } = await fleet();
    const res = await b.api.post('/entityOperations/query?limit=2&count=true', {
      type: 'Query',
      entities: [{ type }],
    });
    expect(res.body).toHaveLength(2);
    expect(res.headers['ngsild-results-count']).toBe('3');
  });

  it('5.7.2: 400 BadRequestData when the Query type member is wrong', async () => {
    const res = await b.api.post('/entityOperations/query', {
      type: 'NotAQuery',
      entities: [{ type: 'Car' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.type).toMatch(/\/(BadRequestData|InvalidRequest)$/);
  });
});
