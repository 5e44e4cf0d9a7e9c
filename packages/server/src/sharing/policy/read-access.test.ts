import { describe, expect, it } from 'vitest';
import type { Dataset, Grant } from '../grants/index.js';
import type { Principal } from '../identity/index.js';
import { readAccess } from './read-access.js';

const NOW = Date.UTC(2026, 10, 24, 12);
const day = 86_400_000;
const visits: Dataset = { id: 'FeverClinicVisit', owner: 'health', classification: 'sensitive' };
const police: Principal = {
  kind: 'user',
  subject: 'officer.li',
  organisation: 'police',
  roles: ['analyst'],
  via: 'oidc',
};
const grant = (extra: Partial<Grant> = {}): Grant => ({
  id: 'g1',
  target: 'FeverClinicVisit',
  attributes: ['visitCount', 'district'],
  rowFilter: 'district=="Xihu"',
  purpose: 'epidemic-control',
  validFrom: new Date(NOW - day).toISOString(),
  validUntil: new Date(NOW + day).toISOString(),
  duties: [],
  prohibitions: [],
  assigner: 'health',
  assignee: 'police',
  status: 'approved',
  requestedBy: 'officer.li',
  requestedAt: new Date(NOW - 2 * day).toISOString(),
  ...extra,
});

describe('readAccess: default deny, grants by organisation, dataset and purpose', () => {
  it('lets the operator, the owner and, for public data, anyone read everything', () => {
    const operator: Principal = {
      kind: 'operator',
      subject: 'operator',
      roles: ['admin'],
      via: 'admin-token',
    };
    expect(readAccess(operator, undefined, undefined, [], NOW)).toEqual({
      kind: 'all',
      reason: 'operator',
    });
    expect(
      readAccess({ ...police, organisation: 'health' }, undefined, visits, [], NOW),
    ).toMatchObject({ reason: 'owner' });
    expect(
      readAccess(police, undefined, { ...visits, classification: 'public' }, [], NOW),
    ).toMatchObject({ reason: 'public' });
  });

  it('denies without a declared dataset, a purpose, or a grant in force for that purpose', () => {
    const why = (purpose: string | undefined, dataset: Dataset | undefined, grants: Grant[]) => {
      const access = readAccess(police, purpose, dataset, grants, NOW);
      return access.kind === 'none' ? access.reason : access.kind;
    };
    expect(why('epidemic-control', undefined, [grant()])).toBe('undeclared-dataset');
    expect(why(undefined, visits, [grant()])).toBe('no-purpose');
    expect(why('curiosity', visits, [grant()])).toBe('unknown-purpose');
    expect(why('traffic-management', visits, [grant()])).toBe('no-grant');
    expect(why('epidemic-control', visits, [grant({ assignee: 'transport' })])).toBe('no-grant');
    expect(why('epidemic-control', visits, [grant({ status: 'revoked' })])).toBe('no-grant');
    expect(why('epidemic-control', visits, [grant({ status: 'requested' })])).toBe('no-grant');
    expect(
      why('epidemic-control', visits, [grant({ validUntil: new Date(NOW - 1).toISOString() })]),
    ).toBe('no-grant');
    expect(
      why('epidemic-control', visits, [grant({ validFrom: new Date(NOW + 1).toISOString() })]),
    ).toBe('no-grant');
    expect(why('epidemic-control', visits, [grant()])).toBe('granted');
  });
});
