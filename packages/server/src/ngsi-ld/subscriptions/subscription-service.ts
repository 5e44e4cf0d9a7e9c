import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Topics, type Bus, type BusSubscription, type EntityChange } from '../../bus/index.js';
import type { TenantStores } from '../../store/index.js';
import type { AccessGuard, AccessView } from '../access.js';
import type { ContextResolver, LdContext } from '../context/index.js';
import type { DeliveryOptions } from './delivery-queues.js';
import { compileSubscription, matchChange, type CompiledSubscription } from './match-change.js';
import { NotificationDispatcher } from './notification-dispatcher.js';
import { queryMatchingEntities } from './periodic-query.js';
import type { NotifiedEntity } from './render-notification.js';
import { SUBSCRIPTIONS, type SubscriptionRef } from './status-recorder.js';
import {
  subscriptionState,
  type NotificationStatus,
  type StoredSubscription,
} from './subscription.js';

/** The shared record of when each throttled subscription last notified (per tenant store). */
const THROTTLING = 'subscription-throttling';

interface ThrottlePeriod {
  /** When the node that claimed the period sent (epoch ms). */
  sentAt: number;
}

/** The bus topic telling other nodes that a subscription was created, changed or deleted. */
export const SUBSCRIPTION_CHANGED = 'subscription.changed';

interface SubscriptionChanged {
  tenant?: string;
  id: string;
  origin: string;
}

/**
 * The bus topic of a periodic subscription's due notifications. Every node's timer announces
 * each period under one publish-once id, so the bus delivers it once, to one node of the group.
 */
export const SUBSCRIPTION_TICK = 'subscription.tick';

interface SubscriptionTick {
  tenant?: string;
  id: string;
}

/** What the subscription service needs, given at composition. */
export interface SubscriptionServiceOptions {
  tenants: TenantStores;
  bus: Bus;
  logger: Logger;
  /** The time (tests may pin it); `new Date()` by default. */
  clock?: () => Date;
  /** Resolves a subscription's stored @context after a restart; names stay canonical without it. */
  contexts?: ContextResolver;
  delivery?: Partial<DeliveryOptions>;
  /** How long delivery counters may wait before they are written to the store (ms). */
  statusFlushMs?: number;
  /**
   * Bus consumer group for `entity.changed` and periodic ticks. Without it (the default)
   * every node matches every change, so N nodes sharing a bus send N copies; with it each
   * change, and each period of a timeInterval subscription, is handled by one node of the
   * group. Throttling holds across nodes through the store. Subscription changes always
   * reach every node.
   */
  group?: string;
  /**
   * The sharing policy: a subscription with an owner notifies only what its owner may read at
   * the time of each notification (trimmed to the granted attributes, its filters evaluated on
   * what is visible), and each notification is recorded in the audit chain before it is sent.
   */
  access?: AccessGuard;
}

interface Entry extends SubscriptionRef {
  sub: CompiledSubscription;
  ctx?: LdContext;
  /** Changes held back by throttling, latest per entity, sent when the period ends. */
  pending?: Map<string, NotifiedEntity>;
  throttleTimer?: NodeJS.Timeout;
  /** A claim of the next throttling period is under way. */
  claiming?: boolean;
  intervalTimer?: NodeJS.Timeout;
  /** Waits for the first period boundary, then starts `intervalTimer`. */
  alignTimer?: NodeJS.Timeout;
  /** The last dispatch: the next one waits for it, so notifications keep the changes' order. */
  sending?: Promise<void>;
  /** Changes being judged by the policy, in order (subscriptions with an owner). */
  judging?: Promise<void>;
}

const keyOf = ({ tenant, id }: SubscriptionRef): string => `${tenant ?? ''}\u0000${id}`;

/**
 * Sends NGSI-LD notifications (clause 5.11): holds every tenant's subscriptions in memory,
 * matches each `entity.changed` event against them, runs periodic (timeInterval)
 * subscriptions, and delivers through one queue per endpoint.
 */
export class SubscriptionService {
  private readonly entries = new Map<string, Entry>();
  private readonly dispatcher: NotificationDispatcher;
  private readonly clock: () => Date;
  private readonly origin = randomUUID();
  private readonly busSubscriptions: BusSubscription[] = [];
  private stopped = false;

