import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Bus, BusSubscription } from '../../bus/index.js';
import { CityError } from '../../core/index.js';
import type { DocumentCollection, Store } from '../../store/index.js';
import { assertManage, mayRead, type NotifyCaller } from './access.js';
import { ChannelError, type Channels, type Delivery, type NotificationMessage } from './channel.js';
import { ChannelTargets } from './channel-targets.js';
import {
  deadLetterOf,
  listDeadLetters,
  NOTIFICATION_DEAD_LETTERS,
  type NotificationDeadLetter,
} from './dead-letters.js';
import {
  DeliveryLog,
  NOTIFICATION_DELIVERIES,
  type DeliveryLogDoc,
  type DeliveryRecord,
  type DeliveryStatus,
} from './delivery-log.js';
import { subscribeRouter } from './notification-router.js';
import { testMessage } from './render-message.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, type Sleep } from './retry-policy.js';
import { NOTIFICATION_CHANNELS, type NotificationTarget, type TargetInput } from './target.js';
import { attemptOnce, TargetQueues, type JobOutcome } from './target-queues.js';

/** Everything the notification service is built from. */
export interface NotificationServiceOptions {
  store: Pick<Store, 'collection'>;
  bus: Bus;
  logger: Logger;
  /** The channels this node has; a kind left out cannot be used (e.g. e-mail without SMTP). */
  channels: Channels;
  policy?: Partial<RetryPolicy>;
  /** Deliveries kept in each target's log (default 50). */
  deliveryLogSize?: number;
  /** How waits between attempts are made (tests pass one that does not wait). */
  sleep?: Sleep;
  random?: () => number;
  now?: () => number;
  /** How long the router may use a cached list of targets, ms (default 5 s). */
  targetCacheMs?: number;
}

/** What `POST …/:id/test` answers. */
export interface TestOutcome {
  deliveryId: string;
  delivered: boolean;
  error?: string;
  durationMs: number;
}

const UNAVAILABLE: Record<NotificationTarget['kind'], string> = {
  webhook: 'webhooks are not available on this node',
  email: 'e-mail is not configured on this node: set notify.smtp',
  mqtt: 'MQTT notifications are not available on this node',
};

/**
 * Notification channels: routes alerts, incidents and tasks from the bus to the targets of
 * the organisations they concern, delivers with retries (in order per target), keeps a
 * delivery log per target and dead letters that can be retried; and the API's operations.
 */
export class NotificationService {
  /** The targets, with who may see and change which. */
  readonly targets: ChannelTargets;
  private readonly queues: TargetQueues;
  private readonly log: DeliveryLog;
  private readonly dead: DocumentCollection<NotificationDeadLetter>;
  private readonly policy: RetryPolicy;
  private readonly now: () => number;
  private readonly writes = new Set<Promise<unknown>>();
  private subscriptions: BusSubscription[] = [];

  constructor(private readonly options: NotificationServiceOptions) {
    const { store, logger } = options;
    this.now = options.now ?? Date.now;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    this.targets = new ChannelTargets(store.collection<NotificationTarget>(NOTIFICATION_CHANNELS), {
      now: this.now,
      ...(options.targetCacheMs !== undefined && { cacheMs: options.targetCacheMs }),
      validate: async (target) => this.options.channels[target.kind]?.validate?.(target),
    });
    this.queues = new TargetQueues({
      policy: this.policy,
      ...(options.sleep && { sleep: options.sleep }),
      ...(options.random && { random: options.random }),
    });
    this.log = new DeliveryLog(
      store.collection<DeliveryLogDoc>(NOTIFICATION_DELIVERIES),
      options.deliveryLogSize ?? 50,
      (err, target) => logger.warn({ err, target }, 'notification delivery log not written'),
    );
    this.dead = store.collection<NotificationDeadLetter>(NOTIFICATION_DEAD_LETTERS);
  }

  /** Starts routing bus events to targets. */
  async start(): Promise<void> {
    this.subscriptions = await subscribeRouter(this.options.bus, this.targets, (t, m) => {
      this.deliver(t, m);
    });
  }

  /** Stops routing; deliveries still waiting become dead letters (`node-stopped`); closes channels. */
  async stop(graceMs?: number): Promise<void> {
    for (const s of this.subscriptions.splice(0)) await s.unsubscribe();
    await this.queues.stop(graceMs);
    await Promise.all([...this.writes]);
    await this.log.flush();
    for (const channel of Object.values(this.options.channels)) await channel.close?.();
  }

  /** Deliveries waiting or under way on this node. */
  get backlog(): number {
    return this.queues.backlog;
  }

