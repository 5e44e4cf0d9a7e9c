// ETSI GS CIM 009 v1.8 clause 5.7.2 (Query Entities, GET /entities), entity selection by id,
// idPattern and type expressions (4.17), attrs, pagination (5.5.9) and counting (6.3.13).
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_VOCAB, expectProblem, ids, useBroker } from './helpers/broker.js';

const b = useBroker({}, 'file');
const E = {
  b1: 'urn:ngsi-ld:Building:alpha',
  b2: 'urn:ngsi-ld:Building:beta',
  l1: 'urn:ngsi-ld:Landmark:gamma',
  v1: 'urn:ngsi-ld:Vehicle:delta',
  v2: 'urn:ngsi-ld:Vehicle:epsilon',
};

beforeAll(async () => {
  const P = (value: unknown) => ({ type: 'Property', value });
  const res = await b.api.post('/entityOperations/create', [
    { id: E.b1, type: 'Building', name: P('Alpha'), height: P(10) },
    { id: E.b2, type: ['Building', 'Landmark'], name: P('Beta'), height: P(20) },
    { id: E.l1, type: 'Landmark', name: P('Gamma') },
    { id: E.v1, type: 'Vehicle', speed: P(30) },
    { id: E.v2, type: 'Vehicle', speed: P(80), name: P('Epsilon') },
  ]);
  expect(res.status, res.text).toBe(201);
});

const q = async (qs: string) => {
  const res = await b.api.get(`/entities?${qs}`);
  expect(res.status, res.text).toBe(200);
  return res;
};

describe('5.7.2 Query Entities: entity selection', () => {
  it('5.7.2: 200 with a JSON array of matching entities for type=Building', async () => {
    const res = await q('type=Building');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(ids(res.body)).toEqual([E.b1, E.b2].sort());
  });

  it('5.7.2: an empty array (not 404) when nothing matches', async () => {
    expect((await q('type=Spaceship')).body).toEqual([]);
  });

  it('5.7.2: 400 BadRequestData when no selector (id, idPattern, type, attrs, q, geoQ, scopeQ) is given', async () => {
    expectProblem(await b.api.get('/entities'), 400, 'BadRequestData');
  });

  it('5.7.2: id selects a list of entity ids', async () => {
    expect(ids((await q(`id=${E.b1},${E.v2}`)).body)).toEqual([E.b1, E.v2].sort());
  });

  it('5.7.2: id combined with type keeps only ids of that type', async () => {
    expect(ids((await q(`id=${E.b1},${E.v2}&type=Vehicle`)).body)).toEqual([E.v2]);
  });

  it('5.7.2: idPattern is a regular expression over entity ids', async () => {
    expect(
      ids((await q(`idPattern=${encodeURIComponent('^urn:ngsi-ld:Vehicle:.*')}`)).body),
    ).toEqual([E.v1, E.v2].sort());
  });

  it('5.7.2: idPattern with type narrows further', async () => {
    expect(ids((await q(`idPattern=${encodeURIComponent('.*a$')}&type=Building`)).body)).toEqual(
      [E.b1, E.b2].sort(),
    );
  });

  it('5.7.2: 400 BadRequestData when an id in the list is not a URI', async () => {
    expectProblem(await b.api.get('/entities?id=not%20a%20uri'), 400, 'BadRequestData');
  });

  it('5.7.2: 400 BadRequestData when idPattern is not a valid regular expression', async () => {
    expectProblem(
      await b.api.get(`/entities?idPattern=${encodeURIComponent('([')}`),
      400,
      'BadRequestData',
    );
  });
});