  constructor(private readonly options: SubscriptionServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.dispatcher = new NotificationDispatcher({
      tenants: options.tenants,
      logger: options.logger,
      clock: this.clock,
      delivery: options.delivery,
      statusFlushMs: options.statusFlushMs ?? 1000,
    });
    if (options.contexts) this.dispatcher.useContextResolver(options.contexts);
  }

  /** Loads every tenant's subscriptions and listens to entity changes (every node sees every change). */
  async start(): Promise<void> {
    const { tenants, bus, group } = this.options;
    for (const tenant of [undefined, ...(await tenants.list())]) {
      const store = await tenants.get(tenant, false);
      for (const { doc } of (await store?.collection<StoredSubscription>(SUBSCRIPTIONS).list()) ??
        [])
        this.install({ tenant, id: doc.id }, doc);
    }
    this.busSubscriptions.push(
      await bus.subscribe({ topic: Topics.entityChanged, ...(group ? { group } : {}) }, (e) =>
        this.onEntityChanged(e.payload as EntityChange),
      ),
      await bus.subscribe({ topic: SUBSCRIPTION_CHANGED }, (e) =>
        this.onSubscriptionChanged(e.payload as SubscriptionChanged),
      ),
      await bus.subscribe({ topic: SUBSCRIPTION_TICK, ...(group ? { group } : {}) }, (e) =>
        this.onTick(e.payload as SubscriptionTick),
      ),
    );
  }

  /** Stops listening and timers, lets deliveries in flight finish briefly, records their outcome. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.busSubscriptions.splice(0)) await s.unsubscribe();
    for (const entry of this.entries.values()) this.clearTimers(entry);
    await this.dispatcher.stop();
  }

  /**
   * Tells the service that a route stored (`doc`) or deleted (undefined) a subscription;
   * `ctx` is the client's resolved @context. Other nodes learn of it through the bus.
   */
  async subscriptionChanged(
    ref: SubscriptionRef,
    doc: StoredSubscription | undefined,
    ctx?: LdContext,
  ): Promise<void> {
    if (doc) this.install(ref, doc, ctx);
    else {
      this.uninstall(ref);
      const store = await this.options.tenants.get(ref.tenant, false);
      await store?.collection(THROTTLING).delete(ref.id);
    }
    const payload: SubscriptionChanged = { id: ref.id, origin: this.origin };
    if (ref.tenant !== undefined) payload.tenant = ref.tenant;
    await this.options.bus.publish([
      { topic: SUBSCRIPTION_CHANGED, key: ref.id, time: Date.now(), payload },
    ]);
  }

  /**
   * Sets the resolver that turns a stored subscription's @context back into an LdContext after
   * a restart (the routes pass the plugin's; `options.contexts` when given at composition).
   */
  useContextResolver(resolver: ContextResolver): void {
    this.dispatcher.useContextResolver(resolver);
  }

  /** The delivery state of a subscription, fresher than the stored one. */
  notificationStatus(ref: SubscriptionRef): NotificationStatus | undefined {
    return this.dispatcher.status.get(ref);
  }

  /** Notifications waiting or being delivered (all endpoints). */
  get backlog(): number {
    return this.dispatcher.backlog;
  }

  private install(ref: SubscriptionRef, doc: StoredSubscription, ctx?: LdContext): void {
    const old = this.entries.get(keyOf(ref));
    if (old) this.clearTimers(old);
    let sub: CompiledSubscription;
    try {
      sub = compileSubscription(doc);
    } catch (err) {
      this.options.logger.error(
        { err, subscription: doc.id },
        'subscription cannot be evaluated; ignored',
      );
      return;
    }
    const entry: Entry = { ...ref, sub, ctx: ctx ?? old?.ctx };
    this.entries.set(keyOf(ref), entry);
    this.dispatcher.status.track(ref, doc.notification);
    if (doc.timeInterval !== undefined) {
      // Every node's timer fires just after the same period boundaries (epoch multiples of
      // the interval), so that all of them announce the same period.
      const ms = doc.timeInterval * 1000;
      entry.alignTimer = setTimeout(
        () => {
          void this.announce(entry, ms);
          entry.intervalTimer = setInterval(() => void this.announce(entry, ms), ms);
          entry.intervalTimer.unref();
        },
        ms - (Date.now() % ms),
      );
      entry.alignTimer.unref();
    }
  }

