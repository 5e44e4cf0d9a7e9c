import type {} from '@fastify/swagger';
import type { FastifyPluginAsync } from 'fastify';
import { attributesRoutes } from './attributes-routes.js';
import { entitiesRoutes } from './entities-routes.js';
import { installBodyParsers, negotiateMediaType } from './media-type.js';
import type { NgsiLdOptions } from './ngsi-ld-options.js';
import { queryRoutes } from './query-routes.js';
import { temporalRoutes } from './temporal-routes.js';
import { unsupportedRoutes } from './unsupported-routes.js';

/**
 * The ETSI NGSI-LD API (GS CIM 009 v1.8 subset) as an encapsulated Fastify plugin;
 * register it with `{ prefix: '/ngsi-ld/v1', store, bus }` after the root error handler.
 */
export const ngsiLdPlugin: FastifyPluginAsync<NgsiLdOptions> = (app, options) => {
  installBodyParsers(app);
  // Refuse an unacceptable Accept before doing any work (406 comes before 404).
  app.addHook('onRequest', (request, _reply, done) => {
    try {
      if (request.method === 'GET') negotiateMediaType(request.headers.accept);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
  entitiesRoutes(app, options);
  attributesRoutes(app, options);
  queryRoutes(app, options);
  temporalRoutes(app, options);
  unsupportedRoutes(app);
  return Promise.resolve();
};
