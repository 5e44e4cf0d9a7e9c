import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { Topics, type Bus, type EntityChange } from '../../bus/index.js';
import { toKeyValues, type Entity } from '../../core/index.js';
import { seesAlert } from '../../brain/alerts/index.js';
import { sees, type Actor } from '../../brain/command/index.js';
import type { AccessGuard, AccessView } from '../../ngsi-ld/index.js';
import { actorOf } from './alert-routes.js';
import {
  auditedAlert,
  CommandReadAudit,
  type AuditedItem,
  type AuditSink,
} from './command-audit.js';
import { commandChangeOf } from './command-frames.js';

/** Options of the live event stream. */
export interface EventsOptions {
  bus: Bus;
  /** The sharing policy: each stream carries the entity changes its user may read. */
  access: AccessGuard;
  /** Where alert, incident and task frames sent are recorded (the audit chain). */
  audit: AuditSink;
  /** How often coalesced entity changes are sent, ms. */
  entityIntervalMs?: number;
}

interface Client {
  res: ServerResponse;
  request: FastifyRequest;
  /** What waits to be judged, recorded and written, in order. */
  queue: Outgoing[];
  /** True while the queue is being worked through. */
  sending: boolean;
}

/** One alert, incident or task frame, or a batch of entity changes rendered when its turn comes. */
type Outgoing =
  | { kind: 'item'; item: ItemFrame }
  | { kind: 'batch'; action: string; render: (access: AccessView) => string };

