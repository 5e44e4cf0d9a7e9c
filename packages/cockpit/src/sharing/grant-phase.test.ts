import { describe, expect, it } from 'vitest';
import { actionsFor, grantPhase, matchesFilter, sortGrants, validityNote } from './grant-phase.js';
import type { Grant, Me } from './sharing-model.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-10T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

const grant = (patch: Partial<Grant> = {}): Grant => ({
  id: 'g1',
  target: 'AirQualityObserved',
  assigner: 'environment',
  assignee: 'transport',
  attributes: ['pm25'],
  purpose: 'research',
  validFrom: iso(NOW - DAY),
  validUntil: iso(NOW + 10 * DAY),
  duties: [],
  prohibitions: [],
  status: 'approved',
  requestedBy: 'api-key:1',
  requestedAt: iso(NOW - 2 * DAY),
  ...patch,
});

const member = (organisation: string, roles: string[]): Me => ({
  kind: 'system',
  subject: 'api-key:x',
  organisation,
  roles,
});

describe('grant phase', () => {
  it('reads an approved grant as scheduled, in force or expired by its validity', () => {
    expect(grantPhase(grant(), NOW)).toBe('inForce');
    expect(grantPhase(grant({ validFrom: iso(NOW + DAY) }), NOW)).toBe('scheduled');
    expect(grantPhase(grant({ validUntil: iso(NOW) }), NOW)).toBe('expired');
    expect(grantPhase(grant({ status: 'expired' }), NOW)).toBe('expired');
    expect(grantPhase(grant({ status: 'revoked' }), NOW)).toBe('revoked');
  });

  it('counts scheduled grants as in force in the filter', () => {
    expect(matchesFilter('scheduled', 'inForce')).toBe(true);
    expect(matchesFilter('requested', 'inForce')).toBe(false);
    expect(matchesFilter('rejected', 'all')).toBe(true);
  });

  it('lists requests first, then grants in force, newest request first', () => {
    const sorted = sortGrants(
      [
        grant({ id: 'old-request', status: 'requested', requestedAt: iso(NOW - 5 * DAY) }),
        grant({ id: 'revoked', status: 'revoked' }),
        grant({ id: 'in-force' }),
        grant({ id: 'new-request', status: 'requested', requestedAt: iso(NOW - DAY) }),
      ],
      NOW,
    );
    expect(sorted.map((g) => g.id)).toEqual(['new-request', 'old-request', 'in-force', 'revoked']);
  });

  it('says how long a grant has left, or that it is over', () => {
    expect(validityNote(grant(), NOW)).toEqual({ kind: 'expiresIn', days: 10 });
    expect(validityNote(grant({ validUntil: iso(NOW + 3_600_000) }), NOW)).toEqual({
      kind: 'expiresToday',
    });
    expect(validityNote(grant({ validFrom: iso(NOW + 2.5 * DAY) }), NOW)).toEqual({
      kind: 'startsIn',
      days: 3,
    });
    expect(validityNote(grant({ validUntil: iso(NOW - DAY) }), NOW)).toEqual({ kind: 'expired' });
    expect(validityNote(grant({ status: 'rejected' }), NOW)).toEqual({ kind: 'none' });
  });

  it("offers the owner's actions to the owner's owners and admins and to the operator only", () => {
    const requested = grant({ status: 'requested' });
    expect(actionsFor(member('environment', ['owner']), requested, NOW)).toEqual([
      'approve',
      'reject',
    ]);
    expect(actionsFor(member('environment', ['admin']), grant(), NOW)).toEqual(['revoke']);
    expect(actionsFor({ kind: 'operator', subject: 'operator', roles: [] }, grant(), NOW)).toEqual([
      'revoke',
    ]);
    expect(actionsFor(member('environment', ['analyst']), requested, NOW)).toEqual([]);
    expect(actionsFor(member('transport', ['owner']), requested, NOW)).toEqual([]);
    expect(actionsFor(member('environment', ['owner']), grant({ status: 'revoked' }), NOW)).toEqual(
      [],
    );
  });
});
