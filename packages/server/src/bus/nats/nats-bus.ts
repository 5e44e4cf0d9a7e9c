import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { CityError } from '../../core/index.js';
import type { BusErrorReporter } from '../memory/index.js';
import type { Bus, BusEvent, BusHandler, BusSubscription, SubscribeOptions } from '../port.js';
import { startBroadcast } from './broadcast-subscriber.js';
import type { BusContext, Running } from './bus-context.js';
import { readDeadLetters, type DeadLetter } from './dead-letter.js';
import { encodeEvents } from './event-codec.js';
import { startGroupMember } from './group-member.js';
import { deadLetterStream, ensureStreams } from './stream-setup.js';
import { eventSubject, isValidPrefix } from './subjects.js';

const DAY = 86_400_000;

/** How a node reaches the NATS JetStream bus; every node of a deployment uses the same values. */
export interface NatsBusOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** The event stream; default `CITYBRAIN` (dead letters go to `<stream>_DEAD`). */
  stream?: string;
  /** Subjects are `<prefix>.<partition>.<topic>`; default `citybrain`. */
  subjectPrefix?: string;
  /** Partitions of group work (ordering is per key, parallelism per partition); default 16. */
  partitions?: number;
  /** How long events are kept, ms; default 7 days. */
  maxAge?: number;
  /** How long dead letters are kept, ms; default 30 days. */
  deadLetterMaxAge?: number;
  /** Stream replicas in a JetStream cluster; default 1. */
  replicas?: number;
  /** Unacknowledged group events are redelivered after this long (a crashed node's), ms; default 30 s. */
  ackWait?: number;
  /** Delays before redelivering a rejected event, ms (the last repeats); default 1 s, 5 s, 30 s. */
  retryBackoff?: readonly number[];
  /** Deliveries of one event to a group before it becomes a dead letter; default 5. */
  maxDeliveries?: number;
  /** How long a publish waits for JetStream to store it, ms; default 5 s. */
  publishTimeout?: number;
  /** Receives handler failures given up on, undecodable messages and failed subscriptions. */
  onError: BusErrorReporter;
  /** Connection name shown by the NATS server (e.g. the node's name). */
  name?: string;
  logger?: Logger;
}

/**
 * The scale-out bus: events are stored in one JetStream stream before `publish` resolves;
 * subscribers without a group each see every new event, group members share them through
 * durable per-partition consumers (see `startGroupMember`).
 */
export class NatsBus implements Bus {
  private readonly subscriptions = new Set<Running>();
  private closing: Promise<void> | undefined;
  private connected = true;

  private constructor(
    private readonly ctx: BusContext,
    private readonly publishTimeout: number,
    private readonly reconnectListeners: ReadonlySet<() => void>,
  ) {
    void this.watchConnection();
  }

