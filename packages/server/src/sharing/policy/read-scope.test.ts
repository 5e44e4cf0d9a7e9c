import { describe, expect, it } from 'vitest';
import { parseQ, parseTypeExpression, type Entity } from '../../core/index.js';
import type { EntityQuery } from '../../store/index.js';
import type { Dataset, Grant } from '../grants/index.js';
import { OPERATOR, type Principal } from '../identity/index.js';
import { ReadScope, type ResolveNames } from './read-scope.js';

const NOW = Date.UTC(2026, 10, 24, 12);
const hour = 3_600_000;
const datasets: Dataset[] = [
  { id: 'FeverClinicVisit', owner: 'health', classification: 'sensitive' },
  { id: 'Pharmacy', owner: 'health', classification: 'internal' },
  { id: 'AirQualityObserved', owner: 'environment', classification: 'public' },
  { id: 'Bus', owner: 'police', classification: 'internal' },
];
const police: Principal = {
  kind: 'user',
  subject: 'officer.li',
  organisation: 'police',
  roles: ['analyst'],
  via: 'oidc',
};
const grant = (extra: Partial<Grant>): Grant => ({
  id: 'g1',
  target: 'FeverClinicVisit',
  attributes: ['visitCount', 'district'],
  rowFilter: 'district=="Xihu"',
  purpose: 'epidemic-control',
  validFrom: new Date(NOW - hour).toISOString(),
  validUntil: new Date(NOW + hour).toISOString(),
  duties: [],
  prohibitions: [],
  assigner: 'health',
  assignee: 'police',
  status: 'approved',
  requestedBy: 'officer.li',
  requestedAt: new Date(NOW - 2 * hour).toISOString(),
  ...extra,
});
const coreNames: ResolveNames = () => Promise.resolve({ expand: (t) => t });
const compile = (grants: Grant[], who: Principal = police, purpose = 'epidemic-control') =>
  ReadScope.compile(who, purpose, datasets, grants, NOW, coreNames);
const query = (q: Partial<EntityQuery>): EntityQuery => ({ limit: 20, offset: 0, ...q });
const visit = (district: string, extra: Record<string, unknown> = {}): Entity => ({
  id: `urn:ngsi-ld:FeverClinicVisit:${district}`,
  type: 'FeverClinicVisit',
  visitCount: { type: 'Property', value: 3 },
  district: { type: 'Property', value: district },
  patientName: { type: 'Property', value: 'Zhang San' },
  createdAt: '2026-11-01T00:00:00Z',
  ...extra,
});

