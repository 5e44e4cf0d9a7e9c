// ETSI GS CIM 009 v1.8 clause 4.5 (representations: normalized 4.5.1, concise 4.5.2,
// simplified/keyValues 4.5.3), GeoJSON (4.5.16/4.5.17, 6.3.15), projection with pick/omit
// (4.21), and the options/format parameters (6.3.7).
import { describe, expect, it } from 'vitest';
import { expectProblem, urn, useBroker } from './helpers/broker.js';

const b = useBroker({}, 'file');
const path = (id: string) => `/entities/${encodeURIComponent(id)}`;

function station(id = urn('WeatherStation')) {
  return {
    id,
    type: 'WeatherStation',
    name: { type: 'Property', value: 'Alexanderplatz' },
    temperature: {
      type: 'Property',
      value: 12.5,
      unitCode: 'CEL',
      observedAt: '2024-03-01T10:00:00.000Z',
    },
    operator: { type: 'Relationship', object: 'urn:ngsi-ld:Organization:dwd' },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [13.41, 52.52] } },
    coverage: {
      type: 'GeoProperty',
      value: {
        type: 'Polygon',
        coordinates: [
          [
            [13.3, 52.4],
            [13.5, 52.4],
            [13.5, 52.6],
            [13.3, 52.6],
            [13.3, 52.4],
          ],
        ],
      },
    },
  };
}

async function seed() {
  const e = station();
  const res = await b.api.post('/entities', e);
  expect(res.status, res.text).toBe(201);
  return e;
}

describe('4.5.3 Simplified (keyValues) representation', () => {
  it.each(['options=keyValues', 'format=keyValues', 'format=simplified'])(
    '4.5.3/6.3.7: %s gives attribute values only',
    async (qs) => {
      const e = await seed();
      const got = (await b.api.get(`${path(e.id)}?${qs}`)).body;
      expect(got).toEqual({
        id: e.id,
        type: 'WeatherStation',
        name: 'Alexanderplatz',
        temperature: 12.5,
        operator: 'urn:ngsi-ld:Organization:dwd',
        location: e.location.value,
        coverage: e.coverage.value,
      });
    },
  );

  it('4.5.3: keyValues applies to every entity of a query result', async () => {
    const e = await seed();
    const res = await b.api.get(
      `/entities?id=${encodeURIComponent(e.id)}&type=WeatherStation&options=keyValues`,
    );
    expect(res.body).toEqual([expect.objectContaining({ id: e.id, name: 'Alexanderplatz' })]);
  });

  it('4.5.1/6.3.7: format=normalized gives the normalized form', async () => {
    const e = await seed();
    expect((await b.api.get(`${path(e.id)}?format=normalized`)).body).toEqual(e);
  });
});

describe('4.5.2 Concise representation (options=concise)', () => {
  it.each(['options=concise', 'format=concise'])(
    '4.5.2: %s drops "type" from attributes; a Property without sub-attributes becomes its value',
    async (qs) => {
      const e = await seed();
      const got = (await b.api.get(`${path(e.id)}?${qs}`)).body;
      expect(got.id).toBe(e.id);
      expect(got.type).toBe('WeatherStation');
      expect(got.name).toBe('Alexanderplatz');
    },
  );

  it('4.5.2: a Property with sub-attributes keeps value and its (concise) sub-attributes, without type', async () => {
    const e = await seed();
    const got = (await b.api.get(`${path(e.id)}?options=concise`)).body;
    expect(got.temperature).toEqual({
      value: 12.5,
      unitCode: 'CEL',
      observedAt: '2024-03-01T10:00:00.000Z',
    });
  });

  it('4.5.2: a Relationship keeps its "object" member so it stays distinguishable from a string Property', async () => {
    const e = await seed();
    const got = (await b.api.get(`${path(e.id)}?options=concise`)).body;
    expect(got.operator).toEqual({ object: 'urn:ngsi-ld:Organization:dwd' });
  });

  it('4.5.2: a GeoProperty without sub-attributes becomes its GeoJSON geometry', async () => {
    const e = await seed();
    const got = (await b.api.get(`${path(e.id)}?options=concise`)).body;
    expect(got.location).toEqual(e.location.value);
  });

  it('4.5.2/5.6.1: a concise entity is accepted on creation and stored in normalized form', async () => {
    const id = urn('WeatherStation');
    const res = await b.api.post('/entities', {
      id,
      type: 'WeatherStation',
      name: 'Concise',
      temperature: { value: 3, unitCode: 'CEL' },
      operator: { object: 'urn:ngsi-ld:Organization:x' },
    });
    expect(res.status, res.text).toBe(201);
    expect((await b.api.get(path(id))).body).toEqual({
      id,
      type: 'WeatherStation',
      name: { type: 'Property', value: 'Concise' },
      temperature: { type: 'Property', value: 3, unitCode: 'CEL' },
      operator: { type: 'Relationship', object: 'urn:ngsi-ld:Organization:x' },
    });
  });
});

