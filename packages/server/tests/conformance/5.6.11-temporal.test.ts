// ETSI GS CIM 009 v1.8: temporal representation (4.5.9, simplified temporal 4.5.10,
// aggregated temporal 4.5.19), temporal query language (4.11), temporal provision
// (5.6.11 create/update, 5.6.12 append attribute, 5.6.13 delete attribute, 5.6.14 modify
// instance, 5.6.15 delete instance, 5.6.16 delete), consumption (5.7.3 retrieve, 5.7.4 query),
// HTTP binding 6.18-6.24 including /temporal/entityOperations/query.
import { describe, expect, it } from 'vitest';
import { expectProblem, ids, sleep, unique, urn, useBroker } from './helpers/broker.js';

const b = useBroker({}, 'file');
const tpath = (id: string) => `/temporal/entities/${encodeURIComponent(id)}`;
const inst = (value: unknown, observedAt: string) => ({ type: 'Property', value, observedAt });
const T = (d: number, h: number) => `2024-01-0${d}T${String(h).padStart(2, '0')}:00:00Z`;

/** Day 1: 10, 20, 30 at 00h, 06h, 12h; day 2: 40, 40 at 00h, 06h. */
function series(id = urn('TSensor'), type = 'TSensor') {
  return {
    id,
    type,
    temperature: [
      inst(10, T(1, 0)),
      inst(20, T(1, 6)),
      inst(30, T(1, 12)),
      inst(40, T(2, 0)),
      inst(40, T(2, 6)),
    ],
  };
}
async function seed<E extends { id: string }>(e: E = series() as unknown as E): Promise<E> {
  const res = await b.api.post('/temporal/entities', e);
  expect(res.status, res.text).toBe(201);
  return e;
}
/** Instance values in time order (an attribute with one instance may come as a single object). */
function values(attr: unknown): unknown[] {
  expect(attr, 'the attribute has no temporal instances').toBeDefined();
  const list = [attr].flat() as { value: unknown; observedAt: string }[];
  return list
    .sort((x, y) => Date.parse(x.observedAt) - Date.parse(y.observedAt))
    .map((i) => i.value);
}
async function temporal(id: string, qs = '') {
  const res = await b.api.get(`${tpath(id)}${qs}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

describe('5.6.11 Create or Update Temporal Evolution of an Entity (POST /temporal/entities)', () => {
  it('6.18.3.1: 201 Created with a Location for a new entity', async () => {
    const e = series();
    const res = await b.api.post('/temporal/entities', e);
    expect(res.status, res.text).toBe(201);
    expect(res.headers.location).toBe(`/ngsi-ld/v1/temporal/entities/${e.id}`);
  });

  it('5.6.11: 204 when the entity already exists; the new instances are added', async () => {
    const e = await seed();
    const res = await b.api.post('/temporal/entities', {
      id: e.id,
      type: 'TSensor',
      temperature: [inst(50, T(3, 0))],
    });
    expect(res.status, res.text).toBe(204);
    expect(values((await temporal(e.id)).temperature)).toEqual([10, 20, 30, 40, 40, 50]);
  });

  it('5.6.11: 400 BadRequestData for an invalid temporal entity', async () => {
    expectProblem(
      await b.api.post('/temporal/entities', {
        id: 'nope',
        type: 'TSensor',
        temperature: [inst(1, T(1, 0))],
      }),
      400,
      'BadRequestData',
    );
  });
});

describe('5.7.3 Retrieve Temporal Evolution of an Entity (GET /temporal/entities/{id})', () => {
  it('4.5.9: every instance is returned with its value and observedAt', async () => {
    const e = await seed();
    const got = await temporal(e.id);
    expect(got.id).toBe(e.id);
    expect(got.type).toBe('TSensor');
    expect(values(got.temperature)).toEqual([10, 20, 30, 40, 40]);
    for (const i of got.temperature) expect(i.type).toBe('Property');
  });

  it('4.5.9: each instance carries an instanceId (a URI)', async () => {
    const e = await seed();
    const got = await temporal(e.id);
    for (const i of got.temperature) expect(String(i.instanceId)).toMatch(/^[a-z][a-z0-9+.-]*:/i);
  });

  it('5.7.3: 404 ResourceNotFound for an unknown entity', async () => {
    expectProblem(await b.api.get(tpath('urn:ngsi-ld:TSensor:none')), 404, 'ResourceNotFound');
  });

  it('4.11: timerel=before keeps instances strictly before timeAt', async () => {
    const e = await seed();
    expect(values((await temporal(e.id, `?timerel=before&timeAt=${T(1, 7)}`)).temperature)).toEqual(
      [10, 20],
    );
  });

  it('4.11: timerel=after keeps instances after timeAt', async () => {
    const e = await seed();
    expect(values((await temporal(e.id, `?timerel=after&timeAt=${T(1, 7)}`)).temperature)).toEqual([
      30, 40, 40,
    ]);
  });

  it('4.11: timerel=between keeps instances from timeAt to endTimeAt', async () => {
    const e = await seed();
    const got = await temporal(e.id, `?timerel=between&timeAt=${T(1, 3)}&endTimeAt=${T(2, 3)}`);
    expect(values(got.temperature)).toEqual([20, 30, 40]);
  });

  it('4.11: lastN=2 gives the two most recent instances', async () => {
    const e = await seed();
    const got = await temporal(e.id, `?timerel=before&timeAt=${T(3, 0)}&lastN=2`);
    const kept = got.temperature
      .map((i: { observedAt: string }) => Date.parse(i.observedAt))
      .sort();
    expect(kept).toEqual([Date.parse(T(2, 0)), Date.parse(T(2, 6))]);
  });

  it('5.7.3: attrs restricts the attributes returned', async () => {
    const e = { ...series(), humidity: [inst(1, T(1, 0))] };
    await seed(e);
    const got = await temporal(e.id, '?attrs=humidity');
    expect(got.temperature).toBeUndefined();
    expect(values(got.humidity)).toEqual([1]);
  });

  it.each([
    ['timerel without timeAt', '?timerel=before'],
    ['between without endTimeAt', `?timerel=between&timeAt=${T(1, 0)}`],
    ['an unknown timerel', `?timerel=during&timeAt=${T(1, 0)}`],
    ['a timeAt that is not a DateTime', '?timerel=before&timeAt=yesterday'],
    ['lastN that is not a positive integer', `?timerel=before&timeAt=${T(3, 0)}&lastN=-2`],
    ['an unknown timeproperty', `?timerel=before&timeAt=${T(3, 0)}&timeproperty=seenAt`],
  ])('4.11/5.5.2: 400 BadRequestData for %s', async (_why, qs) => {
    const e = await seed();
    expectProblem(await b.api.get(`${tpath(e.id)}${qs}`), 400, 'BadRequestData');
  });
});

describe('4.5.10 Simplified temporal representation (options=temporalValues)', () => {
  it('4.5.10: a Property becomes { type, values: [[value, time], …] }', async () => {
    const e = await seed();
    const got = await temporal(e.id, '?options=temporalValues');
    expect(got.temperature.type).toBe('Property');
    const pairs = [...got.temperature.values].sort(
      (x: [unknown, string], y: [unknown, string]) => Date.parse(x[1]) - Date.parse(y[1]),
    );
    expect(pairs.map((p: [unknown, string]) => p[0])).toEqual([10, 20, 30, 40, 40]);
    expect(Date.parse(pairs[0][1])).toBe(Date.parse(T(1, 0)));
  });

  it('4.5.10: a Relationship becomes { type, objects: [[object, time], …] }', async () => {
    const id = urn('TSensor');
    await seed({
      id,
      type: 'TSensor',
      placedIn: [
        { type: 'Relationship', object: 'urn:ngsi-ld:Room:1', observedAt: T(1, 0) },
        { type: 'Relationship', object: 'urn:ngsi-ld:Room:2', observedAt: T(1, 6) },
      ],
    } as never);
    const got = await temporal(id, '?options=temporalValues');
    expect(got.placedIn.type).toBe('Relationship');
    expect(got.placedIn.objects.map((p: [string, string]) => p[0]).sort()).toEqual([
      'urn:ngsi-ld:Room:1',
      'urn:ngsi-ld:Room:2',
    ]);
  });
});

describe('4.5.19 Aggregated temporal representation (options=aggregatedValues)', () => {
  const range = `timerel=between&timeAt=${T(1, 0)}&endTimeAt=${T(3, 0)}`;
  async function aggregated(methods: string, duration = 'P1D') {
    const e = await seed();
    const got = await temporal(
      e.id,
      `?options=aggregatedValues&aggrMethods=${methods}&aggrPeriodDuration=${duration}&${range}`,
    );
    expect(got.temperature.type).toBe('Property');
    return got.temperature;
  }
  const bucketValues = (list: [number, string, string][]) =>
    [...list].sort((x, y) => Date.parse(x[1]) - Date.parse(y[1])).map((x) => x[0]);

  it.each([
    ['totalCount', [3, 2]],
    ['distinctCount', [3, 1]],
    ['sum', [60, 80]],
    ['avg', [20, 40]],
    ['min', [10, 40]],
    ['max', [30, 40]],
    ['sumsq', [1400, 3200]],
  ])(
    '4.5.19: aggrMethods=%s with aggrPeriodDuration=P1D gives one value per day',
    async (method, expected) => {
      const attr = await aggregated(method);
      expect(bucketValues(attr[method])).toEqual(expected);
    },
  );

  it('4.5.19: aggrMethods=stddev gives the standard deviation per period', async () => {
    const got = bucketValues((await aggregated('stddev'))['stddev']);
    expect(got).toHaveLength(2);
    // Population (8.165) or sample (10) standard deviation: the spec does not say which.
    expect([8.165, 10].some((v) => Math.abs(got[0]! - v) < 0.01)).toBe(true);
    expect(got[1]).toBeCloseTo(0, 5);
  });

  it('4.5.19: each aggregated value is [value, startAt, endAt] of its period', async () => {
    const list = (await aggregated('sum')).sum as [number, string, string][];
    const first = [...list].sort((x, y) => Date.parse(x[1]) - Date.parse(y[1]))[0]!;
    expect(Date.parse(first[1])).toBe(Date.parse(T(1, 0)));
    expect(Date.parse(first[2])).toBe(Date.parse(T(2, 0)));
  });

  it('4.5.19: several aggrMethods at once', async () => {
    const attr = await aggregated('min,max,avg');
    expect(bucketValues(attr.min)).toEqual([10, 40]);
    expect(bucketValues(attr.max)).toEqual([30, 40]);
    expect(bucketValues(attr.avg)).toEqual([20, 40]);
  });

  it('4.5.19: without aggrPeriodDuration the whole time range is one period', async () => {
    const e = await seed();
    const got = await temporal(
      e.id,
      `?options=aggregatedValues&aggrMethods=totalCount,sum,distinctCount&${range}`,
    );
    expect(got.temperature.totalCount.map((x: number[]) => x[0])).toEqual([5]);
    expect(got.temperature.sum.map((x: number[]) => x[0])).toEqual([140]);
    expect(got.temperature.distinctCount.map((x: number[]) => x[0])).toEqual([4]);
  });

  it('4.5.19: aggrPeriodDuration=PT6H splits day 1 into periods of six hours', async () => {
    const attr = await aggregated('totalCount', 'PT6H');
    const nonEmpty = (attr.totalCount as [number, string, string][]).filter((x) => x[0] > 0);
    expect(nonEmpty.map((x) => x[0])).toEqual([1, 1, 1, 1, 1]);
  });

  it.each([
    [
      'aggregatedValues without aggrMethods',
      `?options=aggregatedValues&aggrPeriodDuration=P1D&${range}`,
    ],
    ['an unknown aggrMethod', `?options=aggregatedValues&aggrMethods=median&${range}`],
    [
      'an invalid aggrPeriodDuration',
      `?options=aggregatedValues&aggrMethods=sum&aggrPeriodDuration=1day&${range}`,
    ],
  ])('4.5.19/5.5.2: 400 BadRequestData for %s', async (_why, qs) => {
    const e = await seed();
    expectProblem(await b.api.get(`${tpath(e.id)}${qs}`), 400, 'BadRequestData');
  });
});

describe('5.7.4 Query Temporal Evolution of Entities (GET /temporal/entities)', () => {
  it('5.7.4: answers every entity of the type with its instances in the time range', async () => {
    const type = unique('TSensor');
    const a = await seed(series(urn('TSensor'), type));
    const c = await seed(series(urn('TSensor'), type));
    const res = await b.api.get(`/temporal/entities?type=${type}&timerel=after&timeAt=${T(1, 7)}`);
    expect(res.status, res.text).toBe(200);
    expect(ids(res.body)).toEqual([a.id, c.id].sort());
    for (const e of res.body) expect(values(e.temperature)).toEqual([30, 40, 40]);
  });

  it('5.7.4: q filters the entities', async () => {
    const type = unique('TSensor');
    const a = await seed(series(urn('TSensor'), type));
    await seed({ id: urn('TSensor'), type, temperature: [inst(1, T(1, 0))] });
    const res = await b.api.get(
      `/temporal/entities?type=${type}&q=temperature>35&timerel=before&timeAt=${T(3, 0)}`,
    );
    expect(ids(res.body)).toEqual([a.id]);
  });

  it('5.7.4: count=true gives NGSILD-Results-Count', async () => {
    const type = unique('TSensor');
    await seed(series(urn('TSensor'), type));
    await seed(series(urn('TSensor'), type));
    const res = await b.api.get(
      `/temporal/entities?type=${type}&timerel=before&timeAt=${T(3, 0)}&count=true&limit=1`,
    );
    expect(res.body).toHaveLength(1);
    expect(res.headers['ngsild-results-count']).toBe('2');
  });

  it('5.7.4: 400 BadRequestData without any entity selector', async () => {
    expectProblem(
      await b.api.get(`/temporal/entities?timerel=before&timeAt=${T(3, 0)}`),
      400,
      'BadRequestData',
    );
  });

  it('6.24: POST /temporal/entityOperations/query with a temporalQ answers like the GET query', async () => {
    const type = unique('TSensor');
    const a = await seed(series(urn('TSensor'), type));
    const res = await b.api.post('/temporal/entityOperations/query', {
      type: 'Query',
      entities: [{ type }],
      temporalQ: { timerel: 'between', timeAt: T(1, 3), endTimeAt: T(2, 3) },
    });
    expect(res.status, res.text).toBe(200);
    expect(ids(res.body)).toEqual([a.id]);
    expect(values(res.body[0].temperature)).toEqual([20, 30, 40]);
  });

  it('6.24: POST temporal query honours attrs and lastN', async () => {
    const type = unique('TSensor');
    await seed({ ...series(urn('TSensor'), type), humidity: [inst(1, T(1, 0))] });
    const res = await b.api.post('/temporal/entityOperations/query?lastN=1', {
      type: 'Query',
      entities: [{ type }],
      attrs: ['temperature'],
      // lastN is sent both as URL parameter (6.24) and in temporalQ: the texts differ.
      temporalQ: { timerel: 'before', timeAt: T(3, 0), lastN: 1 },
    });
    expect(res.body[0].humidity).toBeUndefined();
    expect(
      res.body[0].temperature.map((i: { observedAt: string }) => Date.parse(i.observedAt)),
    ).toEqual([Date.parse(T(2, 6))]);
  });
});

describe('5.6.12-5.6.16 Temporal attribute and instance operations', () => {
  it('5.6.12: POST /temporal/entities/{id}/attrs appends instances (204)', async () => {
    const e = await seed();
    const res = await b.api.post(`${tpath(e.id)}/attrs`, {
      temperature: [inst(60, T(4, 0))],
      humidity: [inst(5, T(4, 0))],
    });
    expect(res.status, res.text).toBe(204);
    const got = await temporal(e.id);
    expect(values(got.temperature)).toEqual([10, 20, 30, 40, 40, 60]);
    expect(values(got.humidity)).toEqual([5]);
  });

  it('5.6.12: 404 ResourceNotFound when appending to an unknown entity', async () => {
    expectProblem(
      await b.api.post(`${tpath('urn:ngsi-ld:TSensor:none')}/attrs`, {
        temperature: [inst(1, T(1, 0))],
      }),
      404,
      'ResourceNotFound',
    );
  });

  it('5.6.13: DELETE /temporal/entities/{id}/attrs/{attr} removes the attribute history (204)', async () => {
    const e = await seed({ ...series(), humidity: [inst(1, T(1, 0))] });
    const res = await b.api.delete(`${tpath(e.id)}/attrs/temperature`);
    expect(res.status, res.text).toBe(204);
    const got = await temporal(e.id);
    expect(got.temperature).toBeUndefined();
    expect(values(got.humidity)).toEqual([1]);
  });

  it('5.6.13: 404 ResourceNotFound for an attribute without history', async () => {
    const e = await seed();
    expectProblem(await b.api.delete(`${tpath(e.id)}/attrs/pressure`), 404, 'ResourceNotFound');
  });

  it('5.6.14: PATCH …/attrs/{attr}/{instanceId} modifies that instance (204)', async () => {
    const e = await seed();
    const first = [(await temporal(e.id)).temperature]
      .flat()
      .find((i: { value: number }) => i.value === 10);
    const res = await b.api.patch(
      `${tpath(e.id)}/attrs/temperature/${encodeURIComponent(first.instanceId)}`,
      {
        type: 'Property',
        value: 11,
        observedAt: T(1, 0),
      },
    );
    expect(res.status, res.text).toBe(204);
    expect(values((await temporal(e.id)).temperature)).toEqual([11, 20, 30, 40, 40]);
  });

  it('5.6.14: 404 ResourceNotFound for an unknown instanceId', async () => {
    const e = await seed();
    expectProblem(
      await b.api.patch(
        `${tpath(e.id)}/attrs/temperature/${encodeURIComponent('urn:ngsi-ld:Instance:none')}`,
        {
          type: 'Property',
          value: 1,
          observedAt: T(1, 0),
        },
      ),
      404,
      'ResourceNotFound',
    );
  });

  it('5.6.15: DELETE …/attrs/{attr}/{instanceId} removes that instance (204)', async () => {
    const e = await seed();
    const target = [(await temporal(e.id)).temperature]
      .flat()
      .find((i: { value: number }) => i.value === 30);
    const res = await b.api.delete(
      `${tpath(e.id)}/attrs/temperature/${encodeURIComponent(target.instanceId)}`,
    );
    expect(res.status, res.text).toBe(204);
    expect(values((await temporal(e.id)).temperature)).toEqual([10, 20, 40, 40]);
  });

  it('5.6.16: DELETE /temporal/entities/{id} removes the temporal entity (204, then 404)', async () => {
    const e = await seed();
    expect((await b.api.delete(tpath(e.id))).status).toBe(204);
    expectProblem(await b.api.get(tpath(e.id)), 404, 'ResourceNotFound');
  });

  it('5.6.16: 404 ResourceNotFound when deleting an unknown temporal entity', async () => {
    expectProblem(await b.api.delete(tpath('urn:ngsi-ld:TSensor:none')), 404, 'ResourceNotFound');
  });
});

describe('4.5.9 History recorded through the entity API', () => {
  it('4.5.9: updates with observedAt made through /entities build up the temporal evolution', async () => {
    const id = urn('TSensor');
    await b.api.post('/entities', { id, type: 'TSensor', temperature: inst(1, T(5, 0)) });
    await b.api.patch(`/entities/${id}/attrs`, { temperature: inst(2, T(5, 1)) });
    await b.api.patch(`/entities/${id}/attrs/temperature`, { value: 3, observedAt: T(5, 2) });
    expect(values((await temporal(id)).temperature)).toEqual([1, 2, 3]);
  });

  it('4.11: timeproperty=modifiedAt selects instances by when the broker recorded them', async () => {
    const id = urn('TSensor');
    await b.api.post('/entities', { id, type: 'TSensor', temperature: inst(1, T(5, 0)) });
    await sleep(30);
    const mark = new Date().toISOString();
    await sleep(30);
    await b.api.patch(`/entities/${id}/attrs`, { temperature: inst(2, T(5, 1)) });
    const got = await temporal(id, `?timerel=after&timeAt=${mark}&timeproperty=modifiedAt`);
    expect(values(got.temperature)).toEqual([2]);
  });

  it('4.11: timeproperty=observedAt is the default', async () => {
    const e = await seed();
    const a = await temporal(e.id, `?timerel=before&timeAt=${T(1, 7)}`);
    const c = await temporal(e.id, `?timerel=before&timeAt=${T(1, 7)}&timeproperty=observedAt`);
    expect(values(c.temperature)).toEqual(values(a.temperature));
  });

  it('5.5.10: temporal data is tenant-isolated', async () => {
    const tenant = unique('ttenant');
    const e = series();
    expect((await b.api.post('/temporal/entities', e, { 'ngsild-tenant': tenant })).status).toBe(
      201,
    );
    expectProblem(await b.api.get(tpath(e.id)), 404, 'ResourceNotFound');
    expect((await b.api.get(tpath(e.id), { 'ngsild-tenant': tenant })).status).toBe(200);
  });
});
