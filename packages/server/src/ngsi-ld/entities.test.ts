import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './test-harness.js';
import { SHARED_DATA } from '../../tests/helpers/shared-data.js';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';
const SDM_AIR_QUALITY = join(
  SHARED_DATA,
  'smart-data-models/Environment/AirQualityObserved/normalized.jsonld',
);

const sensor = {
  id: 'urn:ngsi-ld:AirQualityObserved:aq-0001',
  type: 'AirQualityObserved',
  no2: { type: 'Property', value: 41, unitCode: 'GQ', observedAt: '2024-05-01T12:00:00Z' },
  airQualityLevel: { type: 'Property', value: 'moderate' },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [2.35, 48.85] } },
  refPointOfInterest: { type: 'Relationship', object: 'urn:ngsi-ld:PointOfInterest:p1' },
};
const path = `/ngsi-ld/v1/entities/${sensor.id}`;
const SDM = 'https://smartdatamodels.org/dataModel.Environment/';

let broker: TestBroker;
beforeEach(async () => {
  broker = await startTestBroker();
});
afterEach(() => broker.close());

const create = (body: unknown, contentType = 'application/json') =>
  broker.app.inject({
    method: 'POST',
    url: '/ngsi-ld/v1/entities',
    headers: { 'content-type': contentType },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('create and retrieve', () => {
  it('creates an entity (201 + Location) and answers it back unchanged', async () => {
    const created = await create(sensor);
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe(path);
    const got = await broker.app.inject({ url: path });
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toMatch(/^application\/json/);
    expect(got.headers.link).toMatch(/ngsi-ld-core-context(-v1\.\d+)?\.jsonld/);
    expect(got.json()).toEqual(sensor);
  });

  it('round-trips the Smart Data Models AirQualityObserved example sent as JSON-LD', async (ctx) => {
    if (!existsSync(SDM_AIR_QUALITY)) return ctx.skip(`${SDM_AIR_QUALITY} is not available`);
    const raw = readFileSync(SDM_AIR_QUALITY, 'utf8');
    const { '@context': context, ...entity } = JSON.parse(raw) as Record<string, unknown>;
    const [url] = context as string[];
    // The broker never fetches here: the model's context is a local copy (an operator's cache)
    // that, like the real one, names every term of the model.
    const terms: Record<string, string> = { AirQualityObserved: `${SDM}AirQualityObserved` };
    for (const name of Object.keys(entity))
      if (name !== 'id' && name !== 'type' && name !== 'location') terms[name] = `${SDM}${name}`;
    await broker.close();
    broker = await startTestBroker({
      fetchContexts: false,
      preloadedContexts: { [url!]: { '@context': terms } },
    });
    expect((await create(raw, 'application/ld+json')).statusCode).toBe(201);
    const entityPath = `/ngsi-ld/v1/entities/${encodeURIComponent(entity.id as string)}`;
    const link = `<${url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
    const got = await broker.app.inject({ url: entityPath, headers: { link } });
    expect(got.json()).toEqual(entity);
    // Without the model's context the names come back as IRIs.
    const plain = await broker.app.inject({ url: entityPath });
    expect(plain.json()).toMatchObject({ type: `${SDM}AirQualityObserved` });
    expect(Object.keys(plain.json<object>())).toContain(`${SDM}no2`);
  });

  it('renders keyValues with options=keyValues or format=simplified', async () => {
    await create(sensor);
    const expected = {
      id: sensor.id,
      type: sensor.type,
      no2: 41,
      airQualityLevel: 'moderate',
      location: { type: 'Point', coordinates: [2.35, 48.85] },
      refPointOfInterest: 'urn:ngsi-ld:PointOfInterest:p1',
    };
    for (const qs of ['options=keyValues', 'format=simplified', 'format=keyValues'])
      expect((await broker.app.inject({ url: `${path}?${qs}` })).json()).toEqual(expected);
    const bad = await broker.app.inject({ url: `${path}?options=bogus` });
    expect(bad.statusCode).toBe(400);
  });

  it('picks attributes with attrs, keeping id and type', async () => {
    await create(sensor);
    const got = await broker.app.inject({ url: `${path}?attrs=no2,location,missing` });
    expect(got.json()).toEqual({
      id: sensor.id,
      type: sensor.type,
      no2: sensor.no2,
      location: sensor.location,
    });
  });

  it('answers JSON-LD with the core @context when asked, 406 for what it cannot produce', async () => {
    await create(sensor);
    const ld = await broker.app.inject({
      url: `${path}?options=keyValues`,
      headers: { accept: 'application/ld+json' },
    });
    expect(ld.headers['content-type']).toMatch(/^application\/ld\+json/);
    expect(ld.json()).toMatchObject({ id: sensor.id, no2: 41 });
    expect(JSON.stringify(ld.json<{ '@context': unknown }>()['@context'])).toMatch(
      /ngsi-ld-core-context/,
    );
    expect(ld.headers.link).toBeUndefined();
    const html = await broker.app.inject({ url: path, headers: { accept: 'text/html' } });
    expect(html.statusCode).toBe(406);
    const any = await broker.app.inject({ url: path, headers: { accept: 'text/html, */*;q=0.1' } });
    expect(any.headers['content-type']).toMatch(/^application\/json/);
  });
});

describe('refusals', () => {
  it('refuses a duplicate id with 409 AlreadyExists', async () => {
    await create(sensor);
    const again = await create(sensor);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ type: `${ETSI}AlreadyExists`, status: 409 });
  });

  it.each([
    ['no id', { type: 'T' }, /"id" must be a URI/],
    ['a non-URI id', { id: 'sensor 1', type: 'T' }, /"id" must be a URI/],
    [
      'a bad GeoProperty',
      { id: 'urn:x:1', type: 'T', location: { type: 'GeoProperty', value: { type: 'Point' } } },
      /location\.value\.coordinates/,
    ],
    [
      'a Relationship without object',
      { id: 'urn:x:1', type: 'T', owner: { type: 'Relationship' } },
      /owner is a Relationship/,
    ],
    ['an array', [sensor], /must be a JSON object/],
  ])('refuses an entity with %s: 400 BadRequestData', async (_what, body, detail) => {
    const res = await create(body);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toMatchObject({ type: `${ETSI}BadRequestData`, status: 400 });
    expect(res.json<{ detail: string }>().detail).toMatch(detail);
  });

  it('refuses an id longer than the router can address, and escapes ids in Location', async () => {
    const long = await create({ id: `urn:ngsi-ld:T:${'x'.repeat(100)}`, type: 'T' });
    expect(long.statusCode).toBe(400);
    expect(long.json<{ detail: string }>().detail).toMatch(/up to 100/);
    const odd = await create({ id: 'urn:ngsi-ld:T:a/b?c#d', type: 'T' });
    expect(odd.headers.location).toBe('/ngsi-ld/v1/entities/urn:ngsi-ld:T:a%2Fb%3Fc%23d');
    const got = await broker.app.inject({ url: odd.headers.location as string });
    expect(got.json()).toEqual({ id: 'urn:ngsi-ld:T:a/b?c#d', type: 'T' });
  });

  it('refuses malformed JSON (400 InvalidRequest) and other media types (415)', async () => {
    const broken = await create('{"id":', 'application/ld+json');
    expect(broken.json()).toMatchObject({ type: `${ETSI}InvalidRequest`, status: 400 });
    expect((await create(JSON.stringify(sensor), 'text/plain')).statusCode).toBe(415);
    expect((await create('<entity/>', 'application/xml')).statusCode).toBe(415);
  });

  it('answers 404 ResourceNotFound for a missing entity, 400 for a non-URI id', async () => {
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await broker.app.inject({ method, url: path });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ type: `${ETSI}ResourceNotFound` });
    }
    const patch = await broker.app.inject({
      method: 'PATCH',
      url: `${path}/attrs`,
      payload: { no2: { type: 'Property', value: 1 } },
    });
    expect(patch.statusCode).toBe(404);
    expect((await broker.app.inject({ url: '/ngsi-ld/v1/entities/not-a-uri' })).statusCode).toBe(
      400,
    );
  });

  it('answers 501 OperationNotSupported on context-source paths', async () => {
    for (const url of ['/csourceRegistrations', '/csourceSubscriptions/urn:x:1']) {
      const res = await broker.app.inject({
        method: 'POST',
        url: `/ngsi-ld/v1${url}`,
        payload: {},
      });
      expect(res.statusCode).toBe(501);
      expect(res.json()).toMatchObject({ type: `${ETSI}OperationNotSupported` });
    }
  });
});
