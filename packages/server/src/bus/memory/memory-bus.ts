import Queue from 'yocto-queue';
import {
  DEDUP_WINDOW_MS,
  type Bus,
  type BusEvent,
  type BusHandler,
  type BusSubscription,
  type SubscribeOptions,
} from '../port.js';

/** Reports a handler failure; the bus itself never throws at publishers. */
export type BusErrorReporter = (
  err: unknown,
  event: BusEvent,
  subscription: SubscribeOptions,
) => void;

interface Member {
  options: SubscribeOptions;
  handler: BusHandler;
  /** A queue, not an array: a subscriber behind its publishers holds 100,000 (shift is O(n)). */
  queue: Queue<BusEvent>;
  /** The running drain, awaited by unsubscribe and close so that no handler outlives them. */
  draining: Promise<void> | undefined;
}

/** True when a topic pattern (`a.b`, `a.*`, `*`) matches a topic. */
export function topicMatches(pattern: string, topic: string): boolean {
  if (pattern === '*' || pattern === topic) return true;
  return pattern.endsWith('.*') && topic.startsWith(pattern.slice(0, -1));
}

function hashKey(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * The embedded bus: in-process, in order per subscriber, nothing kept across restarts
 * (the store is the durable record in the embedded shape). Group members share events
 * by key so that one key always reaches the same member, in order.
 */
export class MemoryBus implements Bus {
  private readonly members = new Set<Member>();
  /** The publish-once ids seen in the window, oldest first, with when they came. */
  private readonly onceIds = new Map<string, number>();
  private closed = false;

  constructor(private readonly onError: BusErrorReporter) {}

  publish(events: readonly BusEvent[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the bus is closed'));
    const now = Date.now();
    for (const [id, at] of this.onceIds) {
      if (now - at < DEDUP_WINDOW_MS) break;
      this.onceIds.delete(id);
    }
    for (const event of events) {
      if (event.onceId !== undefined) {
        if (this.onceIds.has(event.onceId)) continue;
        this.onceIds.set(event.onceId, now);
      }
      const groups = new Map<string, Member[]>();
      for (const m of this.members) {
        if (!topicMatches(m.options.topic, event.topic)) continue;
        if (m.options.group === undefined) this.enqueue(m, event);
        else groups.set(m.options.group, [...(groups.get(m.options.group) ?? []), m]);
      }
      for (const group of groups.values())
        this.enqueue(group[hashKey(event.key) % group.length]!, event);
    }
    return Promise.resolve();
  }

  private enqueue(member: Member, event: BusEvent): void {
    member.queue.enqueue(event);
    member.draining ??= Promise.resolve().then(() => this.drain(member));
  }

  private async drain(member: Member): Promise<void> {
    for (let event = member.queue.dequeue(); event; event = member.queue.dequeue()) {
      try {
        await member.handler(event);
      } catch (err) {
        this.onError(err, event, member.options);
      }
    }
    member.draining = undefined;
  }

  subscribe(options: SubscribeOptions, handler: BusHandler): Promise<BusSubscription> {
    // A subscription on a closed bus would silently never receive anything.
    if (this.closed) return Promise.reject(new Error('the bus is closed'));
    const member: Member = { options, handler, queue: new Queue(), draining: undefined };
    this.members.add(member);
    return Promise.resolve({ unsubscribe: () => this.leave(member) });
  }

  /** Stops a member: what it has not started is dropped (nothing is kept in memory). */
  private async leave(member: Member): Promise<void> {
    this.members.delete(member);
    member.queue.clear();
    await member.draining;
  }

  close(): Promise<void> {
    this.closed = true;
    const members = [...this.members];
    return Promise.all(members.map((m) => this.leave(m))).then(() => undefined);
  }
}
