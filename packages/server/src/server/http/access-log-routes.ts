import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { CityError } from '../../core/index.js';
import type { AuditStore } from '../../store/index.js';
import { principalOf } from './auth.js';

const LogQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'records before this seq' })),
  owner: Type.Optional(Type.String({ description: 'the operator: one owner’s records' })),
  others: Type.Optional(
    Type.Boolean({ description: 'true: only other organisations’ accesses, not the owner’s own' }),
  ),
});

/** Roles that may read their organisation's access log. */
const LOG_READERS = new Set(['admin', 'owner', 'auditor']);

/**
 * `GET /api/v1/me` (who the token is) and `GET /api/v1/access-log` (who read our data, when,
 * why and under which grant: the audit chain's records of the caller's organisation's
 * datasets, newest first; all of them for the operator).
 */
export function accessLogRoutes(app: FastifyInstance, options: { audit: AuditStore }): void {
  const tags = ['sharing'];
  app.get('/api/v1/me', { schema: { tags, summary: 'Who this token is' } }, (request) => {
    const { kind, subject, organisation, roles, via } = principalOf(request);
    return { kind, subject, ...(organisation !== undefined && { organisation }), roles, via };
  });

  app.get<{ Querystring: Static<typeof LogQuery> }>(
    '/api/v1/access-log',
    {
      schema: {
        tags,
        summary: 'Who read our data',
        description:
          'Access decisions on the datasets the caller’s organisation owns (owner, admin or auditor role), newest first, as kept in the audit chain; page with before=<seq of the last record>.',
        querystring: LogQuery,
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { limit, before } = request.query;
      let owner: string | undefined;
      if (principal.kind === 'operator') owner = request.query.owner;
      else if (!principal.organisation || !principal.roles.some((r) => LOG_READERS.has(r)))
        throw new CityError(
          'Forbidden',
          `the access log is read by an organisation's ${[...LOG_READERS].join(', ')}`,
        );
      else if (request.query.owner !== undefined && request.query.owner !== principal.organisation)
        throw new CityError('Forbidden', 'an organisation reads its own access log');
      else owner = principal.organisation;
      const records = await options.audit.recent({
        ...(owner !== undefined && { owner }),
        ...(before !== undefined && { beforeSeq: before }),
        othersOnly: request.query.others === true,
        limit,
      });
      return {
        records: records.map((r) => ({ seq: r.seq, ...r.entry })),
        ...(records.length === limit && { next: records[records.length - 1]!.seq }),
      };
    },
  );
}
