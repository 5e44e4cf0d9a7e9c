import type {} from '@fastify/swagger';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { attributesRoutes } from './attributes-routes.js';
import { batchRoutes } from './batch-routes.js';
import { installContextHandling } from './context/index.js';
import { discoveryRoutes } from './discovery-routes.js';
import { entitiesRoutes } from './entities-routes.js';
import { installBodyParsers, negotiateMediaType } from './media-type.js';
import type { NgsiLdOptions } from './ngsi-ld-options.js';
import { queryRoutes } from './query-routes.js';
import { requestTenant } from './tenant.js';
import { SubscriptionService, subscriptionRoutes } from './subscriptions/index.js';
import { temporalRoutes } from './temporal/index.js';
import { unsupportedRoutes } from './unsupported-routes.js';

/**
 * The ETSI NGSI-LD API (GS CIM 009 v1.8/1.9) as an encapsulated Fastify plugin; register it
 * with `{ prefix: '/ngsi-ld/v1', tenants, bus }` after the root error handler.
 */
export const ngsiLdPlugin: FastifyPluginAsync<NgsiLdOptions> = (app, options) => {
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
  // Clause 6.3.14 (v1.9): a response names the tenant the operation was made on.
  app.addHook('onSend', (request, reply, payload, done) => {
    let tenant: string | undefined;
    try {
      tenant = requestTenant(request);
    } catch {
      tenant = undefined; // a malformed name was refused (400): nothing to echo
    }
    if (tenant !== undefined) void reply.header('NGSILD-Tenant', tenant);
    done(null, payload);
  });
  installContextHandling(app, options);
  entitiesRoutes(app, options);
  attributesRoutes(app, options);
  queryRoutes(app, options);
  batchRoutes(app, options);
  discoveryRoutes(app, options);
  temporalRoutes(app, options);
  // The plugin owns the notifier: it starts when the app is ready and stops when it closes.
  const notifier = new SubscriptionService({
    tenants: options.tenants,
    bus: options.bus,
    logger: app.log as Logger,
    group: options.notifierGroup ?? 'ngsi-ld-notifications',
    ...(options.access && { access: options.access }),
  });
  app.addHook('onReady', () => notifier.start());
  app.addHook('onClose', () => notifier.stop());
  subscriptionRoutes(app, { ...options, notifier });
  unsupportedRoutes(app);
  return Promise.resolve();
};
