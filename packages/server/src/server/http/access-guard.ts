import type { FastifyRequest } from 'fastify';
import type { AccessGuard } from '../../ngsi-ld/index.js';
import { ReadPolicy } from '../../sharing/index.js';
import { principalOf } from './auth.js';

/** The header a request states its purpose in (a query parameter for event streams). */
export const PURPOSE_HEADER = 'citybrain-purpose';

/** The purpose a request states: checked against the controlled list (400 when not on it). */
export function purposeOf(request: FastifyRequest): string | undefined {
  const header = request.headers[PURPOSE_HEADER];
  const stated =
    typeof header === 'string'
      ? header
      : (request.query as Record<string, unknown> | undefined)?.purpose;
  return ReadPolicy.purpose(typeof stated === 'string' ? stated.trim() : undefined);
}

/** The sharing policy as the NGSI-LD API sees it: a view per request, per subscription owner. */
export function accessGuard(policy: ReadPolicy): AccessGuard {
  return {
    open: (request, tenant) => policy.session(principalOf(request), purposeOf(request), tenant),
    forSubscriber: (owner, tenant) => policy.session(owner, owner.purpose, tenant),
    ownerOf(request) {
      const { kind, subject, organisation, roles } = principalOf(request);
      const purpose = purposeOf(request);
      return {
        kind,
        subject,
        ...(organisation !== undefined && { organisation }),
        roles,
        ...(purpose !== undefined && { purpose }),
      };
    },
  };
}
