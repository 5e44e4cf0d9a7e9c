import { describe, expect, it } from 'vitest';
import type { Entity } from './entity.js';
import { matchesQ } from './q-match.js';
import { parseQ } from './q-parse.js';

const station: Entity = {
  id: 'urn:ngsi-ld:AirQualityObserved:aq-1',
  type: 'AirQualityObserved',
  no2: { type: 'Property', value: 41, unitCode: 'GQ', observedAt: '2024-05-01T12:00:00Z' },
  level: { type: 'Property', value: 'moderate' },
  dateObserved: { type: 'Property', value: '2024-05-01T12:00:00Z' },
  indoor: { type: 'Property', value: false },
  tags: { type: 'Property', value: ['traffic', 'school'] },
  address: { type: 'Property', value: { addressLocality: 'Madrid', postal: { code: '28013' } } },
  refStation: { type: 'Relationship', object: 'urn:ngsi-ld:Station:s1' },
};
const matches = (q: string, entity: Entity = station) => matchesQ(entity, parseQ(q));

describe('matchesQ', () => {
  it.each([
    ['no2==41', true],
    ['no2==40', false],
    ['no2!=40', true],
    ['no2>40', true],
    ['no2>41', false],
    ['no2>=41', true],
    ['no2<41.5', true],
    ['no2<=40', false],
    ['no2==1e3', false],
  ])('compares numbers: %s → %s', (q, expected) => expect(matches(q)).toBe(expected));

  it.each([
    ['level=="moderate"', true],
    ['level=="poor"', false],
    ['level!="poor"', true],
    ['level>"a"', true],
    ['level=="mod\\"erate"', false],
    ['dateObserved>2024-01-01T00:00:00Z', true],
    ['dateObserved<2024-05-01T12:00:00Z', false],
  ])('compares strings and date-times: %s → %s', (q, expected) =>
    expect(matches(q)).toBe(expected),
  );

  it.each([
    ['no2==40..42', true],
    ['no2==41..41', true],
    ['no2==42..50', false],
    ['no2!=42..50', true],
    ['level=="a".."n"', true],
    ['dateObserved==2024-05-01T00:00:00Z..2024-05-02T00:00:00Z', true],
  ])('matches ranges: %s → %s', (q, expected) => expect(matches(q)).toBe(expected));

  it.each([
    ['no2==1,41,99', true],
    ['no2==1,2', false],
    ['no2!=1,2', true],
    ['level=="good","moderate"', true],
    ['tags=="school"', true],
    ['tags=="park","traffic"', true],
    ['tags=="park"', false],
  ])('matches lists (and list-valued attributes): %s → %s', (q, expected) =>
    expect(matches(q)).toBe(expected),
  );

  it.each([
    ['no2>40;level=="moderate"', true],
    ['no2>40;level=="poor"', false],
    ['no2>50|level=="moderate"', true],
    ['no2>50|level=="poor"', false],
    // ';' binds tighter than '|'
    ['no2>50;level=="poor"|indoor==false', true],
    ['no2>50;(level=="poor"|indoor==false)', false],
    ['(no2>50|no2<42);(level=="poor"|level=="moderate")', true],
  ])('combines with AND (;) and OR (|): %s → %s', (q, expected) =>
    expect(matches(q)).toBe(expected),
  );

  it.each([
    ['no2', true],
    ['pm10', false],
    ['pm10!=3', false],
    ['pm10<3', false],
    ['indoor==false', true],
    ['indoor==true', false],
    ['no2=="41"', false],
    ['refStation=="urn:ngsi-ld:Station:s1"', true],
    ['no2.unitCode=="GQ"', true],
    ['no2.observedAt>2024-04-30T00:00:00Z', true],
    ['address[addressLocality]=="Madrid"', true],
    ['address[postal.code]=="28013"', true],
    ['address[nothing]', false],
  ])('resolves paths, existence and type mismatches: %s → %s', (q, expected) =>
    expect(matches(q)).toBe(expected),
  );
});

const park: Entity = {
  id: 'urn:ngsi-ld:Park:p1',
  type: 'Park',
  temperature: [
    {
      type: 'Property',
      value: 20,
      datasetId: 'urn:ngsi-ld:Dataset:a',
      observedAt: '2024-05-01T10:00:00Z',
      createdAt: '2024-01-01T00:00:00Z',
    },
    {
      type: 'Property',
      value: 30,
      datasetId: 'urn:ngsi-ld:Dataset:b',
      observedAt: '2024-05-02T10:00:00Z',
      unitCode: 'CEL',
      accuracy: {
        type: 'Property',
        value: 0.5,
        observedAt: '2024-05-02T10:00:00Z',
        source: { type: 'Relationship', object: 'urn:ngsi-ld:Device:d1' },
      },
    },
  ],
  name: { type: 'LanguageProperty', languageMap: { en: 'North Park', es: ['Parque Norte', 'PN'] } },
  category: { type: 'VocabProperty', vocab: ['green', 'public'] },
  readings: { type: 'ListProperty', valueList: [3, 12, 7] },
  config: { type: 'JsonProperty', json: { a: { b: 1 }, tags: [{ k: 'x' }, { k: 'y' }] } },
  neighbours: { type: 'Relationship', object: ['urn:ngsi-ld:Park:p2', 'urn:ngsi-ld:Park:p3'] },
  route: {
    type: 'ListRelationship',
    objectList: [{ object: 'urn:ngsi-ld:Stop:s1' }, { object: 'urn:ngsi-ld:Stop:s2' }],
  },
  opened: { type: 'Property', value: { '@type': 'DateTime', '@value': '1990-06-01T08:00:00Z' } },
  day: { type: 'Property', value: '2024-05-01' },
  opens: { type: 'Property', value: '08:30:00' },
  empty: { type: 'Property', value: {} },
  'https://example.org/ns#speed': {
    type: 'Property',
    value: 5,
    observedAt: '2024-05-01T00:00:00Z',
  },
};

