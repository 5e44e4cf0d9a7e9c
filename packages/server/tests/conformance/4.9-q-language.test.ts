// ETSI GS CIM 009 v1.8 clause 4.9 (NGSI-LD Query Language), exercised through
// GET /entities?q= (5.7.2) and POST /entityOperations/query.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, ids, useBroker } from './helpers/broker.js';

const b = useBroker({}, 'file');
const S = (n: number) => `urn:ngsi-ld:QSensor:s${n}`;
const P = (value: unknown, extra: Record<string, unknown> = {}) => ({
  type: 'Property',
  value,
  ...extra,
});
const R = (object: string) => ({ type: 'Relationship', object });

beforeAll(async () => {
  const res = await b.api.post('/entityOperations/create', [
    {
      id: S(1),
      type: 'QSensor',
      temperature: P(20, { observedAt: '2024-01-01T10:00:00Z', unitCode: 'CEL' }),
      status: P('ok'),
      name: P('Alpha sensor'),
      active: P(true),
      tags: P(['a', 'b']),
      address: P({ city: 'Berlin', zip: '10115' }),
      since: P('2020-05-01T00:00:00Z'),
      refRoom: R('urn:ngsi-ld:Room:1'),
      level: P(3),
    },
    {
      id: S(2),
      type: 'QSensor',
      temperature: P(25, { observedAt: '2023-06-01T00:00:00Z' }),
      status: P('fault'),
      name: P('beta sensor'),
      active: P(false),
      address: P({ city: 'Paris' }),
      since: P('2019-01-01T00:00:00Z'),
      refRoom: R('urn:ngsi-ld:Room:2'),
      level: P(7),
    },
    {
      id: S(3),
      type: 'QSensor',
      temperature: P(30.5, { accuracy: P(0.5) }),
      status: P('ok'),
      name: P('Gamma'),
      active: P(true),
      refRoom: R('urn:ngsi-ld:Room:1'),
      level: P(5),
    },
    { id: S(4), type: 'QSensor', status: P('unknown'), name: P('Delta') },
  ]);
  expect(res.status, res.text).toBe(201);
});

async function match(q: string): Promise<string[]> {
  const res = await b.api.get(`/entities?type=QSensor&q=${encodeURIComponent(q)}`);
  expect(res.status, res.text).toBe(200);
  return ids(res.body);
}
const want = (...n: number[]) => n.map(S).sort();

describe('4.9 q-language: comparison operators on numbers', () => {
  it.each([
    ['temperature==20', [1]],
    ['temperature!=20', [2, 3]],
    ['temperature>20', [2, 3]],
    ['temperature>=25', [2, 3]],
    ['temperature<25', [1]],
    ['temperature<=25', [1, 2]],
    ['temperature==30.5', [3]],
    ['level==3', [1]],
    ['level!=3', [2, 3]],
  ])('4.9: %s', async (q, expected) => {
    expect(await match(q)).toEqual(want(...expected));
  });
});

describe('4.9 q-language: ranges and value lists', () => {
  it.each([
    ['temperature==20..26', [1, 2]],
    ['level==4..6', [3]],
    ['temperature==20,30.5', [1, 3]],
    ['level==3,7', [1, 2]],
    ['status=="ok","fault"', [1, 2, 3]],
    ['temperature!=20..26', [3]],
  ])('4.9: %s', async (q, expected) => {
    expect(await match(q)).toEqual(want(...expected));
  });
});

describe('4.9 q-language: strings, booleans, patterns', () => {
  it.each([
    ['status=="ok"', [1, 3]],
    ['status!="ok"', [2, 4]],
    ['name=="Gamma"', [3]],
    ['active==true', [1, 3]],
    ['active==false', [2]],
    ['name~="^[Aa]lpha"', [1]],
    ['name~="sensor$"', [1, 2]],
    ['name!~="sensor"', [3, 4]],
    ['tags=="b"', [1]],
  ])('4.9: %s', async (q, expected) => {
    expect(await match(q)).toEqual(want(...expected));
  });

  it('4.9: a quoted value is a string and does not equal a number ("3" vs 3)', async () => {
    expect(await match('level=="3"')).toEqual([]);
  });
});

describe('4.9 q-language: DateTime values', () => {
  it.each([
    ['since>2020-01-01T00:00:00Z', [1]],
    ['since<2020-01-01T00:00:00Z', [2]],
    ['since==2019-01-01T00:00:00Z..2021-01-01T00:00:00Z', [1, 2]],
  ])('4.9: %s compares DateTime values chronologically', async (q, expected) => {
    expect(await match(q)).toEqual(want(...expected));
  });
});

describe('4.9 q-language: logical operators and grouping', () => {
  it.each([
    ['level>4;status=="ok"', [3]],
    ['level<4|status=="fault"', [1, 2]],
    ['(level>4;status=="ok")|temperature==20', [1, 3]],
    ['status=="ok";(level==3|level==5)', [1, 3]],
    ['status=="ok";active==true;level>4', [3]],
    ['status=="unknown"|(temperature>25;level>4)', [3, 4]],
  ])('4.9: %s', async (q, expected) => {
    expect(await match(q)).toEqual(want(...expected));
  });
});

describe('4.9 q-language: existence', () => {
  it('4.9: a bare attribute name matches entities that have the attribute', async () => {
    expect(await match('temperature')).toEqual(want(1, 2, 3));
  });

  it('4.9: a comparison never matches an entity lacking the attribute', async () => {
    expect(await match('temperature<100')).toEqual(want(1, 2, 3));
  });
});

describe('4.9 q-language: paths into values, sub-attributes and relationships', () => {
  it.each([
    ['address[city]=="Berlin"', [1]],
    ['address[city]=="Paris"|address[zip]=="10115"', [1, 2]],
    ['temperature.accuracy==0.5', [3]],
    ['temperature.observedAt>=2024-01-01T00:00:00Z', [1]],
    ['temperature.observedAt<2024-01-01T00:00:00Z', [2]],
    ['refRoom=="urn:ngsi-ld:Room:1"', [1, 3]],
  ])('4.9: %s', async (q, expected) => {
    expect(await match(q)).toEqual(want(...expected));
  });
});

describe('4.9 q-language: q without type, and via POST Query', () => {
  it('5.7.2: q alone is a sufficient selector', async () => {
    const res = await b.api.get(`/entities?q=${encodeURIComponent('status=="fault"')}`);
    expect(res.status, res.text).toBe(200);
    expect(ids(res.body)).toEqual(want(2));
  });

  it('5.7.2: the same q in a POST Query body gives the same entities', async () => {
    const res = await b.api.post('/entityOperations/query', {
      type: 'Query',
      entities: [{ type: 'QSensor' }],
      q: 'level>4;status=="ok"',
    });
    expect(ids(res.body)).toEqual(want(3));
  });
});

describe('4.9 q-language: syntax errors', () => {
  it.each([
    'temperature>>3',
    '(temperature==1',
    'temperature==',
    '==5',
    'temperature==1;;level==2',
    'temperature<>5',
  ])('4.9/5.5.2: 400 BadRequestData for q=%s', async (q) => {
    expectProblem(
      await b.api.get(`/entities?type=QSensor&q=${encodeURIComponent(q)}`),
      400,
      'BadRequestData',
    );
  });
});
