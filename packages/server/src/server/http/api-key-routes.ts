import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { CityError } from '../../core/index.js';
import type { ApiKeys } from '../../sharing/index.js';

/** Only administrators manage API keys (the operator, or a principal with the `admin` role). */
function requireAdmin(request: FastifyRequest): void {
  const principal = request.principal;
  if (principal && !principal.roles.includes('admin'))
    throw new CityError('Forbidden', 'managing API keys needs the admin role');
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
      requireAdmin(request);
      const created = await apiKeys.create(request.body);
      return reply.code(201).header('Location', `/api/v1/api-keys/${created.id}`).send(created);
    },
  );
  app.get(
    '/api/v1/api-keys',
    { schema: { tags: ['identity'], summary: 'List API keys (without their secrets)' } },
    async (request) => {
      requireAdmin(request);
      return apiKeys.list();
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/api/v1/api-keys/:id',
    { schema: { tags: ['identity'], summary: 'Revoke an API key at once' } },
    async (request, reply) => {
      requireAdmin(request);
      if (!(await apiKeys.revoke(request.params.id)))
        throw new CityError('ResourceNotFound', `no API key ${request.params.id}`);
      return reply.code(204).send();
    },
  );
}