describe('matchesQ over the NGSI-LD attribute types', () => {
  it.each([
    // multi-attribute: any instance may match, each term on its own
    ['temperature>25', true],
    ['temperature<25', true],
    ['temperature==25', false],
    ['temperature!=20', true],
    ['temperature==20..30', true],
    ['temperature.datasetId==urn:ngsi-ld:Dataset:b', true],
    ['temperature.datasetId=="urn:ngsi-ld:Dataset:c"', false],
    ['temperature.unitCode=="CEL"', true],
    ['temperature.observedAt>=2024-05-02T00:00:00Z', true],
    ['temperature.observedAt>2024-06-01T00:00:00Z', false],
    ['temperature.createdAt<2024-02-01T00:00:00Z', true],
    ['temperature.modifiedAt', false],
    // sub-attributes, several levels
    ['temperature.accuracy<1', true],
    ['temperature.accuracy.observedAt==2024-05-02T10:00:00Z', true],
    ['temperature.accuracy.source==urn:ngsi-ld:Device:d1', true],
    ['temperature.accuracy.source.observedAt', false],
    ['temperature.precision', false],
    // LanguageProperty: [lang] picks a language, no key matches any language
    ['name[en]=="North Park"', true],
    ['name[es]=="PN"', true],
    ['name[fr]=="North Park"', false],
    ['name=="Parque Norte"', true],
    ['name~="(?i)north"', true],
    ['name[en]~="Parque"', false],
    // VocabProperty, ListProperty, JsonProperty, Relationship lists, ListRelationship
    ['category=="public"', true],
    ['category=="private"', false],
    ['readings==12', true],
    ['readings>10', true],
    ['readings>20', false],
    ['readings!=12', false],
    ['config[a.b]==1', true],
    ['config[a][b]==1', true],
    ['config[tags.k]=="y"', true],
    ['config[a.c]', false],
    ['neighbours==urn:ngsi-ld:Park:p3', true],
    ['neighbours=="urn:ngsi-ld:Park:p9"', false],
    ['route==urn:ngsi-ld:Stop:s2', true],
    // JSON-LD typed values, dates and times compare by kind
    ['opened<2000-01-01T00:00:00Z', true],
    ['opened==1990-06-01T10:00:00+02:00', true],
    ['day==2024-05-01', true],
    ['day<2024-05-02', true],
    ['day<2024-05-02T00:00:00Z', false],
    ['opens>08:00:00', true],
    ['opens<08:00:00', false],
    // a full IRI as attribute name; dots of its host are not sub-attributes
    ['https://example.org/ns#speed==5', true],
    ['https://example.org/ns#speed.observedAt<2024-05-02T00:00:00Z', true],
    // prototype members are never attribute content
    ['empty[constructor]', false],
    ['empty[__proto__]', false],
    ['constructor', false],
    ['toString==1', false],
  ])('%s → %s', (q, expected) => expect(matches(q, park)).toBe(expected));

  it.each([
    ['level~="^mod"', true],
    ['level~="^MOD"', false],
    ['level~="(?i)^MOD"', true],
    ['level!~="^mod"', false],
    ['level!~="^poor"', true],
    ['level~=erate$', true],
    ['tags~="^sch"', true],
    ['no2~="4"', false],
    ['address[addressLocality]~="^Mad"', true],
    ['level~="\\w+"', true],
    ['level~="mod\\"erate"', false],
    ['level>2024-01-01T00:00:00Z', false],
    ['dateObserved==2024-05-01T14:00:00+02:00', true],
    ['dateObserved==2024-05-01T12:00:00', true],
    ['dateObserved=="2024-05-01T12:00:00Z"', true],
    ['no2 > 40 ; level == "moderate"', true],
    ['refStation==urn:ngsi-ld:Station:s1,urn:ngsi-ld:Station:s2', true],
    ['level==moderate', true],
    ['level=="mod\\u0065rate"', true],
  ])('matches patterns, literals and whitespace: %s → %s', (q, expected) =>
    expect(matches(q)).toBe(expected),
  );
});
