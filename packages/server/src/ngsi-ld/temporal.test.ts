import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observation } from '../core/index.js';
import { startTestBroker, type TestBroker } from './test-harness.js';

const id = 'urn:ngsi-ld:AirQualityObserved:aq-7';
const t0 = Date.parse('2024-05-01T12:00:00Z');
const minute = 60_000;
const iso = (i: number) => new Date(t0 + i * minute).toISOString();

const observation = (i: number, attrs: Observation['attrs']): Observation => ({
  entityId: id,
  entityType: 'AirQualityObserved',
  deviceId: 'dev-7',
  observedAt: t0 + i * minute,
  attrs,
});

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
  await broker.store.ingest([
    observation(0, { no2: { value: 10, unitCode: 'GQ' }, level: { value: 'good' } }),
    observation(1, { no2: { value: 20, unitCode: 'GQ' } }),
    observation(2, { no2: { value: 30, unitCode: 'GQ' }, level: { value: 'moderate' } }),
    observation(3, { no2: { value: 40, unitCode: 'GQ' } }),
  ]);
});
afterAll(() => broker.close());

const temporal = async (qs = '', entityId = id) => {
  const res = await broker.app.inject({ url: `/ngsi-ld/v1/temporal/entities/${entityId}?${qs}` });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
};
const no2 = (i: number) => ({
  type: 'Property',
  value: (i + 1) * 10,
  observedAt: iso(i),
  unitCode: 'GQ',
});

describe('GET /temporal/entities/{id}', () => {
  it('answers every instance of every attribute, oldest first, in normalized form', async () => {
    const { status, body } = await temporal();
    expect(status).toBe(200);
    expect(body).toEqual({
      id,
      type: 'AirQualityObserved',
      no2: [0, 1, 2, 3].map(no2),
      level: [
        { type: 'Property', value: 'good', observedAt: iso(0) },
        { type: 'Property', value: 'moderate', observedAt: iso(2) },
      ],
    });
  });

  it('keeps a single instance in an array, and limits with lastN and attrs', async () => {
    expect((await temporal('attrs=no2&lastN=1')).body).toEqual({
      id,
      type: 'AirQualityObserved',
      no2: [no2(3)],
    });
    const two = await temporal('lastN=2');
    expect(two.body.no2).toEqual([no2(2), no2(3)]);
    expect((two.body.level as unknown[]).length).toBe(2);
  });

  it('answers [value, observedAt] pairs with options=temporalValues', async () => {
    expect((await temporal('attrs=level&options=temporalValues')).body).toEqual({
      id,
      type: 'AirQualityObserved',
      level: {
        type: 'Property',
        values: [
          ['good', iso(0)],
          ['moderate', iso(2)],
        ],
      },
    });
  });

  it.each([
    [`timerel=before&timeAt=${iso(2)}`, [0, 1]],
    [`timerel=after&timeAt=${iso(2)}`, [2, 3]],
    [`timerel=between&timeAt=${iso(1)}&endTimeAt=${iso(3)}`, [1, 2]],
    [`timerel=after&timeAt=${iso(1)}&lastN=1`, [3]],
    [`timerel=after&timeAt=${iso(9)}`, []],
  ])('windows instances with %s', async (qs, expected) => {
    const { status, body } = await temporal(`attrs=no2&${qs}`);
    expect(status).toBe(200);
    expect(body.no2 ?? []).toEqual(expected.map(no2));
  });

  it.each([
    ['timerel=before', /needs timeAt/],
    [`timerel=between&timeAt=${iso(1)}`, /needs endTimeAt/],
    [`timerel=between&timeAt=${iso(2)}&endTimeAt=${iso(1)}`, /later than timeAt/],
    ['timerel=after&timeAt=yesterday', /ISO 8601/],
    [`timeAt=${iso(1)}`, /need timerel/],
    [`timerel=after&timeAt=${iso(1)}&endTimeAt=${iso(2)}`, /only used with timerel=between/],
    ['timerel=during&timeAt=2024-05-01T12:00:00Z', /timerel/],
    ['lastN=0', /lastN/],
    ['options=aggregatedValues', /not supported/],
  ])('refuses %s with 400 BadRequestData', async (qs, detail) => {
    const { status, body } = await temporal(qs);
    expect(status).toBe(400);
    expect(body.type).toBe('https://uri.etsi.org/ngsi-ld/errors/BadRequestData');
    expect(body.detail).toMatch(detail);
  });

  it('answers 404 when neither the entity nor its series exist', async () => {
    const { status, body } = await temporal('', 'urn:ngsi-ld:AirQualityObserved:none');
    expect(status).toBe(404);
    expect(body.type).toBe('https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound');
  });

  it('answers an entity without series with no instances', async () => {
    const lamp = { id: 'urn:ngsi-ld:Streetlight:sl-9', type: 'Streetlight' };
    await broker.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', payload: lamp });
    expect(await temporal('', lamp.id)).toEqual({ status: 200, body: lamp });
  });

  it('still answers the series of an entity deleted through the API', async () => {
    const other = 'urn:ngsi-ld:NoiseLevelObserved:n-1';
    await broker.store.ingest([
      {
        entityId: other,
        entityType: 'NoiseLevelObserved',
        deviceId: 'd',
        observedAt: t0,
        attrs: { laeq: { value: 61 } },
      },
    ]);
    await broker.app.inject({ method: 'DELETE', url: `/ngsi-ld/v1/entities/${other}` });
    expect(await temporal('', other)).toEqual({
      status: 200,
      body: {
        id: other,
        type: 'NoiseLevelObserved',
        laeq: [{ type: 'Property', value: 61, observedAt: iso(0) }],
      },
    });
  });
});
