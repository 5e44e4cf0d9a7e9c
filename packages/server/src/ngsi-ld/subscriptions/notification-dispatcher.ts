import type { Logger } from 'pino';
import type { TenantStores } from '../../store/index.js';
import type { ContextResolver, LdContext } from '../context/index.js';
import { DeliveryQueues, type DeliveryOptions } from './delivery-queues.js';
import { buildNotification, notificationJob } from './notification-job.js';
import type { NotifiedEntity } from './render-notification.js';
import { MqttPublisher } from './senders.js';
import { StatusRecorder, type SubscriptionRef } from './status-recorder.js';
import type { StoredSubscription } from './subscription.js';

/** What the dispatcher needs. */
export interface DispatcherOptions {
  tenants: TenantStores;
  logger: Logger;
  clock: () => Date;
  delivery?: Partial<DeliveryOptions>;
  statusFlushMs: number;
}

/** A subscription being notified; `ctx` caches its resolved @context. */
export interface DispatchTarget extends SubscriptionRef {
  ctx?: LdContext;
}

/**
 * Turns matched entities into notifications and hands them to the delivery queues (HTTP or
 * MQTT), recording each subscription's delivery state (clause 5.2.14) as outcomes arrive.
 */
export class NotificationDispatcher {
  /** Each subscription's delivery state, written to the store in batches. */
  readonly status: StatusRecorder;
  private readonly queues: DeliveryQueues;
  private readonly mqtt = new MqttPublisher();
  private resolver: ContextResolver | undefined;

  constructor(private readonly options: DispatcherOptions) {
    this.queues = new DeliveryQueues(options.delivery);
    this.status = new StatusRecorder(options.tenants, options.logger, options.statusFlushMs);
  }

  /** Sets the resolver of stored @contexts (the first one given wins). */
  useContextResolver(resolver: ContextResolver): void {
    this.resolver ??= resolver;
  }

  /** Notifications waiting or being delivered (all endpoints). */
  get backlog(): number {
    return this.queues.backlog;
  }

  /** The subscriber's @context; canonical names when it cannot be resolved (logged). */
  private async contextOf(target: DispatchTarget, doc: StoredSubscription): Promise<LdContext> {
    if (target.ctx) return target.ctx;
    const canonical: LdContext = {
      coreOnly: true,
      responseContext: doc.jsonldContext,
      linkHeader: doc.linkHeader,
      expand: (t) => t,
      compact: (n) => n,
    };
    if (!this.resolver) return canonical;
    try {
      target.ctx = await this.resolver.resolve(doc.jsonldContext);
      return target.ctx;
    } catch (err) {
      this.options.logger.warn(
        { err, subscription: doc.id },
        '@context unavailable: notifying with canonical names',
      );
      return canonical;
    }
  }

  /**
   * Builds one notification of `items` and queues it for the subscription's endpoint; skipped
   * while the endpoint's `cooldown` after a failure lasts.
   */
  async dispatch(
    target: DispatchTarget,
    doc: StoredSubscription,
    items: readonly NotifiedEntity[],
  ): Promise<void> {
    const { cooldown } = doc.notification.endpoint;
    const lastFailure = this.status.get(target)?.lastFailure;
    const now = this.options.clock().getTime();
    if (cooldown !== undefined && lastFailure && now - Date.parse(lastFailure) < cooldown) return;
    const ctx = await this.contextOf(target, doc);
    const notifiedAt = this.options.clock().toISOString();
    const notification = buildNotification(doc, items, ctx, notifiedAt);
    this.status.update(target, (s) => (s.lastNotification = notifiedAt));
    const job = notificationJob(doc, notification, {
      tenant: target.tenant,
      mqtt: this.mqtt,
      // The status shows every failed attempt at once (clause 5.2.14: the last attempt failed),
      // and turns ok again when a retry gets through.
      failed: () => {
        const at = this.options.clock().toISOString();
        this.status.update(target, (s) => Object.assign(s, { status: 'failed', lastFailure: at }));
      },
      done: (outcome) => {
        const at = this.options.clock().toISOString();
        this.status.update(target, (s) => {
          s.timesSent = (s.timesSent ?? 0) + 1;
          if (outcome.ok) Object.assign(s, { status: 'ok', lastSuccess: at });
          else
            Object.assign(s, {
              status: 'failed',
              lastFailure: at,
              timesFailed: (s.timesFailed ?? 0) + 1,
            });
        });
        if (!outcome.ok)
          this.options.logger.warn(
            { subscription: doc.id, endpoint: doc.notification.endpoint.uri, error: outcome.error },
            'notification dropped after retries',
          );
      },
    });
    this.queues.enqueue(job);
  }

  /** Lets deliveries in flight finish briefly, closes MQTT connections, writes the state. */
  async stop(): Promise<void> {
    await this.queues.stop();
    await this.mqtt.close();
    await this.status.close();
  }
}