  /** Connects, creates or updates the streams, and answers a ready bus. */
  static async connect(options: NatsBusOptions): Promise<NatsBus> {
    const prefix = options.subjectPrefix ?? 'citybrain';
    const partitions = options.partitions ?? 16;
    if (!isValidPrefix(prefix))
      throw new CityError('InvalidRequest', `"${prefix}" cannot prefix NATS subjects`);
    if (!Number.isInteger(partitions) || partitions < 1)
      throw new CityError('InvalidRequest', `bus partitions must be a positive integer`);
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: options.servers,
        maxReconnectAttempts: -1,
        ...(options.name ? { name: options.name } : {}),
      });
    } catch (err) {
      const message = `NATS is not reachable at ${String(options.servers)}`;
      throw new CityError('ServiceUnavailable', message, { cause: err });
    }
    try {
      const jsm = await jetstreamManager(nc);
      const stream = options.stream ?? 'CITYBRAIN';
      const maxAge = options.maxAge ?? 7 * DAY;
      const replicas = options.replicas ?? 1;
      const deadLetterMaxAge = options.deadLetterMaxAge ?? 30 * DAY;
      await ensureStreams(jsm, { stream, prefix, partitions, maxAge, deadLetterMaxAge, replicas });
      const reconnectListeners = new Set<() => void>();
      const ctx: BusContext = {
        nc,
        js: jetstream(nc),
        jsm,
        stream,
        layout: { prefix, partitions },
        ackWait: options.ackWait ?? 30_000,
        retryBackoff: options.retryBackoff ?? [1000, 5000, 30_000],
        maxDeliveries: options.maxDeliveries ?? 5,
        onError: options.onError,
        logger: options.logger,
        onReconnect(listener) {
          reconnectListeners.add(listener);
          return () => void reconnectListeners.delete(listener);
        },
      };
      return new NatsBus(ctx, options.publishTimeout ?? 5000, reconnectListeners);
    } catch (err) {
      await nc.close();
      if (err instanceof CityError) throw err;
      const message = `JetStream is not usable: ${(err as Error).message}`;
      throw new CityError('ServiceUnavailable', message, { cause: err });
    }
  }

  /** Resolves once JetStream stored every event, in the order given; rejects otherwise. */
  async publish(events: readonly BusEvent[]): Promise<void> {
    this.assertOpen();
    const { js, layout } = this.ctx;
    // The events of one subject (a topic in a partition) travel together, in order; an event
    // with a publish-once id travels alone, under JetStream's duplicate detection.
    const bySubject = new Map<string, BusEvent[]>();
    const once: { subject: string; data: Uint8Array; msgID: string }[] = [];
    for (const e of events) {
      const subject = eventSubject(layout, e.topic, e.key);
      if (e.onceId !== undefined) {
        once.push({ subject, data: encodeEvents([e])[0]!, msgID: e.onceId });
        continue;
      }
      const same = bySubject.get(subject);
      if (same) same.push(e);
      else bySubject.set(subject, [e]);
    }
    // Encode everything first, so that an unencodable event sends nothing.
    const messages: { subject: string; data: Uint8Array; msgID?: string }[] = [
      ...[...bySubject].flatMap(([subject, group]) =>
        encodeEvents(group).map((data) => ({ subject, data })),
      ),
      ...once,
    ];
    try {
      // One connection writes in order and the server stores in arrival order, so the
      // publishes can be in flight together without reordering the batch.
      await Promise.all(
        messages.map((m) =>
          js.publish(m.subject, m.data, {
            timeout: this.publishTimeout,
            ...(m.msgID !== undefined && { msgID: m.msgID }),
          }),
        ),
      );
    } catch (err) {
      throw new CityError(
        'ServiceUnavailable',
        `the NATS bus did not confirm ${events.length} events: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  /** Starts a subscriber (no group) or a group member; resolves once it is in place. */
  async subscribe(options: SubscribeOptions, handler: BusHandler): Promise<BusSubscription> {
    this.assertOpen();
    const running =
      options.group === undefined
        ? await startBroadcast(this.ctx, options, handler)
        : await startGroupMember(this.ctx, options, handler);
    if (this.closing) {
      // close() began while this one was starting: it would not have stopped it.
      await running.stop();
      this.assertOpen();
    }
    this.subscriptions.add(running);
    return {
      unsubscribe: async () => {
        if (!this.subscriptions.delete(running)) return;
        await running.stop();
      },
    };
  }

  /** The dead letters kept for this bus, oldest first. */
  deadLetters(limit?: number): Promise<DeadLetter[]> {
    return readDeadLetters(this.ctx.jsm, deadLetterStream(this.ctx.stream), limit);
  }

  /** Stops every subscription (handlers in flight finish and are acknowledged), then disconnects. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const running = [...this.subscriptions];
    this.subscriptions.clear();
    // A handler that never finishes must not hold the node: past the ack wait, the server
    // redelivers its event to another member anyway.
    await Promise.race([
      Promise.allSettled(running.map((r) => r.stop())),
      new Promise((r) => setTimeout(r, this.ctx.ackWait).unref()),
    ]);
    const { nc } = this.ctx;
    if (nc.isClosed()) return;
    // Draining flushes the last acks; without a server to flush to, it would only wait.
    if (this.connected) await nc.drain().catch(() => undefined);
    if (!nc.isClosed()) await nc.close();
  }

  private assertOpen(): void {
    if (this.closing || this.ctx.nc.isClosed())
      throw new CityError('ServiceUnavailable', 'the NATS bus is closed');
  }

  private async watchConnection(): Promise<void> {
    try {
      for await (const s of this.ctx.nc.status()) {
        if (s.type === 'disconnect') this.connected = false;
        else if (s.type === 'reconnect') this.connected = true;
        if (s.type === 'disconnect' || s.type === 'reconnect')
          this.ctx.logger?.warn({ server: s.server }, `NATS bus ${s.type}`);
        if (s.type === 'reconnect') for (const listener of this.reconnectListeners) listener();
      }
    } catch (err) {
      this.ctx.logger?.error({ err }, 'NATS bus status unavailable');
    }
  }
}
