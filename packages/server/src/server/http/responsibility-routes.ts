import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { CityError } from '../../core/index.js';
import {
  ResponsibilitySchema,
  type Responsibility,
  type ResponsibilityMatrix,
} from '../../brain/command/index.js';
import { actorOf, IdParams } from './alert-routes.js';

/** What the responsibility routes need. */
export interface ResponsibilityRoutesOptions {
  matrix: ResponsibilityMatrix;
}

/** Refuses a caller other than the operator: only the operator changes the matrix. */
function requireOperator(request: FastifyRequest): void {
  if (!actorOf(request).operator)
    throw new CityError('Forbidden', 'the responsibility matrix is changed by the operator');
}

/** `/api/v1/responsibility…`: the matrix that routes alerts; the operator changes it. */
export function installResponsibilityRoutes(
  app: FastifyInstance,
  options: ResponsibilityRoutesOptions,
): void {
  const { matrix } = options;
  const tags = ['Responsibility'];
  app.get(
    '/api/v1/responsibility',
    { schema: { tags, summary: 'The responsibility matrix' } },
    () => matrix.list(),
  );
  app.get<{ Querystring: { category: string; subCategory?: string; area?: string } }>(
    '/api/v1/responsibility/route',
    {
      schema: {
        tags,
        summary: 'Which row routes an alert of a category (and subCategory) in an area',
        querystring: Type.Object({
          category: Type.String(),
          subCategory: Type.Optional(Type.String()),
          area: Type.Optional(Type.String({ description: 'comma-separated areas' })),
        }),
      },
    },
    async (request) => {
      const { category, subCategory, area } = request.query;
      const row = await matrix.match({
        category,
        ...(subCategory !== undefined && { subCategory }),
        areas: area?.split(',') ?? [],
      });
      if (!row) throw new CityError('ResourceNotFound', `no row routes ${category} there`);
      return row;
    },
  );
  app.get<{ Params: { id: string } }>(
    '/api/v1/responsibility/:id',
    { schema: { tags, summary: 'One row of the matrix', params: IdParams } },
    async (request) => matrix.get(request.params.id),
  );
  app.put<{ Params: { id: string }; Body: Responsibility }>(
    '/api/v1/responsibility/:id',
    {
      schema: {
        tags,
        summary: 'Create or replace a row (the operator)',
        params: IdParams,
        body: ResponsibilitySchema,
      },
    },
    async (request, reply) => {
      requireOperator(request);
      if (request.body.id !== request.params.id)
        throw new CityError('BadRequestData', 'the body id differs from the path');
      await matrix.put(request.body);
      return reply.code(204).send();
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/api/v1/responsibility/:id',
    { schema: { tags, summary: 'Delete a row (the operator)', params: IdParams } },
    async (request, reply) => {
      requireOperator(request);
      await matrix.delete(request.params.id);
      return reply.code(204).send();
    },
  );
}
