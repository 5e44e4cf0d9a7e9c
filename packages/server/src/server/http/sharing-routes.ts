import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { CityError } from '../../core/index.js';
import {
  DatasetSchema,
  GrantRequestSchema,
  OrganisationSchema,
  statusAt,
  toOdrl,
  type Dataset,
  type Grant,
  type GrantRequest,
  type Organisation,
  type Principal,
  type SharingRegistry,
} from '../../sharing/index.js';
import { principalOf } from './auth.js';

const IdParams = Type.Object({ id: Type.String() });
const shown = (grant: Grant) => ({ ...grant, status: statusAt(grant, Date.now()) });

/**
 * `/api/v1/organisations`, `/api/v1/datasets` and `/api/v1/grants`: who owns what, and the
 * grants between organisations with their lifecycle (request, approve or reject, revoke).
 */
export function sharingRoutes(app: FastifyInstance, options: { sharing: SharingRegistry }): void {
  const { sharing } = options;
  const tags = ['sharing'];

  app.put<{ Params: { id: string }; Body: Organisation }>(
    '/api/v1/organisations/:id',
    {
      schema: {
        tags,
        summary: 'Create or replace an organisation',
        params: IdParams,
        body: OrganisationSchema,
      },
    },
    async (request, reply) => {
      if (request.body.id !== request.params.id)
        throw new CityError('BadRequestData', 'the body id differs from the path');
      await sharing.putOrganisation(principalOf(request), request.body);
      return reply.code(204).send();
    },
  );
  app.get('/api/v1/organisations', { schema: { tags, summary: 'List organisations' } }, () =>
    sharing.organisations(),
  );

  app.put<{ Params: { id: string }; Body: Dataset }>(
    '/api/v1/datasets/:id',
    {
      schema: {
        tags,
        summary: 'Declare a dataset: its owner and classification',
        params: IdParams,
        body: DatasetSchema,
      },
    },
    async (request, reply) => {
      if (request.body.id !== request.params.id)
        throw new CityError('BadRequestData', 'the body id differs from the path');
      await sharing.putDataset(principalOf(request), request.body);
      return reply.code(204).send();
    },
  );
  app.get('/api/v1/datasets', { schema: { tags, summary: 'List datasets' } }, () =>
    sharing.datasets(),
  );

  app.post<{ Body: GrantRequest }>(
    '/api/v1/grants',
    {
      schema: { tags, summary: "Request a grant from a dataset's owner", body: GrantRequestSchema },
    },
    async (request, reply) => {
      const grant = await sharing.request(principalOf(request), request.body);
      return reply.code(201).header('Location', `/api/v1/grants/${grant.id}`).send(shown(grant));
    },
  );
  app.get(
    '/api/v1/grants',
    { schema: { tags, summary: "The grants of the caller's organisation" } },
    async (request) => (await sharing.list(principalOf(request))).map(shown),
  );
  app.get<{ Params: { id: string } }>(
    '/api/v1/grants/:id',
    { schema: { tags, summary: 'One grant (its parties only)', params: IdParams } },
    async (request) => shown(await sharing.get(principalOf(request), request.params.id)),
  );
  app.get<{ Params: { id: string } }>(
    '/api/v1/grants/:id/odrl',
    { schema: { tags, summary: 'The grant as an ODRL 2.2 Agreement (JSON-LD)', params: IdParams } },
    async (request, reply) => {
      const grant = await sharing.get(principalOf(request), request.params.id);
      return reply.type('application/ld+json').send(toOdrl(grant, Date.now()));
    },
  );
  for (const [action, run] of [
    ['approve', (p: Principal, id: string) => sharing.decide(p, id, 'approved')],
    ['reject', (p: Principal, id: string) => sharing.decide(p, id, 'rejected')],
    ['revoke', (p: Principal, id: string) => sharing.revoke(p, id)],
  ] as const)
    app.post<{ Params: { id: string } }>(
      `/api/v1/grants/:id/${action}`,
      { schema: { tags, summary: `The owner ${action}s a grant`, params: IdParams } },
      async (request) => shown(await run(principalOf(request), request.params.id)),
    );
}
