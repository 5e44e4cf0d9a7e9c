import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { CityError } from '../../core/index.js';
import type { ApiKeys } from '../../sharing/index.js';
import { principalOf } from './auth.js';

/**
 * Who may manage API keys: the operator, all of them; an organisation's `admin`, its own
 * organisation's only (a key for another organisation would read that one's data).
 */
function managedOrganisation(request: FastifyRequest): string | undefined {
  const principal = principalOf(request);
  if (principal.kind === 'operator') return undefined;
  if (!principal.roles.includes('admin') || principal.organisation === undefined)
    throw new CityError('Forbidden', 'managing API keys needs the admin role');
  return principal.organisation;
}

const CreateKey = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    organisation: Type.String({ minLength: 1, maxLength: 200 }),
    roles: Type.Array(Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' }), { default: [] }),
  },
  { additionalProperties: false },
);

/** `/api/v1/api-keys`: keys for systems; the secret is shown once, at creation. */
export function apiKeyRoutes(app: FastifyInstance, options: { apiKeys: ApiKeys }): void {
  const { apiKeys } = options;
  app.post<{ Body: { name: string; organisation: string; roles: string[] } }>(
    '/api/v1/api-keys',
    {
      schema: {
        tags: ['identity'],
        summary: 'Create an API key (the secret is shown once)',
        body: CreateKey,
      },
    },
    async (request, reply) => {
      const own = managedOrganisation(request);
      if (own !== undefined && request.body.organisation !== own)
        throw new CityError('Forbidden', `an administrator of ${own} creates keys for ${own} only`);
      const created = await apiKeys.create(request.body);
      return reply.code(201).header('Location', `/api/v1/api-keys/${created.id}`).send(created);
    },
  );
  app.get(
    '/api/v1/api-keys',
    { schema: { tags: ['identity'], summary: 'List API keys (without their secrets)' } },
    async (request) => {
      const own = managedOrganisation(request);
      return (await apiKeys.list()).filter((k) => own === undefined || k.organisation === own);
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/api/v1/api-keys/:id',
    { schema: { tags: ['identity'], summary: 'Revoke an API key at once' } },
    async (request, reply) => {
      const own = managedOrganisation(request);
      const key = (await apiKeys.list()).find((k) => k.id === request.params.id);
      if (
        !key ||
        (own !== undefined && key.organisation !== own) ||
        !(await apiKeys.revoke(key.id))
      )
        throw new CityError('ResourceNotFound', `no API key ${request.params.id}`);
      return reply.code(204).send();
    },
  );
}
