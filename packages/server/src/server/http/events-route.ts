import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { Topics, type Bus, type EntityChange } from '../../bus/index.js';
import { toKeyValues, type Entity } from '../../core/index.js';

/** Options of the live event stream. */
export interface EventsOptions {
  bus: Bus;
  /** How often coalesced entity changes are sent, ms. */
  entityIntervalMs?: number;
}

/**
 * `GET /api/v1/events`: server-sent events for the cockpit. Alerts go out at once; entity
 * changes are coalesced per entity and sent at most once per interval.
 */
export async function installEventsRoute(
  app: FastifyInstance,
  options: EventsOptions,
): Promise<void> {
  const clients = new Set<ServerResponse>();
  const changed = new Map<string, EntityChange>();
  const send = (event: string, data: unknown) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of clients) res.write(frame);
  };
  const subscriptions = [
    await options.bus.subscribe({ topic: Topics.entityChanged }, (e) => {
      if (clients.size === 0) return;
      const change = e.payload as EntityChange;
      if (change.type !== 'Alert') changed.set(change.id, change);
    }),
    await options.bus.subscribe({ topic: 'alert.*' }, (e) =>
      send('alert', toKeyValues(e.payload as Entity)),
    ),
  ];
  let ticks = 0;
  const flush = setInterval(() => {
    for (const change of changed.values())
      send('entity', { ...change, entity: change.entity && toKeyValues(change.entity) });
    changed.clear();
    // A comment now and then keeps proxies from closing an idle stream.
    if (++ticks % 15 === 0) for (const res of clients) res.write(': keep-alive\n\n');
  }, options.entityIntervalMs ?? 1000);
  // preClose: open streams would otherwise keep the server from closing.
  app.addHook('preClose', async () => {
    clearInterval(flush);
    for (const res of clients) res.end();
    clients.clear();
    for (const s of subscriptions) await s.unsubscribe();
  });

  app.get(
    '/api/v1/events',
    {
      schema: { tags: ['Cockpit'], summary: 'Live entity changes and alerts (server-sent events)' },
    },
    (request, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      clients.add(res);
      request.raw.on('close', () => clients.delete(res));
    },
  );
}
