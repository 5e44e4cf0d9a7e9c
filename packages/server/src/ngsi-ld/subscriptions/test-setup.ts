// Test helpers of the subscription tests: a real SQLite store, a real memory bus, the routes on
// a real Fastify app, and a real HTTP receiver for notifications.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Topics, type EntityChange } from '../../bus/index.js';
import { MemoryBus } from '../../bus/memory/index.js';
import type { Entity } from '../../core/index.js';
import { installErrorHandler } from '../../server/http/error-handler.js';
import { SqliteStore, SqliteTenants } from '../../store/sqlite/index.js';
import { installContextHandling } from '../context/index.js';
import { installBodyParsers } from '../media-type.js';
import type { DeliveryOptions } from './delivery-queues.js';
import { subscriptionRoutes } from './subscription-routes.js';
import { SubscriptionService } from './subscription-service.js';

/** The routes and the service on real parts. */
export interface SubscriptionTestApp {
  app: FastifyInstance;
  service: SubscriptionService;
  bus: MemoryBus;
  store: SqliteStore;
  tenants: SqliteTenants;
  /** Publishes an entity change as the entity routes do (after the write). */
  change(change: Omit<EntityChange, 'type'> & { type?: string }): Promise<void>;
  /** Creates a subscription, expecting 201; returns its id. */
  subscribe(body: Record<string, unknown>, headers?: Record<string, string>): Promise<string>;
  close(): Promise<void>;
}

/** Fast delivery settings so that retry tests take milliseconds. */
export const FAST_DELIVERY: Partial<DeliveryOptions> = {
  timeoutMs: 1000,
  maxAttempts: 4,
  backoffMs: 30,
  maxBackoffMs: 200,
};

/** Starts the subscription routes and service on a temporary SQLite store. */
export async function startSubscriptionApp(
  options: {
    delivery?: Partial<DeliveryOptions>;
    /** Reuse this data directory (and keep it on close): a restart. */
    dir?: string;
    preloadedContexts?: Record<string, unknown>;
  } = {},
): Promise<SubscriptionTestApp> {
  const delivery = options.delivery ?? FAST_DELIVERY;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'cb-sub-'));
  const store = new SqliteStore({ file: join(dir, 'city.db'), synchronous: 'normal' });
  const tenants = new SqliteTenants({
    default: store,
    dir: join(dir, 'tenants'),
    synchronous: 'normal',
  });
  const busErrors: unknown[] = [];
  const bus = new MemoryBus((err) => busErrors.push(err));
  const service = new SubscriptionService({
    tenants,
    bus,
    logger: pino({ level: 'silent' }),
    delivery,
    statusFlushMs: 20,
  });
  await service.start();
  const app = Fastify();
  installErrorHandler(app);
  await app.register(
    (scope, _opts, done) => {
      installBodyParsers(scope);
      const plugin = { tenants, bus, preloadedContexts: options.preloadedContexts ?? {} };
      installContextHandling(scope, plugin);
      subscriptionRoutes(scope, { tenants, bus, notifier: service });
      done();
    },
    { prefix: '/ngsi-ld/v1' },
  );
  await app.ready();
  return {
    app,
    service,
    bus,
    store,
    tenants,
    async change(change) {
      const payload: EntityChange = {
        ...change,
        type: change.type ?? [change.entity?.type ?? change.previous?.type ?? 'Thing'].flat()[0]!,
      };
      await bus.publish([
        { topic: Topics.entityChanged, key: change.id, time: Date.now(), payload },
      ]);
    },
    async subscribe(body, headers = {}) {
      const res = await app.inject({
        method: 'POST',
        url: '/ngsi-ld/v1/subscriptions',
        headers,
        payload: { type: 'Subscription', ...body },
      });
      if (res.statusCode !== 201)
        throw new Error(`POST /subscriptions: ${res.statusCode} ${res.body}`);
      return decodeURIComponent(res.headers.location!.toString().split('/').pop()!);
    },
    async close() {
      await app.close();
      await service.stop();
      await bus.close();
      await tenants.close();
      await store.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
      if (busErrors.length > 0) throw new Error(`bus handler failed: ${String(busErrors[0])}`);
    },
  };
}

/** One request the receiver got. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> & { data: Record<string, unknown>[] };
  at: number;
}

/** A real HTTP server that records notifications. */
export interface Receiver {
  url: string;
  received: Received[];
  /** Decides the answer to each request (default 204); may never answer (a black hole). */
  respond: (req: Received, res: ServerResponse) => void;
  /** Resolves once `n` requests arrived; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 and a free port. */
export async function startReceiver(): Promise<Receiver> {
  const sockets = new Set<Socket>();
  const receiver: Receiver = {
    url: '',
    received: [],
    respond: (_req, res) => res.writeHead(204).end(),
    async waitFor(n, timeoutMs = 3000) {
      const until = Date.now() + timeoutMs;
      while (receiver.received.length < n) {
        if (Date.now() > until)
          throw new Error(`expected ${n} notifications, got ${receiver.received.length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return receiver.received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      const got: Received = {
        path: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(text) as Received['body'],
        at: Date.now(),
      };
      receiver.received.push(got);
      receiver.respond(got, res);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

/** A small entity in canonical normalized form. */
export function room(id: string, temperature: number, extra: Record<string, unknown> = {}): Entity {
  return {
    id: `urn:ngsi-ld:Room:${id}`,
    type: 'Room',
    temperature: { type: 'Property', value: temperature },
    ...extra,
  };
}

/** Waits a little: lets the bus and the queues do their work. */
export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
