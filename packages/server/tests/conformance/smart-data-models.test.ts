// FIWARE Smart Data Models round trip through the NGSI-LD API (ETSI GS CIM 009 clauses 4.5
// representations, 5.5.7 / 6.3.5 @context handling, 5.13 @context management). Every example
// is created with its own @context (resolved offline from operator-registered copies) and read
// back as normalized, keyValues and concise with the same @context.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandConcise } from '../../src/ngsi-ld/render.js';
import { startTestBroker, type TestBroker } from '../../src/ngsi-ld/test-harness.js';
import { SHARED_DATA } from '../helpers/shared-data.js';

const DATA = join(SHARED_DATA, 'smart-data-models');
const PRESENT = existsSync(DATA);
const REL = 'http://www.w3.org/ns/json-ld#context';
const FIWARE_LEGACY = 'https://fiware.github.io/data-models/context.jsonld';

type Json = Record<string, unknown>;

/**
 * Examples that violate NGSI-LD itself: the broker must refuse them with 400 BadRequestData
 * (clause 5.5.2) rather than store something else.
 */
const INVALID: Record<string, string> = {
  'Energy/InverterDevice (normalized)':
    'location Point coordinates are [[lon, lat]], not a position',
  'Energy/InverterDevice (keyvalues)': 'attribute names "nominalAmpereAC " end with a space',
  'Energy/SolarEnergy (normalized)': 'location Point coordinates are [[lon, lat]], not a position',
  'Environment/PhreaticObserved (normalized)':
    'observedAt "2020-03-17TT08:45:00Z" is not a date-time',
  'Environment/WaterObserved (normalized)': 'dateObserved is a Relationship whose object is a date',
  'Transportation/RestrictionException (normalized)': 'name has "type": "string"',
  'Transportation/RoadAccident (keyvalues)': 'location latitude 168.37 is beyond ±90',
};

/**
 * Normalized examples with a member that is not a normalized attribute: the entity routes read
 * such a body as concise (clause 4.5.10), so that member is a Property whose value is the
 * object as written (here `credentialSubject`, written without "type").
 */
