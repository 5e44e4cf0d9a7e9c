import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './test-harness.js';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';

const air = (n: number, no2: number, level: string, extra: Record<string, unknown> = {}) => ({
  id: `urn:ngsi-ld:AirQualityObserved:aq-${String(n).padStart(3, '0')}`,
  type: 'AirQualityObserved',
  no2: { type: 'Property', value: no2, unitCode: 'GQ' },
  airQualityLevel: { type: 'Property', value: level },
  ...extra,
});
const entities = [
  air(1, 12, 'good'),
  air(2, 41, 'moderate', { pm10: { type: 'Property', value: 30 } }),
  air(3, 55, 'poor', { refStation: { type: 'Relationship', object: 'urn:ngsi-ld:Station:s1' } }),
  air(4, 80, 'very poor'),
  {
    id: 'urn:ngsi-ld:WeatherObserved:w-1',
    type: 'WeatherObserved',
    temperature: { type: 'Property', value: 21.5 },
  },
  {
    id: 'urn:ngsi-ld:Streetlight:sl-1',
    type: 'Streetlight',
    powerState: { type: 'Property', value: 'on' },
  },
];

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
  // Created in shuffled order: results must still come ordered by id.
  for (const e of [...entities].reverse())
    expect(
      (await broker.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', payload: e }))
        .statusCode,
    ).toBe(201);
});
afterAll(() => broker.close());

const query = (qs: string, headers: Record<string, string> = {}) =>
  broker.app.inject({ url: `/ngsi-ld/v1/entities?${qs}`, headers });
const ids = async (qs: string) => {
  const res = await query(qs);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ id: string }[]>().map((e) => e.id.split(':').pop());
};