describe('6.3.7 invalid representation options', () => {
  it('6.3.7: 400 when format has an unknown value', async () => {
    const e = await seed();
    const res = await b.api.get(`${path(e.id)}?format=fancy`);
    expect(res.status).toBe(400);
    expect(res.body.type).toMatch(/\/(BadRequestData|InvalidRequest)$/);
  });
});

describe('4.21 Projection with pick and omit', () => {
  it('4.21: pick keeps only the listed members (id and type included when picked)', async () => {
    const e = await seed();
    const got = (await b.api.get(`${path(e.id)}?pick=id,type,name`)).body;
    expect(got).toEqual({ id: e.id, type: 'WeatherStation', name: e.name });
  });

  it('4.21: pick without id/type leaves them out', async () => {
    const e = await seed();
    const got = (await b.api.get(`${path(e.id)}?pick=name,operator`)).body;
    expect(got).toEqual({ name: e.name, operator: e.operator });
  });

  it('4.21: omit removes the listed attributes and keeps the rest', async () => {
    const e = await seed();
    const got = (await b.api.get(`${path(e.id)}?omit=coverage,temperature`)).body;
    expect(got).toEqual({
      id: e.id,
      type: 'WeatherStation',
      name: e.name,
      operator: e.operator,
      location: e.location,
    });
  });

  it('4.21: pick works with keyValues', async () => {
    const e = await seed();
    const got = (await b.api.get(`${path(e.id)}?pick=id,temperature&options=keyValues`)).body;
    expect(got).toEqual({ id: e.id, temperature: 12.5 });
  });

  it('4.21: pick applies to query results', async () => {
    const e = await seed();
    const res = await b.api.get(
      `/entities?id=${encodeURIComponent(e.id)}&type=WeatherStation&pick=id,name`,
    );
    expect(res.body).toEqual([{ id: e.id, name: e.name }]);
  });

  it('4.21: 400 BadRequestData when pick and omit are both given', async () => {
    const e = await seed();
    const res = await b.api.get(`${path(e.id)}?pick=name&omit=name`);
    expectProblem(res, 400, 'BadRequestData');
  });
});

describe('4.5.16/6.3.15 GeoJSON representation (Accept: application/geo+json)', () => {
  it('4.5.16: a retrieved entity is a GeoJSON Feature whose geometry is the location', async () => {
    const e = await seed();
    const res = await b.api.get(path(e.id), { accept: 'application/geo+json' });
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
    expect(res.body.type).toBe('Feature');
    expect(res.body.id).toBe(e.id);
    expect(res.body.geometry).toEqual(e.location.value);
    expect(res.body.properties.type).toBe('WeatherStation');
    expect(res.body.properties.name).toEqual(e.name);
    expect(res.body.properties.temperature).toEqual(e.temperature);
  });

  it('4.5.16: geometryProperty chooses another GeoProperty as the geometry', async () => {
    const e = await seed();
    const res = await b.api.get(`${path(e.id)}?geometryProperty=coverage`, {
      accept: 'application/geo+json',
    });
    expect(res.body.geometry).toEqual(e.coverage.value);
  });

  it('4.5.16: a Feature has a null geometry when the entity has no such GeoProperty', async () => {
    const id = urn('WeatherStation');
    await b.api.post('/entities', {
      id,
      type: 'WeatherStation',
      name: { type: 'Property', value: 'x' },
    });
    const res = await b.api.get(path(id), { accept: 'application/geo+json' });
    expect(res.body.type).toBe('Feature');
    expect(res.body.geometry).toBeNull();
  });

  it('4.5.17: a query answers a GeoJSON FeatureCollection', async () => {
    const e1 = await seed();
    const e2 = await seed();
    const res = await b.api.get(`/entities?type=WeatherStation&id=${e1.id},${e2.id}`, {
      accept: 'application/geo+json',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
    expect(res.body.type).toBe('FeatureCollection');
    const fids = res.body.features.map((f: { id: string }) => f.id);
    expect(fids).toEqual(expect.arrayContaining([e1.id, e2.id]));
    for (const f of res.body.features) expect(f.type).toBe('Feature');
  });

  it('4.5.16: keyValues with GeoJSON gives simplified properties', async () => {
    const e = await seed();
    const res = await b.api.get(`${path(e.id)}?options=keyValues`, {
      accept: 'application/geo+json',
    });
    expect(res.body.properties.name).toBe('Alexanderplatz');
    expect(res.body.geometry).toEqual(e.location.value);
  });
});