describe('the read scope of one organisation and purpose', () => {
  it('adds the row filter to a one-type query, without a type clause', async () => {
    const scope = await compile([grant({})]);
    const restricted = scope.restrict(query({ types: parseTypeExpression('FeverClinicVisit') }));
    expect(restricted.within).toBeUndefined();
    expect(restricted.q).toEqual(parseQ('district=="Xihu"'));
    const withQ = scope.restrict(
      query({ types: parseTypeExpression('FeverClinicVisit'), q: parseQ('visitCount>2') }),
    );
    expect(withQ.q).toEqual({
      kind: 'and',
      terms: [parseQ('visitCount>2'), parseQ('district=="Xihu"')],
    });
  });

  it('restricts a query over several types (or none) to the readable ones, with their filters', async () => {
    const scope = await compile([
      grant({}),
      grant({ id: 'g2', rowFilter: 'district=="Gongshu"', attributes: ['visitCount'] }),
    ]);
    const denied = new Map<string, string>();
    const restricted = scope.restrict(query({}), denied);
    expect(restricted.within).toEqual([
      {
        type: 'FeverClinicVisit',
        q: { kind: 'or', terms: [parseQ('district=="Xihu"'), parseQ('district=="Gongshu"')] },
      },
      { type: 'AirQualityObserved' }, // public
      { type: 'Bus' }, // its own
    ]);
    const asked = scope.restrict(
      query({ types: parseTypeExpression('Pharmacy,PoliceCase,Bus') }),
      denied,
    );
    expect(asked.within).toEqual([{ type: 'Bus' }]);
    expect(Object.fromEntries(denied)).toEqual({
      Pharmacy: 'no-grant',
      PoliceCase: 'undeclared-dataset',
    });
  });

  it('sees no rows through a grant when the query filters on an attribute outside it', async () => {
    const scope = await compile([grant({})]);
    const denied = new Map<string, string>();
    const byName = scope.restrict(
      query({
        types: parseTypeExpression('FeverClinicVisit'),
        q: parseQ('patientName=="Zhang San"'),
      }),
      denied,
    );
    expect(byName.within).toEqual([]);
    expect(denied.get('FeverClinicVisit')).toBe('attribute-not-granted');
    // attrs asks for the granted names among those given; none granted: nothing.
    const attrs = scope.restrict(
      query({
        types: parseTypeExpression('FeverClinicVisit'),
        attrs: ['visitCount', 'patientName'],
      }),
    );
    expect(attrs.attrs).toEqual(['visitCount']);
    expect(
      scope.restrict(
        query({ types: parseTypeExpression('FeverClinicVisit'), attrs: ['patientName'] }),
      ).within,
    ).toEqual([]);
    const geo = scope.restrict(
      query({
        types: parseTypeExpression('FeverClinicVisit'),
        geo: {
          georel: 'near',
          maxDistance: 10,
          geometry: { type: 'Point', coordinates: [0, 0] },
          geoproperty: 'location',
        },
      }),
    );
    expect(geo.within).toEqual([]);
  });

  it('shows an entity trimmed to the attributes of the grants whose rows include it', async () => {
    const scope = await compile([grant({})]);
    expect(scope.see(visit('Gongshu'))).toBeUndefined();
    const seen = scope.see(visit('Xihu'));
    expect(seen?.grants).toEqual(['g1']);
    expect(Object.keys(seen!.entity).sort()).toEqual(
      ['createdAt', 'district', 'id', 'type', 'visitCount'].sort(),
    );
    const all = await compile([grant({ rowFilter: undefined, attributes: ['patientName'] })]);
    expect(Object.keys(all.see(visit('Gongshu'))!.entity)).toContain('patientName');
    expect(all.see(visit('Gongshu'))!.entity.visitCount).toBeUndefined();
  });

  it('joins several grants: rows of either filter, each with the attributes of its grants', async () => {
    const scope = await compile([
      grant({}),
      grant({ id: 'g2', rowFilter: 'district=="Binjiang"', attributes: ['visitCount'] }),
    ]);
    expect(scope.see(visit('Gongshu'))).toBeUndefined();
    expect(Object.keys(scope.see(visit('Binjiang'))!.entity)).toEqual([
      'id',
      'type',
      'visitCount',
      'createdAt',
    ]);
    expect(Object.keys(scope.see(visit('Xihu'))!.entity)).toContain('district');
    const unfiltered = await compile([grant({}), grant({ id: 'g2', rowFilter: undefined })]);
    expect(
      unfiltered.restrict(query({ types: parseTypeExpression('FeverClinicVisit') })).q,
    ).toBeUndefined();
    expect(unfiltered.see(visit('Gongshu'))?.grants).toEqual(['g2']);
  });

  it('gives the operator everything, unchanged', async () => {
    const scope = await compile([], { ...OPERATOR }, 'research');
    const q = query({ types: parseTypeExpression('PoliceCase') });
    expect(scope.restrict(q)).toBe(q);
    const entity = visit('Gongshu');
    expect(scope.see(entity)?.entity).toBe(entity);
    expect(scope.mayWrite(OPERATOR, ['Anything'])).toBe(true);
  });

  it('lets the owner’s writers write its datasets only', async () => {
    const scope = await compile([grant({})]);
    const editor = { ...police, roles: ['editor'] };
    expect(scope.mayWrite(editor, ['Bus'])).toBe(true);
    expect(scope.mayWrite(police, ['Bus'])).toBe(false); // an analyst reads
    expect(scope.mayWrite(editor, ['FeverClinicVisit'])).toBe(false); // granted is not owned
    expect(scope.mayWrite(editor, ['Bus', 'FeverClinicVisit'])).toBe(false);
    expect(scope.mayWrite(editor, ['Undeclared'])).toBe(false);
    expect(scope.mayWrite(editor, [])).toBe(false);
  });

  it('is valid until the next grant of the organisation starts or ends', async () => {
    const later = grant({ id: 'g2', validFrom: new Date(NOW + hour / 2).toISOString() });
    const scope = await compile([grant({}), later]);
    expect(scope.until).toBe(NOW + hour / 2);
    expect(scope.readable.get('FeverClinicVisit')?.rules?.map((r) => r.grant)).toEqual(['g1']);
  });

  it('reads a dataset’s type and its grants’ names in the dataset’s @context', async () => {
    const ns = 'https://health.example/ns#';
    const resolve: ResolveNames = (context) =>
      Promise.resolve({
        expand: (t) => (context === 'https://health.example/context.jsonld' ? ns + t : t),
      });
    const scope = await ReadScope.compile(
      police,
      'epidemic-control',
      [{ ...datasets[0]!, context: 'https://health.example/context.jsonld' }],
      [grant({})],
      NOW,
      resolve,
    );
    const rule = scope.readable.get(`${ns}FeverClinicVisit`)?.rules?.[0];
    expect([...rule!.attributes]).toEqual([`${ns}visitCount`, `${ns}district`]);
    expect(rule!.filter).toEqual(parseQ(`${ns}district=="Xihu"`));
  });
});
