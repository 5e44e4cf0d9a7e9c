import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observation } from '../../core/index.js';
import { startTestBroker, type TestBroker } from '../test-harness.js';

const aq = 'urn:ngsi-ld:AirQualityObserved:aq-7';
const bus = 'urn:ngsi-ld:Vehicle:bus-1';
const t0 = Date.parse('2024-05-01T12:00:00Z');
const minute = 60_000;
const iso = (i: number) => new Date(t0 + i * minute).toISOString();
const ERR = 'https://uri.etsi.org/ngsi-ld/errors/';

const observation = (i: number, attrs: Observation['attrs']): Observation => ({
  entityId: aq,
  entityType: 'AirQualityObserved',
  deviceId: 'dev-7',
  observedAt: t0 + i * minute,
  attrs,
});

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
  // Ingest writes the history the temporal API reads.
  await broker.store.ingest([
    observation(0, { no2: { value: 10 }, level: { value: 'good' } }),
    observation(1, { no2: { value: 20 } }),
    observation(2, { no2: { value: 30 }, level: { value: 'moderate' } }),
    observation(3, { no2: { value: 40 } }),
  ]);
  const res = await broker.app.inject({
    method: 'POST',
    url: '/ngsi-ld/v1/temporal/entities',
    payload: {
      id: bus,
      type: 'Vehicle',
      speed: [
        { type: 'Property', value: 30, observedAt: iso(0) },
        { type: 'Property', value: 50, observedAt: iso(1) },
        { type: 'Property', value: 31, observedAt: iso(0), datasetId: 'urn:ngsi-ld:Dataset:gps' },
      ],
      driver: { type: 'Relationship', object: 'urn:ngsi-ld:Person:p1', observedAt: iso(0) },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
});
afterAll(() => broker.close());

const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await broker.app.inject({ url: `/ngsi-ld/v1/temporal/${path}`, headers });
  return { status: res.statusCode, headers: res.headers, body: res.json() };
};
const no2 = (i: number) => ({ type: 'Property', value: (i + 1) * 10, observedAt: iso(i) });
const strip = (list: Record<string, unknown>[]) => list.map(({ instanceId: _i, ...rest }) => rest);

describe('GET /temporal/entities/{id}', () => {
  it('answers ingest observations as instances with instanceIds, oldest first', async () => {
    const { status, body } = await get(`entities/${aq}`);
    expect(status).toBe(200);
    expect(body.id).toBe(aq);
    expect(body.type).toBe('AirQualityObserved');
    expect(strip(body.no2)).toEqual([0, 1, 2, 3].map(no2));
    expect(strip(body.level)).toEqual([
      { type: 'Property', value: 'good', observedAt: iso(0) },
      { type: 'Property', value: 'moderate', observedAt: iso(2) },
    ]);
    const ids = (body.no2 as { instanceId: string }[]).map((i) => i.instanceId);
    expect(new Set(ids).size).toBe(4);
    expect(ids.every((id) => /^urn:ngsi-ld:Instance:/.test(id))).toBe(true);
  });

  it('limits with attrs, lastN and time windows (lower bound inclusive)', async () => {
    const values = async (qs: string) =>
      ((await get(`entities/${aq}?attrs=no2&${qs}`)).body.no2 ?? []).map(
        (i: { value: number }) => i.value,
      );
    expect(await values('lastN=2')).toEqual([30, 40]);
    expect(await values(`timerel=before&timeAt=${iso(2)}`)).toEqual([10, 20]);
    expect(await values(`timerel=after&timeAt=${iso(2)}`)).toEqual([30, 40]);
    expect(await values(`timerel=between&timeAt=${iso(1)}&endTimeAt=${iso(3)}`)).toEqual([20, 30]);
    expect(await values(`timerel=after&timeAt=${iso(1)}&lastN=1`)).toEqual([40]);
    expect((await get(`entities/${aq}?attrs=no2`)).body.level).toBeUndefined();
  });

  it('answers [value, time] pairs with options=temporalValues, per datasetId', async () => {
    const { body } = await get(`entities/${bus}?options=temporalValues`);
    expect(body.speed).toEqual([
      {
        type: 'Property',
        values: [
          [30, iso(0)],
          [50, iso(1)],
        ],
      },
      { type: 'Property', values: [[31, iso(0)]], datasetId: 'urn:ngsi-ld:Dataset:gps' },
    ]);
    expect(body.driver).toEqual({
      type: 'Relationship',
      objects: [['urn:ngsi-ld:Person:p1', iso(0)]],
    });
  });

  it('aggregates per period with options=aggregatedValues', async () => {
    const { status, body } = await get(
      `entities/${aq}?attrs=no2&options=aggregatedValues&aggrMethods=avg,max,totalCount&aggrPeriodDuration=PT2M&timerel=after&timeAt=${iso(0)}`,
    );
    expect(status).toBe(200);
    expect(body.no2).toEqual({
      type: 'Property',
      avg: [
        [15, iso(0), iso(2)],
        [35, iso(2), iso(4)],
      ],
      max: [
        [20, iso(0), iso(2)],
        [40, iso(2), iso(4)],
      ],
      totalCount: [
        [2, iso(0), iso(2)],
        [2, iso(2), iso(4)],
      ],
    });
    const whole = await get(`entities/${aq}?attrs=no2&format=aggregatedValues&aggrMethods=sum`);
    expect(whole.body.no2).toEqual({ type: 'Property', sum: [[100, iso(0), iso(3)]] });
  });

  it('shows system times with options=sysAttrs and filters on createdAt', async () => {
    const { body } = await get(`entities/${bus}?attrs=driver&options=sysAttrs`);
    expect(body.createdAt).toEqual(expect.any(String));
    expect(body.driver[0]).toMatchObject({
      createdAt: expect.any(String),
      modifiedAt: expect.any(String),
    });
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const later = await get(
      `entities/${bus}?timeproperty=createdAt&timerel=after&timeAt=${future}`,
    );
    expect(later.body.speed).toBeUndefined();
    const before = await get(
      `entities/${bus}?timeproperty=createdAt&timerel=before&timeAt=${future}`,
    );
    expect(before.body.speed).toHaveLength(3);
  });

  it.each([
    ['timerel=before', /needs timeAt/],
    [`timerel=between&timeAt=${iso(1)}`, /needs endTimeAt/],
    [`timerel=between&timeAt=${iso(2)}&endTimeAt=${iso(1)}`, /later than timeAt/],
    ['timerel=after&timeAt=yesterday', /ISO 8601/],
    [`timeAt=${iso(1)}`, /need timerel/],
    [`timerel=during&timeAt=${iso(1)}`, /timerel/],
    ['lastN=0', /lastN/],
    ['lastN=two', /lastN/],
    ['timeproperty=deletedAt', /timeproperty/],
    ['options=aggregatedValues', /aggrMethods/],
    ['options=aggregatedValues&aggrMethods=median', /median/],
    ['options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=1h', /ISO 8601 duration/],
    ['options=keyValuesX', /not supported/],
  ])('refuses %s with 400 BadRequestData', async (qs, detail) => {
    const { status, body } = await get(`entities/${aq}?${qs}`);
    expect(status).toBe(400);
    expect(body.type).toBe(`${ERR}BadRequestData`);
    expect(body.detail).toMatch(detail);
  });

  it('answers 404 for an unknown entity and for an unknown tenant', async () => {
    const missing = await get('entities/urn:ngsi-ld:AirQualityObserved:none');
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe(`${ERR}ResourceNotFound`);
    const tenant = await get(`entities/${aq}`, { 'NGSILD-Tenant': 'nobody' });
    expect(tenant.status).toBe(404);
    expect(tenant.body.type).toBe(`${ERR}NonexistentTenant`);
  });
});

