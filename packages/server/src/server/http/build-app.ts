import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { CommandServices, NotificationService, RuleStore } from '../../brain/index.js';
import { installCommandRoutes } from './command-routes.js';
import { notifyRoutes } from './notify-routes.js';
import { ruleRoutes } from './rule-routes.js';
import type { Bus } from '../../bus/index.js';
import {
  ingestRoutes,
  type DeviceRegistry,
  type IngestGate,
  type LoginThrottle,
} from '../../ingest/index.js';
import { ngsiLdPlugin } from '../../ngsi-ld/index.js';
import type { Store, TenantStores } from '../../store/index.js';
import type { NodeMetrics } from '../metrics.js';
import { CityError } from '../../core/index.js';
import { installAuth, principalOf, type AuthOptions } from './auth.js';
import { apiKeyRoutes } from './api-key-routes.js';
import type { ApiKeys, Auditor, ReadPolicy, SharingRegistry } from '../../sharing/index.js';
import type { AuditStore } from '../../store/index.js';
import { accessGuard } from './access-guard.js';
import { accessLogRoutes } from './access-log-routes.js';
import { sharingRoutes } from './sharing-routes.js';
import { installCockpitRoutes } from './cockpit-routes.js';
import { installErrorHandler } from './error-handler.js';
import { installEventsRoute } from './events-route.js';
import { installHealthRoutes, type HealthCheck } from './health-routes.js';

/** Routes only the operator may use. */
const OPERATOR_ONLY = ['/api/v1/devices', '/api/v1/dead-letters'];

/** Everything the HTTP side of a node is built from. */
export interface HttpAppOptions {
  logger: Logger;
  /**
   * Fastify's `trustProxy` (see trustProxyOption): whose X-Forwarded-For gives `request.ip`,
   * the address HTTP device logins are counted under; default nobody's.
   */
  trustProxy?: string[] | false;
  store: Store;
  /** NGSI-LD tenants; `tenants.default` is `store`. */
  tenants: TenantStores;
  /** NGSI-LD @context options: local copies of remote contexts, and whether to fetch others. */
  contexts: { preloaded: Record<string, unknown>; fetch: boolean };
  bus: Bus;
  registry: DeviceRegistry;
  gate: IngestGate;
  /** Failed device logins, shared with the embedded MQTT broker. */
  throttle: LoginThrottle;
  metrics: NodeMetrics;
  auth: AuthOptions;
  apiKeys: ApiKeys;
  sharing: SharingRegistry;
  /** The read decision of every read path. */
  policy: ReadPolicy;
  /** Where owners read who read their data. */
  audit: AuditStore;
  /** Keeps the command routes' and the event stream's reads in the audit chain. */
  auditor: Auditor;
  /** Alerts, incidents, tasks and the responsibility matrix. */
  command: CommandServices;
  cityName: { en: string; zh: string };
  /** The city's rules, as data. */
  rules: RuleStore;
  /** Notification channels and their API. */
  notifications: NotificationService;
  checks: Record<string, HealthCheck>;
  /** Built cockpit to serve at `/`; defaults to the workspace's packages/cockpit/dist. */
  cockpitDir?: string;
}

/** Where the built cockpit lives in the workspace. */
export const DEFAULT_COCKPIT_DIR = fileURLToPath(
  new URL('../../../../cockpit/dist', import.meta.url),
);

/**
 * A property a schema does not know is refused (400 naming it), not silently dropped as Ajv's
 * default in Fastify does: a misspelt field must not look accepted.
 */
export const STRICT_BODIES = { removeAdditional: false } as const;

/** Builds the Fastify app of a node: APIs, OpenAPI, health, metrics and the cockpit. */
export async function buildHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    // pino's Logger is narrower than Fastify's logger type; the cast keeps FastifyInstance's default.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: options.logger as FastifyBaseLogger,
    // Per-request lines would drown the log at ingest rates; /metrics has request latencies.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 16 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    ajv: { customOptions: STRICT_BODIES },
    trustProxy: options.trustProxy ?? false,
  });
  installErrorHandler(app);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'citybrain API',
        version: '0.1.0',
        description: 'NGSI-LD context broker, device ingest and city brain of citybrain',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  installAuth(app, options.auth);
  apiKeyRoutes(app, { apiKeys: options.apiKeys });
  sharingRoutes(app, { sharing: options.sharing });
  accessLogRoutes(app, { audit: options.audit });
  notifyRoutes(app, { notifications: options.notifications });
  const access = accessGuard(options.policy);
  // Devices, their credentials and the dead letters (raw payloads) are the operator's.
  app.addHook('preHandler', (request, _reply, done) => {
    const path = request.routeOptions.url ?? '';
    if (OPERATOR_ONLY.some((p) => path.startsWith(p)) && principalOf(request).kind !== 'operator')
      return done(
        new CityError('Forbidden', 'devices and dead letters are managed by the operator'),
      );
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    options.metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });

  installHealthRoutes(app, {
    checks: options.checks,
    authMode: options.auth.mode,
    registry: options.metrics.registry,
  });
  await app.register(ngsiLdPlugin, {
    prefix: '/ngsi-ld/v1',
    tenants: options.tenants,
    bus: options.bus,
    preloadedContexts: options.contexts.preloaded,
    fetchContexts: options.contexts.fetch,
    access,
  });
  await app.register(ingestRoutes, {
    prefix: '/api/v1',
    store: options.store,
    registry: options.registry,
    gate: options.gate,
    throttle: options.throttle,
  });
  installCockpitRoutes(app, {
    access,
    store: options.store,
    cityName: options.cityName,
  });
  installCommandRoutes(app, { command: options.command, audit: options.auditor });
  await ruleRoutes(app, { rules: options.rules, store: options.store });
  await installEventsRoute(app, { bus: options.bus, access, audit: options.auditor });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  const cockpitDir = options.cockpitDir ?? DEFAULT_COCKPIT_DIR;
  if (existsSync(cockpitDir)) await app.register(fastifyStatic, { root: cockpitDir, prefix: '/' });
  else
    app.get('/', { schema: { hide: true } }, (_req, reply) =>
      reply
        .type('text/html')
        .send('<h1>citybrain</h1><p>The cockpit is not built: run <code>npm run build</code>.</p>'),
    );
  return app;
}
