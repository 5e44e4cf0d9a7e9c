import type {} from '@fastify/swagger';
import type { FastifyPluginAsync } from 'fastify';
import { attributesRoutes } from './attributes-routes.js';
import { batchRoutes } from './batch-routes.js';
import { installContextHandling } from './context/index.js';
import { discoveryRoutes } from './discovery-routes.js';
import { entitiesRoutes } from './entities-routes.js';
import { installBodyParsers, negotiateMediaType } from './media-type.js';
import type { NgsiLdOptions } from './ngsi-ld-options.js';
import { queryRoutes } from './query-routes.js';
import { unsupportedRoutes } from './unsupported-routes.js';

/**
 * The ETSI NGSI-LD API (GS CIM 009 v1.8/1.9) as an encapsulated Fastify plugin; register it
 * with `{ prefix: '/ngsi-ld/v1', tenants, bus }` after the root error handler.
 */
export const ngsiLdPlugin: FastifyPluginAsync<NgsiLdOptions> = async (app, options) => {
  installBodyParsers(app);
  // Refuse an unacceptable Accept before doing any work (406 comes before 404). GeoJSON is
  // checked again by the routes that cannot produce it.
  app.addHook('onRequest', (request, _reply, done) => {
    try {
      if (request.method === 'GET') negotiateMediaType(request.headers.accept, true);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
  await installContextHandling(app, options);
  entitiesRoutes(app, options);
  attributesRoutes(app, options);
  queryRoutes(app, options);
  batchRoutes(app, options);
  discoveryRoutes(app, options);
  // TODO(lead): wire temporalRoutes(app, options) from './temporal/index.js' and
  // subscriptionRoutes(app, options) from './subscriptions/index.js' once those folders have
  // their index.ts.
  unsupportedRoutes(app);
};