describe('GET /temporal/entities', () => {
  it('selects entities on their current state and pages them with a count', async () => {
    const { status, headers, body } = await get(
      'entities?type=AirQualityObserved,Vehicle&attrs=no2,speed&lastN=1&count=true&limit=1',
    );
    expect(status).toBe(200);
    expect(headers['ngsild-results-count']).toBe('2');
    expect(body).toHaveLength(1);
    expect(body[0].id).toBe(aq);
    expect(strip(body[0].no2)).toEqual([no2(3)]);
    const next = await get(
      'entities?type=AirQualityObserved,Vehicle&attrs=no2,speed&offset=1&lastN=1',
    );
    expect(next.body.map((e: { id: string }) => e.id)).toEqual([bus]);
    const byQ = await get('entities?q=speed>40&options=temporalValues');
    expect(byQ.body.map((e: { id: string }) => e.id)).toEqual([bus]);
  });

  it('needs a selector, and keeps to the NGSI-LD paging limits', async () => {
    expect((await get(`entities?timerel=after&timeAt=${iso(0)}`)).status).toBe(400);
    expect((await get('entities?type=Vehicle&limit=5000')).body.type).toBe(`${ERR}TooManyResults`);
  });
});

describe('POST /temporal/entityOperations/query', () => {
  const query = (payload: Record<string, unknown>, qs = '') =>
    broker.app.inject({
      method: 'POST',
      url: `/ngsi-ld/v1/temporal/entityOperations/query?${qs}`,
      payload,
    });

  it('answers the history of the selected entities in the temporalQ window', async () => {
    const res = await query(
      {
        type: 'Query',
        entities: [{ type: 'AirQualityObserved' }, { id: bus }],
        attrs: ['no2', 'speed'],
        temporalQ: { timerel: 'before', timeAt: iso(1), lastN: 5 },
      },
      'options=temporalValues',
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      { id: aq, type: 'AirQualityObserved', no2: { type: 'Property', values: [[10, iso(0)]] } },
      {
        id: bus,
        type: 'Vehicle',
        speed: [
          { type: 'Property', values: [[30, iso(0)]] },
          { type: 'Property', values: [[31, iso(0)]], datasetId: 'urn:ngsi-ld:Dataset:gps' },
        ],
      },
    ]);
  });

  it('refuses a bad temporalQ or a body that is not a Query', async () => {
    const bad = await query({
      type: 'Query',
      entities: [{ id: bus }],
      temporalQ: { timerel: 'soon' },
    });
    expect(bad.statusCode).toBe(400);
    expect((await query({ type: 'Nope' })).statusCode).toBe(400);
  });
});