  private uninstall(ref: SubscriptionRef): void {
    const entry = this.entries.get(keyOf(ref));
    if (entry) this.clearTimers(entry);
    this.entries.delete(keyOf(ref));
    this.dispatcher.status.forget(ref);
  }

  private clearTimers(entry: Entry): void {
    clearTimeout(entry.alignTimer);
    clearInterval(entry.intervalTimer);
    clearTimeout(entry.throttleTimer);
    entry.throttleTimer = undefined;
  }

  private async onSubscriptionChanged(event: SubscriptionChanged): Promise<void> {
    if (event.origin === this.origin) return;
    const ref = { tenant: event.tenant, id: event.id };
    const store = await this.options.tenants.get(ref.tenant, false);
    const doc = await store?.collection<StoredSubscription>(SUBSCRIPTIONS).get(ref.id);
    if (doc) this.install(ref, doc);
    else this.uninstall(ref);
  }

  private onEntityChanged(change: EntityChange): void {
    const now = this.clock().getTime();
    for (const entry of this.entries.values()) {
      if (entry.tenant !== change.tenant || subscriptionState(entry.sub.doc, now) !== 'active')
        continue;
      if (this.restricted(entry))
        entry.judging = (entry.judging ?? Promise.resolve())
          .then(() => this.judge(entry, change, now))
          .catch((err: unknown) =>
            this.options.logger.error({ err, subscription: entry.id }, 'notification not judged'),
          );
      else this.notifyChange(entry, change, now);
    }
  }

  /** True when the subscription's notifications go through the policy (an owner not the operator). */
  private restricted(entry: Entry): boolean {
    const owner = entry.sub.doc.owner;
    return this.options.access !== undefined && owner !== undefined && owner.kind !== 'operator';
  }

  /** The owner's view now (a revoked or expired grant shows nothing). */
  private ownerView(entry: Entry): Promise<AccessView> {
    return this.options.access!.forSubscriber(entry.sub.doc.owner!, entry.tenant);
  }

  /** The change as the owner may see it, matched on what is visible, recorded, then scheduled. */
  private async judge(entry: Entry, change: EntityChange, now: number): Promise<void> {
    const view = await this.ownerView(entry);
    const entity = change.entity && view.view(change.entity);
    view.discard(); // only what is notified is recorded
    const previous = change.previous && view.view(change.previous);
    view.discard();
    if (!entity && !previous) return;
    const seen: EntityChange = { ...change };
    if (entity) seen.entity = entity;
    else delete seen.entity;
    if (previous) seen.previous = previous;
    else delete seen.previous;
    if (!matchChange(entry.sub, seen)) return;
    if (entity) view.view(change.entity!);
    else view.view(change.previous!);
    await view.record('notify', `subscription:${entry.id}`);
    this.notifyChange(entry, seen, now);
  }

  private notifyChange(entry: Entry, change: EntityChange, now: number): void {
    const match = matchChange(entry.sub, change);
    if (!match) return;
    const item: NotifiedEntity = {
      id: change.id,
      type: change.entity?.type ?? change.type,
      diff: match.diff,
    };
    if (change.entity) item.entity = change.entity;
    if (change.previous) item.previous = change.previous;
    item.showDeleted = entry.sub.triggers.has('attributeDeleted');
    this.schedule(entry, item, now);
  }

  /**
   * Sends now, or, with throttling, holds the latest state per entity until this node claims
   * the subscription's next period: the claim is a compare-and-set in the shared store, so
   * that nodes sharing it send one notification per period between them.
   */
  private schedule(entry: Entry, item: NotifiedEntity, now: number): void {
    const throttleMs = (entry.sub.doc.throttling ?? 0) * 1000;
    if (throttleMs === 0) {
      void this.send(entry, [item]);
      return;
    }
    (entry.pending ??= new Map()).set(item.id, item);
    if (entry.throttleTimer === undefined && !entry.claiming)
      void this.sendThrottled(entry, throttleMs, now);
  }

