import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Topics } from '../../bus/index.js';
import { MemoryBus } from '../../bus/memory/index.js';
import { installErrorHandler } from '../../server/http/error-handler.js';
import { SqliteStore, SqliteTenants } from '../../store/sqlite/index.js';
import { installContextHandling } from '../context/index.js';
import { installBodyParsers } from '../media-type.js';
import { subscriptionRoutes } from './subscription-routes.js';
import { SubscriptionService } from './subscription-service.js';
import { FAST_DELIVERY, pause, room, startReceiver, type Receiver } from './test-setup.js';

interface Node {
  app: FastifyInstance;
  service: SubscriptionService;
}

// Two nodes sharing one store and one bus, as scale-out nodes share PostgreSQL and NATS.
describe('subscriptions on several nodes', () => {
  let dir: string;
  let store: SqliteStore;
  let tenants: SqliteTenants;
  let bus: MemoryBus;
  let nodes: Node[];
  let rx: Receiver;

  async function startNode(): Promise<Node> {
    const service = new SubscriptionService({
      tenants,
      bus,
      logger: pino({ level: 'silent' }),
      delivery: FAST_DELIVERY,
      statusFlushMs: 20,
      group: 'notifiers',
    });
    await service.start();
    const app = Fastify();
    installErrorHandler(app);
    await app.register(
      (scope, _opts, done) => {
        installBodyParsers(scope);
        installContextHandling(scope, { tenants, bus });
        subscriptionRoutes(scope, { tenants, bus, notifier: service });
        done();
      },
      { prefix: '/ngsi-ld/v1' },
    );
    return { app, service };
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cb-sub-nodes-'));
    store = new SqliteStore({ file: join(dir, 'city.db'), synchronous: 'normal' });
    tenants = new SqliteTenants({ default: store, dir: join(dir, 'tenants') });
    bus = new MemoryBus(() => undefined);
    rx = await startReceiver();
    nodes = [await startNode(), await startNode()];
  });
  afterEach(async () => {
    for (const n of nodes) {
      await n.app.close();
      await n.service.stop();
    }
    await bus.close();
    await tenants.close();
    await store.close();
    await rx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const changeAll = async (names: string[]) => {
    for (const name of names) {
      const payload = {
        id: room(name, 1).id,
        type: 'Room',
        kind: 'created',
        entity: room(name, 1),
      };
      await bus.publish([{ topic: Topics.entityChanged, key: payload.id, time: 0, payload }]);
    }
  };

  /** Creates a subscription to Rooms through node A; `extra` adds timeInterval or throttling. */
  const subscribe = async (extra: Record<string, unknown> = {}) => {
    const created = await nodes[0]!.app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/subscriptions',
      payload: {
        type: 'Subscription',
        entities: [{ type: 'Room' }],
        ...extra,
        notification: { endpoint: { uri: rx.url } },
      },
    });
    expect(created.statusCode).toBe(201);
    return created;
  };

  it('notifies each change once, from whichever node handles it, and follows changes made on another node', async () => {
    const [a] = nodes;
    const created = await subscribe();
    await pause(20); // node B learns of it through the bus
    const names = Array.from({ length: 12 }, (_, i) => `r${i}`);
    await changeAll(names);
    await rx.waitFor(names.length);
    await pause(100);
    const ids = rx.received.map((r) => r.body.data[0]!.id as string);
    expect(ids.sort()).toEqual(names.map((n) => room(n, 1).id).sort());

    const id = decodeURIComponent((created.headers.location as string).split('/').pop()!);
    const paused = await a!.app.inject({
      method: 'PATCH',
      url: `/ngsi-ld/v1/subscriptions/${id}`,
      payload: { isActive: false },
    });
    expect(paused.statusCode).toBe(204);
    await pause(20);
    await changeAll(names.map((n) => `${n}-again`));
    await pause(150);
    expect(rx.received).toHaveLength(names.length);
  });

  it('sends a periodic notification once per interval, not once per node', async () => {
    await store.entities.create(room('p', 22));
    await subscribe({ timeInterval: 0.4 });
    await rx.waitFor(4, 5000);
    await pause(100);
    const at = rx.received.map((r) => r.at);
    // Both nodes run the timer; each period is notified by one of them.
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThan(250);
    expect(rx.received.every((r) => r.body.data[0]!.id === room('p', 22).id)).toBe(true);
  });

  it('throttles a subscription across nodes: one notification per period between them', async () => {
    await subscribe({ throttling: 0.5 });
    await pause(20);
    // Changes of many rooms, so that both nodes of the group get some, for about 1.2 s.
    const start = Date.now();
    for (let round = 0; round < 12; round++) {
      await changeAll(Array.from({ length: 6 }, (_, i) => `t${round}-${i}`));
      await pause(100);
    }
    // Each node holds its own changes until it gets a period: up to one period per node.
    await pause(1500);
    const at = rx.received.map((r) => r.at).sort((x, y) => x - y);
    expect(at.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThan(400);
    expect(at.length).toBeLessThanOrEqual(Math.ceil((Date.now() - start) / 500));
    // Nothing is lost: every room shows in some notification.
    const notified = new Set(rx.received.flatMap((r) => r.body.data.map((e) => e.id as string)));
    expect(notified.size).toBe(72);
  });
});
