import type { Grant, GrantAction, Me } from './sharing-model.js';

/**
 * Where a grant is, as a person reads it: an approved grant is `inForce` during its validity,
 * `scheduled` before it and `expired` after.
 */
export type GrantPhase = 'requested' | 'scheduled' | 'inForce' | 'expired' | 'revoked' | 'rejected';

/** The filters of the grant table, in the order they are offered. */
export const GRANT_FILTERS = [
  'all',
  'requested',
  'inForce',
  'expired',
  'revoked',
  'rejected',
] as const;
/** One filter of the grant table. */
export type GrantFilter = (typeof GRANT_FILTERS)[number];

const DAY = 86_400_000;

/** The phase of a grant at `now` (epoch ms). */
export function grantPhase(grant: Grant, now: number): GrantPhase {
  switch (grant.status) {
    case 'requested':
    case 'revoked':
    case 'rejected':
    case 'expired':
      return grant.status;
    case 'approved':
      if (Date.parse(grant.validUntil) <= now) return 'expired';
      return Date.parse(grant.validFrom) > now ? 'scheduled' : 'inForce';
  }
}

/** True when a grant in `phase` shows under `filter` (scheduled grants count as in force). */
export function matchesFilter(phase: GrantPhase, filter: GrantFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'inForce') return phase === 'inForce' || phase === 'scheduled';
  return phase === filter;
}

const ORDER: Record<GrantPhase, number> = {
  requested: 0,
  inForce: 1,
  scheduled: 2,
  expired: 3,
  revoked: 4,
  rejected: 5,
};

/** Grants to act on first (requested, then in force …), newest request first within a phase. */
export function sortGrants(grants: readonly Grant[], now: number): Grant[] {
  return [...grants].sort(
    (a, b) =>
      ORDER[grantPhase(a, now)] - ORDER[grantPhase(b, now)] ||
      Date.parse(b.requestedAt) - Date.parse(a.requestedAt),
  );
}

/** What a validity means now: days until it starts or ends, or that it has ended. */
export type ValidityNote =
  | { kind: 'startsIn'; days: number }
  | { kind: 'expiresIn'; days: number }
  | { kind: 'expiresToday' }
  | { kind: 'expired' }
  | { kind: 'none' };

/** The validity note of a grant: only approved grants (and requests) count down. */
export function validityNote(grant: Grant, now: number): ValidityNote {
  const phase = grantPhase(grant, now);
  if (phase === 'expired') return { kind: 'expired' };
  if (phase === 'revoked' || phase === 'rejected') return { kind: 'none' };
  const from = Date.parse(grant.validFrom);
  const until = Date.parse(grant.validUntil);
  if (from > now) return { kind: 'startsIn', days: Math.ceil((from - now) / DAY) };
  if (until <= now) return { kind: 'expired' };
  const days = Math.floor((until - now) / DAY);
  return days < 1 ? { kind: 'expiresToday' } : { kind: 'expiresIn', days };
}

/** True when `me` may decide on grants of `owner`: its owner or admin, or the operator. */
export function canManage(me: Me, owner: string): boolean {
  return (
    me.kind === 'operator' ||
    (me.organisation === owner && (me.roles.includes('owner') || me.roles.includes('admin')))
  );
}

/** The actions `me` is offered on a grant: approve or reject a request, revoke an approval. */
export function actionsFor(me: Me, grant: Grant, now: number): GrantAction[] {
  if (!canManage(me, grant.assigner)) return [];
  const phase = grantPhase(grant, now);
  if (phase === 'requested') return ['approve', 'reject'];
  if (phase === 'inForce' || phase === 'scheduled') return ['revoke'];
  return [];
}