const frame = (event: string, data: unknown) =>
  `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** A frame about one alert, incident or task: who may have it, and what the audit keeps. */
interface ItemFrame {
  data: string;
  /** Whether an actor sees the item, as the routes that read it decide. */
  visible: (actor: Actor) => boolean;
  audited: AuditedItem;
}

/** An entity change as a stream frame, as its reader may see it; undefined when invisible. */
function entityFrame(change: EntityChange, access: AccessView): string | undefined {
  if (change.tenant !== undefined) return undefined; // the cockpit shows the default tenant
  const entity = change.entity && access.view(change.entity);
  if (change.entity ? !entity : !(change.previous && access.view(change.previous)))
    return undefined;
  const { id, type, kind } = change;
  return frame('entity', { id, type, kind, ...(entity && { entity: toKeyValues(entity) }) });
}

/**
 * `GET /api/v1/events`: server-sent events for the cockpit. Entity changes are coalesced per
 * entity and sent at most once per interval, as the sharing policy lets the stream's user read
 * them now (asked again for every batch, so a revoked grant stops the stream's data at once),
 * each batch recorded in the audit chain first.
 * Alerts (`alert` frames, keyValues) and incident and task changes (`incident`, `task` frames:
 * id, change, status, version) go out at once to the streams whose caller takes part in them,
 * as the alert and command routes decide (not the sharing policy's grants), each recorded as a
 * read; they come from the bus, so a change made on any node reaches every node's streams.
 */
export async function installEventsRoute(
  app: FastifyInstance,
  options: EventsOptions,
): Promise<void> {
  const clients = new Set<Client>();
  const changed = new Map<string, EntityChange>();
  const audit = new CommandReadAudit(options.audit);
  /** Sends an alert, incident or task frame to the streams that see it, each recorded first. */
  const deliverItem = (item: ItemFrame) => {
    for (const client of clients)
      if (item.visible(actorOf(client.request))) enqueue(client, { kind: 'item', item });
  };
  const deliver = (client: Client, action: string, render: (access: AccessView) => string) =>
    enqueue(client, { kind: 'batch', action, render });
  const enqueue = (client: Client, out: Outgoing) => {
    client.queue.push(out);
    if (!client.sending) void send(client);
  };
  /**
   * Works through a stream's queue in order. The item frames that wait together are recorded
   * together (their records join one append of the audit chain) and written at once: a burst
   * of a thousand alert changes (sources back after an outage) costs a few appends, not a
   * thousand one after the other, each a turn of the event loop, ahead of the next alert.
   */
  const send = async (client: Client) => {
    client.sending = true;
    try {
      while (client.queue.length > 0 && clients.has(client)) {
        const head = client.queue[0]!;
        if (head.kind === 'batch') {
          client.queue.shift();
          await sendBatch(client, head.action, head.render);
          continue;
        }
        let n = 1;
        while (n < client.queue.length && client.queue[n]!.kind === 'item') n++;
        const items = client.queue.splice(0, n).map((o) => (o as { item: ItemFrame }).item);
        await sendItems(client, items);
      }
    } finally {
      client.sending = false;
    }
  };
  const sendItems = async (client: Client, items: readonly ItemFrame[]) => {
    const recorded = await Promise.allSettled(
      items.map((item) => audit.read(client.request, 'cockpit.stream', item.audited)),
    );
    let data = '';
    recorded.forEach((r, i) => {
      // A frame whose record could not be kept is not sent.
      if (r.status === 'fulfilled') data += items[i]!.data;
      else app.log.warn({ err: r.reason as unknown }, 'event stream frame not sent');
    });
    if (data && clients.has(client)) client.res.write(data);
  };
  const sendBatch = async (
    client: Client,
    action: string,
    render: (access: AccessView) => string,
  ) => {
    try {
      const access = await options.access.open(client.request, undefined);
      const frames = render(access);
      if (!frames || !clients.has(client)) return;
      await access.record(action);
      client.res.write(frames);
    } catch (err) {
      app.log.warn({ err }, 'event stream batch not sent');
    }
  };
  const subscriptions = [
    await options.bus.subscribe({ topic: Topics.entityChanged }, (e) => {
      if (clients.size === 0) return;
      const change = e.payload as EntityChange;
      if (change.type !== 'Alert') changed.set(change.id, change);
    }),
    await options.bus.subscribe({ topic: 'alert.*' }, (e) => {
      if (clients.size === 0) return;
      const alert = e.payload as Entity;
      deliverItem({
        data: frame('alert', toKeyValues(alert)),
        visible: (actor) => seesAlert(actor, alert),
        audited: auditedAlert(alert),
      });
    }),
    ...(await Promise.all(
      ['incident.*', 'task.*'].map((topic) =>
        options.bus.subscribe({ topic }, (e) => {
          const change = clients.size > 0 ? commandChangeOf(e) : undefined;
          if (change)
            deliverItem({
              data: frame(change.event, change.frame),
              visible: (actor) => sees(actor, change.participants),
              audited: change.audited,
            });
        }),
      ),
    )),
  ];
  let ticks = 0;
  const flush = setInterval(() => {
    const changes = [...changed.values()];
    changed.clear();
    if (changes.length > 0)
      for (const client of clients)
        deliver(client, 'cockpit.stream', (access) =>
          changes.map((c) => entityFrame(c, access) ?? '').join(''),
        );
    // A comment now and then keeps proxies from closing an idle stream.
    if (++ticks % 15 === 0) for (const c of clients) c.res.write(': keep-alive\n\n');
  }, options.entityIntervalMs ?? 1000);
  // preClose: open streams would otherwise keep the server from closing.
  app.addHook('preClose', async () => {
    clearInterval(flush);
    for (const c of clients) c.res.end();
    clients.clear();
    for (const s of subscriptions) await s.unsubscribe();
  });

  app.get(
    '/api/v1/events',
    {
      schema: {
        tags: ['Cockpit'],
        summary: 'Live entity changes, alerts, incidents and tasks (server-sent events)',
      },
    },
    async (request, reply) => {
      // The purpose is checked before the stream opens (a 400 ProblemDetails otherwise).
      await options.access.open(request, undefined);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      const client: Client = { res, request, queue: [], sending: false };
      clients.add(client);
      request.raw.on('close', () => clients.delete(client));
    },
  );
}
