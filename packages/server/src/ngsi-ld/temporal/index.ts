import type { FastifyInstance } from 'fastify';
import type { NgsiLdOptions } from '../ngsi-ld-options.js';
import { temporalReadRoutes } from './read-routes.js';
import { temporalWriteRoutes } from './write-routes.js';

/**
 * The NGSI-LD temporal API (clauses 5.6.11–5.6.19, 5.7.3, 5.7.4): registers the routes under
 * `/temporal/…` on the plugin instance (which adds the `/ngsi-ld/v1` prefix).
 */
export function temporalRoutes(app: FastifyInstance, options: NgsiLdOptions): void {
  temporalReadRoutes(app, options);
  temporalWriteRoutes(app, options);
}