const READ_AS_CONCISE = new Set(['COVID19/VaccinationCertificate (normalized)']);
const read = (path: string): Json => JSON.parse(readFileSync(path, 'utf8')) as Json;
const dirs = (path: string): string[] =>
  readdirSync(path, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

interface Example {
  name: string;
  form: 'normalized' | 'keyvalues';
  doc: Json;
}

function examples(): Example[] {
  const out: Example[] = [];
  for (const domain of dirs(DATA))
    for (const type of dirs(join(DATA, domain)))
      for (const form of ['normalized', 'keyvalues'] as const) {
        const file = join(DATA, domain, type, `${form}.jsonld`);
        if (existsSync(file)) out.push({ name: `${domain}/${type}`, form, doc: read(file) });
      }
  return out;
}

/** The documented remote URLs of a Smart Data Models domain context. */
const domainUrls = (domain: string): string[] => [
  `https://raw.githubusercontent.com/smart-data-models/dataModel.${domain}/master/context.jsonld`,
  `https://smart-data-models.github.io/dataModel.${domain}/context.jsonld`,
];

/** keyValues of a normalized entity, written from clause 4.5.4 independently of render.ts. */
function simplified(entity: Json): Json {
  const one = (a: Json): unknown => {
    switch (a.type) {
      case 'Relationship':
        return a.object;
      case 'LanguageProperty':
        return { languageMap: a.languageMap };
      case 'VocabProperty':
        return { vocab: a.vocab };
      case 'JsonProperty':
        return { json: a.json };
      case 'ListProperty':
        return { valueList: a.valueList };
      case 'ListRelationship':
        return { objectList: a.objectList };
      default:
        return a.value;
    }
  };
  const out: Json = {};
  for (const [k, v] of Object.entries(entity))
    out[k] = ['id', 'type', 'scope', '@context'].includes(k) ? v : one(v as Json);
  return out;
}

const withoutContext = (doc: Json): Json =>
  Object.fromEntries(Object.entries(doc).filter(([k]) => k !== '@context'));

let broker: TestBroker;

describe.skipIf(!PRESENT)(
  PRESENT
    ? 'Smart Data Models examples round-trip (clauses 4.5, 5.5.7, 6.3.5)'
    : `Smart Data Models examples round-trip: skipped, ${DATA} is absent on this machine`,
  () => {
    beforeAll(async () => {
      broker = await startTestBroker({ fetchContexts: false });
      // An operator registers local copies of the domain contexts under their remote URLs.
      for (const domain of dirs(DATA)) {
        const file = join(DATA, domain, 'context.jsonld');
        if (!existsSync(file)) continue;
        for (const url of domainUrls(domain)) {
          const res = await post(`/jsonldContexts?url=${encodeURIComponent(url)}`, read(file));
          expect(res.statusCode, res.body).toBe(201);
        }
      }
    });
    afterAll(() => broker?.close());

    const inject = (opts: InjectOptions | string) => broker.app.inject(opts);
    function post(path: string, body: unknown) {
      return inject({
        method: 'POST',
        url: `/ngsi-ld/v1${path}`,
        headers: { 'content-type': 'application/ld+json' },
        payload: JSON.stringify(body),
      });
    }

    /** A Link header naming the example's @context: its URL, or a hosted copy of a list. */
    async function contextLink(context: unknown): Promise<string> {
      let url = Array.isArray(context) && context.length === 1 ? context[0] : context;
      if (typeof url !== 'string') {
        const res = await post('/jsonldContexts', { '@context': context });
        expect(res.statusCode, res.body).toBe(201);
        url = `http://localhost${String(res.headers.location)}`;
      }
      return `<${String(url)}>; rel="${REL}"; type="application/ld+json"`;
    }

    async function get(id: string, link: string, query = '', accept = 'application/json') {
      const res = await inject({
        url: `/ngsi-ld/v1/entities/${encodeURIComponent(id)}${query}`,
        headers: { link, accept },
      });
      expect(res.statusCode, res.body).toBe(200);
      return res;
    }

    /** Examples whose @context names a URL no operator copy exists for. */
    const unresolvable = (doc: Json): string[] =>
      [doc['@context']]
        .flat()
        .filter((c): c is string => typeof c === 'string')
        .filter((c) => c === FIWARE_LEGACY || !/^https:\/\//.test(c));

    const registered = new Set<string>();
    for (const ex of PRESENT ? examples() : []) {
      const missing = unresolvable(ex.doc);
      const label = `${ex.name} (${ex.form})`;
      const invalid = INVALID[label];
      if (invalid !== undefined) {
        it(`${label} is refused: ${invalid}`, async () => {
          const res = await post('/entities', ex.doc);
          expect(res.statusCode, res.body).toBe(400);
          expect(res.json()).toMatchObject({ title: 'BadRequestData' });
        });
        continue;
      }
      it(`${label}${missing.length ? ` once ${missing.join(', ')} is registered` : ''}`, async () => {
        const id = String(ex.doc.id);
        if (missing.some((url) => !registered.has(url))) {
          // 5.5.2: a @context URL the broker cannot retrieve is 503, not a silent fallback.
          const refused = await post('/entities', ex.doc);
          expect(refused.statusCode, refused.body).toBe(503);
          expect(refused.json()).toMatchObject({ title: 'LdContextNotAvailable' });
          // An operator registers a context for it (here an empty one: its terms then fall back
          // to the domain context that follows, or to the default vocabulary).
          for (const url of missing) {
            const res = await post(`/jsonldContexts?url=${encodeURIComponent(url)}`, {
              '@context': {},
            });
            expect(res.statusCode, res.body).toBe(201);
            registered.add(url);
          }
        }
        const created = await post('/entities', ex.doc);
        expect(created.statusCode, created.body).toBe(201);
        try {
          await roundTrip(ex, label, id);
        } finally {
          await inject({ method: 'DELETE', url: `/ngsi-ld/v1/entities/${encodeURIComponent(id)}` });
        }
      });
    }

    async function roundTrip(ex: Example, label: string, id: string): Promise<void> {
      const link = await contextLink(ex.doc['@context']);
      // What the input means in normalized form: keyValues input is read as concise (4.5.10).
      const normalized = expandConcise(withoutContext(ex.doc));
      if (ex.form === 'normalized' && !READ_AS_CONCISE.has(label))
        expect(normalized).toEqual(withoutContext(ex.doc));

      const asNormalized = await get(id, link);
      expect(asNormalized.headers.link).toBe(link);
      expect(asNormalized.json()).toEqual(normalized);
      const asLd = await get(id, link, '', 'application/ld+json');
      expect(withoutContext(asLd.json())).toEqual(normalized);
      expect(asLd.json<Json>()['@context']).toBeDefined();

      const keyValues = (await get(id, link, '?options=keyValues')).json<Json>();
      expect(keyValues).toEqual(simplified(normalized));
      if (ex.form === 'keyvalues') expect(keyValues).toEqual(withoutContext(ex.doc));

      const concise = (await get(id, link, '?format=concise')).json<Json>();
      expect(expandConcise(concise)).toEqual(normalized);
    }
  },
);
