import type { FastifyInstance } from 'fastify';
import { CityError } from '../core/index.js';
import { problemResponses, tags } from './schemas.js';

const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const;

/**
 * Context-source registrations and their subscriptions (clauses 5.9, 5.11): 501
 * OperationNotSupported, as clause 5.5 allows for optional features a broker lacks.
 */
export function unsupportedRoutes(app: FastifyInstance): void {
  for (const base of ['/csourceRegistrations', '/csourceSubscriptions'])
    for (const url of [base, `${base}/*`])
      app.route({
        method: [...METHODS],
        url,
        schema: {
          tags,
          summary: `${base} (not supported yet)`,
          description: 'Context sources are not supported yet: always 501 OperationNotSupported.',
          response: problemResponses,
        },
        handler: () => {
          throw new CityError(
            'OperationNotSupported',
            `${base} is not supported yet: citybrain does not federate context sources`,
          );
        },
      });
}