  private async sendThrottled(entry: Entry, throttleMs: number, now: number): Promise<void> {
    // What is held now goes out if the claim succeeds; what comes meanwhile waits its turn.
    const held = entry.pending ?? new Map<string, NotifiedEntity>();
    entry.pending = undefined;
    entry.claiming = true;
    let waitMs: number;
    try {
      waitMs = await this.claimPeriod(entry, throttleMs, now);
    } catch (err) {
      this.options.logger.error({ err, subscription: entry.id }, 'throttling period not claimed');
      waitMs = throttleMs;
    } finally {
      entry.claiming = false;
    }
    if (this.stopped || this.entries.get(keyOf(entry)) !== entry) return;
    if (waitMs === 0) {
      if (held.size > 0) void this.send(entry, [...held.values()]);
      waitMs = throttleMs;
    } else {
      // Not this node's turn: keep the latest state of each entity for the next claim.
      // (Changes may have arrived while the claim was awaited.)
      const arrived = entry.pending as Map<string, NotifiedEntity> | undefined;
      for (const [id, item] of arrived ?? []) held.set(id, item);
      entry.pending = held;
    }
    entry.throttleTimer = setTimeout(() => {
      entry.throttleTimer = undefined;
      if (entry.pending?.size) void this.sendThrottled(entry, throttleMs, this.clock().getTime());
    }, waitMs);
  }

  /** 0 when this node may send now (it claimed the period), else how long to wait (ms). */
  private async claimPeriod(entry: Entry, throttleMs: number, now: number): Promise<number> {
    const store = await this.options.tenants.get(entry.tenant, false);
    if (!store) return 0;
    const periods = store.collection<ThrottlePeriod>(THROTTLING);
    for (;;) {
      const last = await periods.get(entry.id);
      if (last && now - last.sentAt < throttleMs) return last.sentAt + throttleMs - now;
      if (await periods.replaceIf(entry.id, { sentAt: now }, last)) return 0;
      // Another node claimed it meanwhile: read its claim.
    }
  }

  /** Announces the period that just began: whichever node the bus hands it to notifies. */
  private async announce(entry: Entry, ms: number): Promise<void> {
    if (this.entries.get(keyOf(entry)) !== entry) return;
    // The timer fires just after a boundary; a little early or late still names that period.
    const slot = Math.floor((Date.now() + ms / 4) / ms);
    const payload: SubscriptionTick = { id: entry.id };
    if (entry.tenant !== undefined) payload.tenant = entry.tenant;
    try {
      await this.options.bus.publish([
        {
          topic: SUBSCRIPTION_TICK,
          key: entry.id,
          time: Date.now(),
          payload,
          onceId: `${entry.tenant ?? ''}/${entry.id}/${ms}/${slot}`,
        },
      ]);
    } catch (err) {
      this.options.logger.error({ err, subscription: entry.id }, 'periodic tick not announced');
    }
  }

  private async onTick(tick: SubscriptionTick): Promise<void> {
    const entry = this.entries.get(keyOf({ tenant: tick.tenant, id: tick.id }));
    if (entry) await this.tick(entry);
  }

  private async tick(entry: Entry): Promise<void> {
    const doc = entry.sub.doc;
    const state = subscriptionState(doc, this.clock().getTime());
    if (state === 'expired') clearInterval(entry.intervalTimer);
    if (state !== 'active') return;
    try {
      const store = await this.options.tenants.get(entry.tenant, false);
      const view = this.restricted(entry) ? await this.ownerView(entry) : undefined;
      let entities = store ? await queryMatchingEntities(store, doc, view) : [];
      if (view) {
        entities = entities.flatMap((e) => view.view(e) ?? []);
        if (entities.length > 0) await view.record('notify', `subscription:${entry.id}`);
      }
      if (entities.length > 0)
        await this.send(
          entry,
          entities.map((entity) => ({ entity, id: entity.id, type: entity.type })),
        );
    } catch (err) {
      this.options.logger.error({ err, subscription: doc.id }, 'periodic notification failed');
    }
  }

  /** Dispatches in the order of the changes, even while the subscriber's @context resolves. */
  private send(entry: Entry, items: NotifiedEntity[]): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const doc = entry.sub.doc;
    entry.sending = (entry.sending ?? Promise.resolve())
      .then(() => this.dispatcher.dispatch(entry, doc, items))
      .catch((err: unknown) =>
        this.options.logger.error({ err, subscription: doc.id }, 'notification not built'),
      );
    return entry.sending;
  }
}