describe('GET /entities', () => {
  it('filters by type (comma list), ordered by id', async () => {
    expect(await ids('type=AirQualityObserved')).toEqual(['aq-001', 'aq-002', 'aq-003', 'aq-004']);
    expect(await ids('type=Streetlight,WeatherObserved')).toEqual(['sl-1', 'w-1']);
    expect(await ids('type=Nothing')).toEqual([]);
  });

  it('filters by an id list', async () => {
    expect(
      await ids('id=urn:ngsi-ld:Streetlight:sl-1,urn:ngsi-ld:AirQualityObserved:aq-002,urn:x:none'),
    ).toEqual(['aq-002', 'sl-1']);
    expect((await query('id=not-a-uri')).statusCode).toBe(400);
  });

  it.each([
    ['no2>40', ['aq-002', 'aq-003', 'aq-004']],
    ['no2<=41', ['aq-001', 'aq-002']],
    ['no2==41', ['aq-002']],
    ['no2!=41', ['aq-001', 'aq-003', 'aq-004']],
    ['no2==40..60', ['aq-002', 'aq-003']],
    ['no2==12,80', ['aq-001', 'aq-004']],
    ['airQualityLevel=="poor"', ['aq-003']],
    ['airQualityLevel=="good","very poor"', ['aq-001', 'aq-004']],
    ['no2>40;airQualityLevel!="poor"', ['aq-002', 'aq-004']],
    ['no2<20|airQualityLevel=="poor"', ['aq-001', 'aq-003']],
    ['(no2<20|no2>70);airQualityLevel=="good"', ['aq-001']],
    ['pm10', ['aq-002']],
    ['refStation=="urn:ngsi-ld:Station:s1"', ['aq-003']],
    ['no2.unitCode=="GQ"', ['aq-001', 'aq-002', 'aq-003', 'aq-004']],
  ])('filters with q=%s', async (q, expected) => {
    expect(await ids(`type=AirQualityObserved&q=${encodeURIComponent(q)}`)).toEqual(expected);
  });

  it('runs q without type across all types', async () => {
    expect(await ids(`q=${encodeURIComponent('temperature>20|powerState=="on"')}`)).toEqual([
      'sl-1',
      'w-1',
    ]);
  });

  it('selects by attrs: entities having one of them, showing only them', async () => {
    const res = await query('attrs=pm10,temperature');
    expect(res.json()).toEqual([
      { id: entities[1]!.id, type: 'AirQualityObserved', pm10: { type: 'Property', value: 30 } },
      {
        id: entities[4]!.id,
        type: 'WeatherObserved',
        temperature: { type: 'Property', value: 21.5 },
      },
    ]);
  });

  it('renders keyValues and JSON-LD', async () => {
    const res = await query('type=Streetlight&options=keyValues', {
      accept: 'application/ld+json',
    });
    expect(res.headers['content-type']).toMatch(/^application\/ld\+json/);
    expect(res.json()).toEqual([
      {
        id: 'urn:ngsi-ld:Streetlight:sl-1',
        type: 'Streetlight',
        powerState: 'on',
        '@context': expect.stringMatching(/ngsi-ld-core-context/),
      },
    ]);
  });

  it('pages with limit and offset and counts with count=true', async () => {
    expect(await ids('type=AirQualityObserved&limit=2')).toEqual(['aq-001', 'aq-002']);
    expect(await ids('type=AirQualityObserved&limit=2&offset=3')).toEqual(['aq-004']);
    const counted = await query('type=AirQualityObserved&limit=1&offset=1&count=true');
    expect(counted.headers['ngsild-results-count']).toBe('4');
    expect(counted.json<unknown[]>().length).toBe(1);
    const withQ = await query(`q=${encodeURIComponent('no2>40')}&limit=1&count=true`);
    expect(withQ.headers['ngsild-results-count']).toBe('3');
    const onlyCount = await query('type=AirQualityObserved&limit=0&count=true');
    expect(onlyCount.json()).toEqual([]);
    expect(onlyCount.headers['ngsild-results-count']).toBe('4');
    expect(
      (await query('type=AirQualityObserved')).headers['ngsild-results-count'],
    ).toBeUndefined();
  });

  it('defaults to 20 per page', async () => {
    for (let i = 0; i < 25; i++)
      await broker.app.inject({
        method: 'POST',
        url: '/ngsi-ld/v1/entities',
        payload: { id: `urn:ngsi-ld:Bin:b${String(i).padStart(2, '0')}`, type: 'Bin' },
      });
    expect(await ids('type=Bin')).toHaveLength(20);
    expect(await ids('type=Bin&limit=1000')).toHaveLength(25);
  });

  it.each([
    ['', 'BadRequestData', 400, /a query needs type, id, idPattern, attrs, q, scopeQ/],
    ['local=false', 'BadRequestData', 400, /a query needs/],
    ['type=AirQualityObserved&q=(no2>1', 'BadRequestData', 400, /invalid q/],
    ['q=no2==', 'BadRequestData', 400, /invalid q/],
    ['type=AirQualityObserved&limit=1001', 'TooManyResults', 403, /maximum page size 1000/],
    ['type=AirQualityObserved&limit=0', 'BadRequestData', 400, /count=true/],
    ['type=AirQualityObserved&limit=-1', 'BadRequestData', 400, /limit/],
    ['type=AirQualityObserved&count=maybe', 'BadRequestData', 400, /count/],
    ['type=A;;B', 'BadRequestData', 400, /type/],
    ['idPattern=(', 'BadRequestData', 400, /idPattern/],
    ['type=AirQualityObserved&georel=near', 'BadRequestData', 400, /geo|georel|geometry/],
    ['type=AirQualityObserved&csf=x', 'OperationNotSupported', 501, /csf/],
    ['type=AirQualityObserved&options=update', 'BadRequestData', 400, /update/],
  ])('refuses ?%s with %s', async (qs, code, status, detail) => {
    const res = await query(qs);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ type: `${ETSI}${code}` });
    expect(res.json<{ detail: string }>().detail).toMatch(detail);
  });
});

describe('GET /types', () => {
  it('lists the types present as an EntityTypeList with a stable id', async () => {
    const first = await broker.app.inject({ url: '/ngsi-ld/v1/types' });
    expect(first.statusCode).toBe(200);
    const body = first.json<{ id: string; type: string; typeList: string[] }>();
    expect(body.type).toBe('EntityTypeList');
    expect(body.id).toMatch(/^urn:ngsi-ld:EntityTypeList:[0-9a-f]{16}$/);
    expect(body.typeList).toEqual(
      expect.arrayContaining(['AirQualityObserved', 'Streetlight', 'WeatherObserved']),
    );
    expect(body.typeList).toEqual([...body.typeList].sort());
    const again = (await broker.app.inject({ url: '/ngsi-ld/v1/types' })).json<typeof body>();
    expect(again.id).toBe(body.id);
  });
});