describe('4.17 Entity type selection expressions', () => {
  it('4.17: "A,B" matches entities of type A or B', async () => {
    expect(ids((await q('type=Building,Vehicle')).body)).toEqual([E.b1, E.b2, E.v1, E.v2].sort());
  });

  it('4.17: "A|B" matches entities of type A or B', async () => {
    expect(ids((await q(`type=${encodeURIComponent('Landmark|Vehicle')}`)).body)).toEqual(
      [E.b2, E.l1, E.v1, E.v2].sort(),
    );
  });

  it('4.17: "A;B" matches entities having both types', async () => {
    expect(ids((await q(`type=${encodeURIComponent('Building;Landmark')}`)).body)).toEqual([E.b2]);
  });

  it('4.17: parentheses group expressions: "(Building;Landmark)|Vehicle"', async () => {
    expect(
      ids((await q(`type=${encodeURIComponent('(Building;Landmark)|Vehicle')}`)).body),
    ).toEqual([E.b2, E.v1, E.v2].sort());
  });

  it('4.16: an entity with several types is found by each of them', async () => {
    expect(ids((await q('type=Landmark')).body)).toEqual([E.b2, E.l1].sort());
  });

  it('5.7.2: a type given as a full IRI matches the same entities as its term', async () => {
    expect(ids((await q(`type=${encodeURIComponent(`${DEFAULT_VOCAB}Vehicle`)}`)).body)).toEqual(
      [E.v1, E.v2].sort(),
    );
  });
});

describe('5.7.2 attrs', () => {
  it('5.7.2: attrs projects the listed attributes of each entity', async () => {
    const res = await q('type=Building&attrs=height');
    for (const e of res.body) expect(Object.keys(e).sort()).toEqual(['height', 'id', 'type']);
  });

  it('5.7.2: attrs alone selects entities that have at least one of the attributes', async () => {
    expect(ids((await q('attrs=speed')).body)).toEqual([E.v1, E.v2].sort());
  });

  it('5.7.2: attrs with several names matches entities having any of them', async () => {
    expect(ids((await q('attrs=height,speed')).body)).toEqual([E.b1, E.b2, E.v1, E.v2].sort());
  });
});

describe('5.5.9 Pagination and 6.3.13 NGSILD-Results-Count', () => {
  it('5.5.9: limit caps the number of entities returned', async () => {
    expect((await q('type=Building,Landmark,Vehicle&limit=2')).body).toHaveLength(2);
  });

  it('5.5.9: offset with limit pages through all results without overlap', async () => {
    const seen: string[] = [];
    for (let offset = 0; offset < 6; offset += 2)
      seen.push(
        ...(await q(`type=Building,Landmark,Vehicle&limit=2&offset=${offset}`)).body.map(
          (e: { id: string }) => e.id,
        ),
      );
    expect(seen.sort()).toEqual(Object.values(E).sort());
  });

  it('5.5.9: an offset past the end gives an empty array', async () => {
    expect((await q('type=Vehicle&offset=10')).body).toEqual([]);
  });

  it('6.3.13: count=true adds the NGSILD-Results-Count header with the total number of matches', async () => {
    const res = await q('type=Building,Vehicle&count=true&limit=1');
    expect(res.headers['ngsild-results-count']).toBe('4');
    expect(res.body).toHaveLength(1);
  });

  it('6.3.13: limit=0 with count=true answers only the count and an empty array', async () => {
    const res = await q('type=Vehicle&count=true&limit=0');
    expect(res.body).toEqual([]);
    expect(res.headers['ngsild-results-count']).toBe('2');
  });

  it('6.3.13: the header is absent without count=true', async () => {
    expect((await q('type=Vehicle')).headers['ngsild-results-count']).toBeUndefined();
  });

  it('6.3.13: count=true with no matches gives 0', async () => {
    expect((await q('type=Spaceship&count=true')).headers['ngsild-results-count']).toBe('0');
  });

  it.each(['limit=-1', 'offset=-1', 'limit=abc'])(
    '5.5.9: 400 BadRequestData for %s',
    async (qs) => {
      expectProblem(await b.api.get(`/entities?type=Vehicle&${qs}`), 400, 'BadRequestData');
    },
  );

  it('5.5.9: limit=0 without count=true is rejected as BadRequestData', async () => {
    expectProblem(await b.api.get('/entities?type=Vehicle&limit=0'), 400, 'BadRequestData');
  });
});

describe('5.7.2 sysAttrs in queries', () => {
  it('4.8: options=sysAttrs adds createdAt/modifiedAt to each entity of a query', async () => {
    const res = await q('type=Vehicle&options=sysAttrs');
    for (const e of res.body) {
      expect(typeof e.createdAt).toBe('string');
      expect(typeof e.modifiedAt).toBe('string');
      expect(typeof e.speed.createdAt).toBe('string');
    }
  });
});