  /** Queues one message to one target, behind the target's earlier ones; answers the delivery id. */
  deliver(
    target: NotificationTarget,
    message: NotificationMessage,
    id: string = randomUUID(),
  ): string {
    const queuedAt = new Date(this.now()).toISOString();
    const record = (status: DeliveryStatus, attempts: number, lastError?: string) =>
      this.track(
        this.log.record(target.id, {
          id,
          event: message.event,
          subjectId: message.subject.id,
          status,
          attempts,
          ...(lastError !== undefined && { lastError }),
          queuedAt,
          updatedAt: new Date(this.now()).toISOString(),
        }),
      );
    record('queued', 0);
    const settled = (outcome: JobOutcome) => {
      if (outcome.ok) return record('delivered', outcome.attempts);
      record('dead-lettered', outcome.attempts, outcome.error);
      this.deadLetter({ id, target, message }, outcome);
    };
    const channel = this.options.channels[target.kind];
    if (!channel) {
      settled({
        ok: false,
        attempts: 0,
        reason: 'channel-unavailable',
        error: UNAVAILABLE[target.kind],
      });
      return id;
    }
    this.queues.enqueue({
      key: target.id,
      // Each attempt uses the target as it is now: a rotated secret or a new URL applies at once.
      send: async (signal) => {
        const current = await this.targets.find(target.id);
        if (!current)
          throw new ChannelError('the notification channel was deleted', { retryable: false });
        await channel.send({ id, target: current, message }, signal);
      },
      retrying: (attempt, error) => record('retrying', attempt, error),
      settled,
    });
    return id;
  }

  private track(write: Promise<unknown>): void {
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  private deadLetter(delivery: Delivery, outcome: JobOutcome & { ok: false }): void {
    const { id, target, message } = delivery;
    const letter = deadLetterOf(delivery, outcome, new Date(this.now()).toISOString());
    const fields = { delivery: id, target: target.id, kind: target.kind, event: message.event };
    this.options.logger.warn(
      { ...fields, reason: outcome.reason, attempts: outcome.attempts, error: outcome.error },
      'notification dead-lettered',
    );
    this.track(
      this.dead
        .put(id, letter)
        .catch((err: unknown) =>
          this.options.logger.error({ ...fields, err }, 'notification dead letter lost'),
        ),
    );
  }

  /** Sends a test message to a target now, once, outside its queue, and says how it went. */
  async test(caller: NotifyCaller, targetId: string): Promise<TestOutcome> {
    const target = await this.targets.get(caller, targetId);
    assertManage(caller, target.organisation);
    const delivery: Delivery = {
      id: randomUUID(),
      target,
      message: testMessage(target.organisation, this.now()),
    };
    const started = performance.now();
    const channel = this.options.channels[target.kind];
    const error = channel
      ? await attemptOnce((signal) => channel.send(delivery, signal), this.policy.timeoutMs)
      : new ChannelError(UNAVAILABLE[target.kind], { retryable: false });
    const durationMs = Math.round(performance.now() - started);
    const at = new Date(this.now()).toISOString();
    await this.log.record(target.id, {
      id: delivery.id,
      event: delivery.message.event,
      subjectId: delivery.message.subject.id,
      status: error ? 'failed' : 'delivered',
      attempts: 1,
      ...(error && { lastError: error.message }),
      queuedAt: at,
      updatedAt: at,
    });
    return {
      deliveryId: delivery.id,
      delivered: !error,
      ...(error && { error: error.message }),
      durationMs,
    };
  }

  /** Refuses a target whose kind this node cannot deliver, then creates it. */
  async create(caller: NotifyCaller, input: TargetInput): Promise<NotificationTarget> {
    if (!this.options.channels[input.kind])
      throw new CityError('OperationNotSupported', UNAVAILABLE[input.kind]);
    return this.targets.create(caller, input);
  }

  /** Deletes a target and its delivery log. */
  async remove(caller: NotifyCaller, targetId: string): Promise<void> {
    await this.targets.remove(caller, targetId);
    await this.log.forget(targetId);
  }

  /** A target's last deliveries, newest first. */
  async deliveries(caller: NotifyCaller, targetId: string): Promise<DeliveryRecord[]> {
    await this.targets.get(caller, targetId);
    return this.log.recent(targetId);
  }

  /** The dead letters the caller may see (the operator: all), newest first. */
  deadLetters(
    caller: NotifyCaller,
    filter: { targetId?: string; limit: number; offset: number },
  ): Promise<{ total: number; deadLetters: NotificationDeadLetter[] }> {
    return listDeadLetters(this.dead, { ...filter, organisations: (org) => mayRead(caller, org) });
  }

  private async letter(caller: NotifyCaller, id: string): Promise<NotificationDeadLetter> {
    const letter = await this.dead.get(id);
    if (!letter || !mayRead(caller, letter.organisation))
      throw new CityError('ResourceNotFound', `no notification dead letter ${id}`);
    assertManage(caller, letter.organisation);
    return letter;
  }

  /** Queues a dead letter again, with the same delivery id, to its target as it is now. */
  async retry(caller: NotifyCaller, id: string): Promise<{ id: string; targetId: string }> {
    const letter = await this.letter(caller, id);
    const target = await this.targets.find(letter.targetId);
    if (!target)
      throw new CityError(
        'ResourceNotFound',
        `notification channel ${letter.targetId} no longer exists: discard this dead letter`,
      );
    // Deleting is the claim: of two retries at once (on two nodes), one queues the delivery.
    if (!(await this.dead.delete(id)))
      throw new CityError('ResourceNotFound', `dead letter ${id} was retried meanwhile`);
    this.deliver(target, letter.message, letter.id);
    return { id, targetId: target.id };
  }

  /** Drops a dead letter for good. */
  async discard(caller: NotifyCaller, id: string): Promise<void> {
    await this.letter(caller, id);
    await this.dead.delete(id);
  }
}
