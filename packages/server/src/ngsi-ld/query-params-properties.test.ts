import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './test-harness.js';

// Property tests at the HTTP boundary: whatever a client sends as q, scopeQ, a type
// expression or a geo-query, GET /entities answers 200 or a 400 ProblemDetails, never a
// 500 and never a hang. The parsers' own property tests live beside them in core/.

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';
const RUNS = 150;

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
  const entities = [
    {
      id: 'urn:ngsi-ld:Room:r1',
      type: 'Room',
      scope: '/Hangzhou/Xihu',
      temperature: { type: 'Property', value: 21.5, observedAt: '2026-11-01T08:00:00Z' },
      name: { type: 'Property', value: 'hall' },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [120.15, 30.25] } },
    },
    {
      id: 'urn:ngsi-ld:Road:x1',
      type: 'Road',
      location: {
        type: 'GeoProperty',
        value: {
          type: 'LineString',
          coordinates: [
            [120.1, 30.2],
            [120.2, 30.3],
          ],
        },
      },
    },
  ];
  const res = await broker.app.inject({
    method: 'POST',
    url: '/ngsi-ld/v1/entityOperations/create',
    payload: entities,
  });
  expect(res.statusCode).toBe(201);
});
afterAll(() => broker.close());

async function query(params: Record<string, string>): Promise<void> {
  const url = `/ngsi-ld/v1/entities?${new URLSearchParams(params).toString()}`;
  const res = await broker.app.inject({ method: 'GET', url });
  if (res.statusCode === 200) {
    expect(Array.isArray(res.json())).toBe(true);
    return;
  }
  expect(res.statusCode, `${url} → ${res.body}`).toBe(400);
  const problem = res.json<{ type: string; title: string; status: number; detail: string }>();
  expect([`${ETSI}BadRequestData`, `${ETSI}InvalidRequest`]).toContain(problem.type);
  expect(problem.status).toBe(400);
  expect(problem.detail.length).toBeGreaterThan(0);
}

// Fragments of the grammars, so that generated strings reach deep into the parsers.
const qToken = fc.constantFrom(
  'temperature',
  'name',
  'temperature.observedAt',
  'address[city]',
  '==',
  '!=',
  '>=',
  '<',
  '~=',
  '!~=',
  '..',
  ',',
  ';',
  '|',
  '(',
  ')',
  '"hall"',
  '21.5',
  '2026-11-01T08:00:00Z',
  'true',
  'urn:ngsi-ld:Room:r1',
  '"(?i)HA.*"',
  '',
);
const scopeToken = fc.constantFrom('/', 'Hangzhou', 'Xihu', '+', '#', ';', ',', '|', '(', ')', '');
const typeToken = fc.constantFrom('Room', 'Road', ',', ';', '|', '(', ')', 'schema:Thing', '');
const georel = fc.oneof(
  fc.constantFrom(
    'near;maxDistance==500',
    'near;minDistance==10',
    'near',
    'within',
    'contains',
    'intersects',
    'disjoint',
    'equals',
    'overlaps',
  ),
  fc.string(),
);
const geometry = fc.oneof(
  fc.constantFrom(
    'Point',
    'LineString',
    'Polygon',
    'MultiPoint',
    'MultiLineString',
    'MultiPolygon',
  ),
  fc.string(),
);
const coordinates = fc.oneof(
  fc.constantFrom(
    '[120.15,30.25]',
    '[[120.1,30.2],[120.2,30.3]]',
    '[[[120,30],[121,30],[121,31],[120,31],[120,30]]]',
    '[[[120,30],[121,30],[121,31]]]',
    '[200,95]',
  ),
  fc.json(),
  fc.string(),
);
const joined = (token: fc.Arbitrary<string>) =>
  fc.array(token, { minLength: 1, maxLength: 12 }).map((t) => t.join(''));

describe('GET /entities query parameters: 200 or a 400 ProblemDetails, for any input', () => {
  it('q (clause 4.9)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(joined(qToken), fc.string()), (q) => query({ q })),
      { numRuns: RUNS },
    );
  });

  it('scopeQ (clause 4.19)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(joined(scopeToken), fc.string()), (scopeQ) =>
        query({ type: 'Room', scopeQ }),
      ),
      { numRuns: RUNS },
    );
  });

  it('type expressions (clause 4.17)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(joined(typeToken), fc.string({ minLength: 1 })), (type) =>
        query({ type }),
      ),
      { numRuns: RUNS },
    );
  });

  it('geo-queries (clause 4.10)', async () => {
    await fc.assert(
      fc.asyncProperty(georel, geometry, coordinates, (g, geom, coords) =>
        query({ georel: g, geometry: geom, coordinates: coords }),
      ),
      { numRuns: RUNS },
    );
  });
});
