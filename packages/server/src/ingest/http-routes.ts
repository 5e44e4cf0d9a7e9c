import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { bearerToken, CityError } from '../core/index.js';
import type { DeadLetterReason, Device, Store } from '../store/index.js';
import type { DeviceRegistration, DeviceRegistry } from './device-registry.js';
import type { IngestGate } from './ingest-gate.js';
import { LoginBlocked, LoginThrottle } from './login-throttle.js';

/** What the ingest HTTP routes need. */
export interface IngestRoutesOptions {
  store: Store;
  registry: DeviceRegistry;
  gate: IngestGate;
  /** Limits failed logins; share the node's with MQTT. Default: one of these routes' own. */
  throttle?: LoginThrottle;
}

const publicDevice = (d: Device) => ({
  id: d.id,
  entityId: d.entityId,
  entityType: d.entityType,
  units: d.units,
  createdAt: new Date(d.createdAt).toISOString(),
});

const REASONS: DeadLetterReason[] = [
  'malformed-payload',
  'invalid-observation',
  'unknown-device',
  'bad-credentials',
  'topic-not-allowed',
];

const Page = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});

/** POST /ingest/:deviceId, with its own raw-body parser so malformed JSON is dead-lettered too. */
function httpIngestRoute(app: FastifyInstance, opts: IngestRoutesOptions): void {
  const { registry, gate } = opts;
  const throttle = opts.throttle ?? new LoginThrottle({ logger: app.log });
  app.addContentTypeParser(
    ['application/json', 'text/plain'],
    { parseAs: 'string' },
    (_req, body, done) => done(null, body),
  );
  app.post<{ Params: { deviceId: string } }>(
    '/ingest/:deviceId',
    {
      schema: {
        tags: ['Ingest'],
        summary: 'Send observations as a device (Authorization: Bearer <device secret>)',
      },
    },
    async (request, reply) => {
      const receivedAt = Date.now();
      const deviceId = request.params.deviceId;
      const secret = bearerToken(request.headers.authorization) ?? '';
      const auth = await throttle.login({ source: 'http', deviceId, address: request.ip }, () =>
        registry.authenticate(deviceId, secret),
      );
      // Not dead-lettered, so that a flood costs no writes: the throttle logs each block once.
      if (auth instanceof LoginBlocked) {
        reply.header('retry-after', String(auth.retryAfterSeconds));
        throw new CityError(
          'TooManyRequests',
          `too many failed logins ${auth.by === 'device' ? 'of this device' : 'from this address'}: try again in ${auth.retryAfterSeconds} s`,
        );
      }
      if (typeof auth === 'string') {
        await gate.refuse({
          receivedAt,
          source: 'http',
          reason: auth,
          detail: `HTTP ingest refused: ${auth}`,
          deviceId,
        });
        throw new CityError('Unauthorized', 'unknown device or bad device secret');
      }
      const accepted = await gate.accept({
        source: 'http',
        device: auth,
        payload: request.body as string,
        receivedAt,
      });
      return { accepted };
    },
  );
}

/** Device registry, HTTP ingest and dead letters under /api/v1. */
export const ingestRoutes: FastifyPluginAsync<IngestRoutesOptions> = (app, opts) => {
  const { store, registry } = opts;
  const tags = ['Devices'];

  app.post(
    '/devices',
    {
      schema: {
        tags,
        summary: 'Register a device; answers its secret once',
        body: Type.Object({}),
      },
    },
    async (request, reply) => {
      const body = request.body as DeviceRegistration;
      if (typeof body.id !== 'string' || typeof body.entityType !== 'string')
        throw new CityError('BadRequestData', 'a device needs "id" and "entityType" strings');
      const { device, secret } = await registry.register(body);
      return reply.code(201).send({ ...publicDevice(device), secret });
    },
  );

  app.get(
    '/devices',
    { schema: { tags, summary: 'List devices', querystring: Page } },
    async (request) => {
      const { limit, offset } = request.query as { limit: number; offset: number };
      return (await store.devices.list({ limit, offset })).map(publicDevice);
    },
  );

  app.get<{ Params: { id: string } }>('/devices/:id', { schema: { tags } }, async (request) => {
    const device = await registry.get(request.params.id);
    if (!device)
      throw new CityError('ResourceNotFound', `device ${request.params.id} is not registered`);
    return publicDevice(device);
  });

  app.delete<{ Params: { id: string } }>(
    '/devices/:id',
    { schema: { tags } },
    async (request, reply) => {
      if (!(await registry.remove(request.params.id)))
        throw new CityError('ResourceNotFound', `device ${request.params.id} is not registered`);
      return reply.code(204).send();
    },
  );

  void app.register((scope, _opts, next) => {
    httpIngestRoute(scope, opts);
    next();
  });

  app.get(
    '/dead-letters',
    {
      schema: {
        tags: ['Ingest'],
        summary: 'Refused messages, newest first',
        querystring: Type.Intersect([
          Page,
          Type.Object({ reason: Type.Optional(Type.Union(REASONS.map((r) => Type.Literal(r)))) }),
        ]),
      },
    },
    async (request) => {
      const q = request.query as { limit: number; offset: number; reason?: DeadLetterReason };
      return (await store.deadLetters.list(q)).map((l) => ({
        ...l,
        receivedAt: new Date(l.receivedAt).toISOString(),
      }));
    },
  );
  return Promise.resolve();
};