describe('selection (clause 4.17) and the POST form', () => {
  const point = (lon: number, lat: number) => ({
    type: 'GeoProperty',
    value: { type: 'Point', coordinates: [lon, lat] },
  });
  const extra = [
    {
      id: 'urn:ngsi-ld:Device:d1',
      type: ['Device', 'Sensor'],
      scope: '/Paris/North',
      location: point(2.35, 48.86),
    },
    {
      id: 'urn:ngsi-ld:Device:d2',
      type: 'Device',
      scope: '/Paris/South',
      location: point(2.36, 48.84),
    },
    { id: 'urn:ngsi-ld:Device:d3', type: 'Sensor', scope: '/Lyon', location: point(4.83, 45.76) },
  ];
  beforeAll(async () => {
    for (const e of extra) {
      const res = await broker.app.inject({
        method: 'POST',
        url: '/ngsi-ld/v1/entities',
        payload: e,
      });
      expect(res.statusCode, res.body).toBe(201);
    }
  });
  const short = (list: { id: string }[]) => list.map((e) => e.id.split(':').pop());

  it('evaluates type expressions: or, and, parentheses', async () => {
    expect(await ids('type=Device')).toEqual(['d1', 'd2']);
    expect(await ids('type=Device;Sensor')).toEqual(['d1']);
    expect(await ids('type=Device|Sensor')).toEqual(['d1', 'd2', 'd3']);
    expect(await ids('type=(Device;Sensor),Streetlight')).toEqual(['d1', 'sl-1']);
  });

  it('filters by idPattern, scopeQ and local=true', async () => {
    expect(await ids(`idPattern=${encodeURIComponent('^urn:ngsi-ld:Device:d[12]$')}`)).toEqual([
      'd1',
      'd2',
    ]);
    expect(await ids(`scopeQ=${encodeURIComponent('/Paris/#')}`)).toEqual(['d1', 'd2']);
    expect(await ids(`type=Device&scopeQ=${encodeURIComponent('/Paris/North')}`)).toEqual(['d1']);
    expect((await ids('local=true&type=Sensor')).length).toBe(2);
  });

  it('runs geo-queries (near, within)', async () => {
    const near = `georel=${encodeURIComponent('near;maxDistance==3000')}&geometry=Point&coordinates=${encodeURIComponent('[2.35,48.85]')}`;
    expect(await ids(`type=Device,Sensor&${near}`)).toEqual(['d1', 'd2']);
    const box = encodeURIComponent('[[[4,45],[5,45],[5,46],[4,46],[4,45]]]');
    expect(await ids(`georel=within&geometry=Polygon&coordinates=${box}`)).toEqual(['d3']);
  });

  it('answers a GeoJSON FeatureCollection', async () => {
    const res = await query('type=Device&options=keyValues&attrs=location', {
      accept: 'application/geo+json',
    });
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
    const fc = res.json<{ type: string; features: { id: string; geometry: unknown }[] }>();
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.map((f) => f.id)).toEqual([
      'urn:ngsi-ld:Device:d1',
      'urn:ngsi-ld:Device:d2',
    ]);
    expect(fc.features[0]!.geometry).toEqual({ type: 'Point', coordinates: [2.35, 48.86] });
  });

  it('POST /entityOperations/query ORs entity selectors and pages the union', async () => {
    const post = (payload: object, qs = '') =>
      broker.app.inject({
        method: 'POST',
        url: `/ngsi-ld/v1/entityOperations/query${qs}`,
        payload,
      });
    const res = await post(
      {
        type: 'Query',
        entities: [{ type: 'Sensor' }, { id: 'urn:ngsi-ld:Streetlight:sl-1', type: 'Streetlight' }],
        attrs: ['location', 'powerState'],
      },
      '?count=true&limit=2&options=keyValues',
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['ngsild-results-count']).toBe('3');
    expect(res.json()).toEqual([
      {
        id: 'urn:ngsi-ld:Device:d1',
        type: ['Device', 'Sensor'],
        location: extra[0]!.location.value,
      },
      {
        id: 'urn:ngsi-ld:Device:d3',
        type: 'Sensor',
        location: extra[2]!.location.value,
      },
    ]);
    const withQ = await post({
      type: 'Query',
      entities: [{ type: 'AirQualityObserved' }],
      q: 'no2>50',
    });
    expect(short(withQ.json())).toEqual(['aq-003', 'aq-004']);
    const geo = await post({
      type: 'Query',
      geoQ: { georel: 'near;maxDistance==3000', geometry: 'Point', coordinates: [2.35, 48.85] },
    });
    expect(short(geo.json())).toEqual(['d1', 'd2']);
    for (const bad of [{}, { type: 'Query' }, { type: 'Query', entities: [] }, []])
      expect((await post(bad)).statusCode, JSON.stringify(bad)).toBe(400);
  });

  it('answers 404 NonexistentTenant for a tenant that does not exist', async () => {
    const res = await query('type=Device', { 'ngsild-tenant': 'ghost' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ type: `${ETSI}NonexistentTenant` });
  });
});
