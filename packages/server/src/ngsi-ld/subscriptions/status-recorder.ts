import type { Logger } from 'pino';
import type { TenantStores } from '../../store/index.js';
import type { NotificationStatus, StoredSubscription } from './subscription.js';

/** The collection subscriptions live in, in each tenant's store. */
export const SUBSCRIPTIONS = 'subscriptions';

/** Where a subscription lives: its tenant (undefined: default) and id. */
export interface SubscriptionRef {
  tenant: string | undefined;
  id: string;
}

const keyOf = ({ tenant, id }: SubscriptionRef): string => `${tenant ?? ''}\u0000${id}`;

/**
 * Keeps each subscription's delivery state (clause 5.2.14 status, counters, timestamps) in
 * memory and writes it to the store at most once per `flushMs`, so that a busy subscription
 * does not turn every notification into a store write.
 */
export class StatusRecorder {
  private readonly live = new Map<string, { ref: SubscriptionRef; status: NotificationStatus }>();
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly tenants: TenantStores,
    private readonly logger: Logger,
    private readonly flushMs: number,
  ) {}

  /** Starts tracking a subscription with the state it was stored with (kept if already tracked). */
  track(ref: SubscriptionRef, stored: NotificationStatus): void {
    if (this.live.has(keyOf(ref))) return;
    const { status, timesSent, timesFailed, lastNotification, lastSuccess, lastFailure } = stored;
    const state: NotificationStatus = {
      status,
      timesSent,
      timesFailed,
      lastNotification,
      lastSuccess,
      lastFailure,
    };
    for (const k of Object.keys(state) as (keyof NotificationStatus)[])
      if (state[k] === undefined) delete state[k];
    this.live.set(keyOf(ref), { ref, status: state });
  }

  /** Stops tracking (the subscription was deleted). */
  forget(ref: SubscriptionRef): void {
    this.live.delete(keyOf(ref));
    this.dirty.delete(keyOf(ref));
  }

  /** The current delivery state, fresher than the store's. */
  get(ref: SubscriptionRef): NotificationStatus | undefined {
    return this.live.get(keyOf(ref))?.status;
  }

  /** Changes a subscription's state and schedules the write. */
  update(ref: SubscriptionRef, change: (status: NotificationStatus) => void): void {
    const entry = this.live.get(keyOf(ref));
    if (!entry) return;
    change(entry.status);
    this.dirty.add(keyOf(ref));
    if (this.closed) return; // close() writes what is left
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushMs);
  }

  /** Writes every pending change now. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  /** Writes every pending change and schedules no more writes (the stores are closing). */
  close(): Promise<void> {
    this.closed = true;
    return this.flush();
  }

  private async write(): Promise<void> {
    const keys = [...this.dirty];
    this.dirty.clear();
    for (const key of keys) {
      const entry = this.live.get(key);
      if (!entry) continue;
      try {
        const store = await this.tenants.get(entry.ref.tenant, false);
        const subscriptions = store?.collection<StoredSubscription>(SUBSCRIPTIONS);
        const doc = await subscriptions?.get(entry.ref.id);
        if (!doc) continue;
        await subscriptions!.put(entry.ref.id, {
          ...doc,
          notification: { ...doc.notification, ...entry.status },
        });
      } catch (err) {
        this.logger.error(
          { err, subscription: entry.ref.id },
          'could not record notification status',
        );
      }
    }
  }
}
