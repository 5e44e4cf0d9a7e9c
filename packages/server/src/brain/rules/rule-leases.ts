import type { Logger } from 'pino';
import type { DocumentCollection, Store } from '../../store/index.js';
import type { RuleOwnership } from './rule-ownership.js';

/** The collection of rule leases: a rule's id → the node evaluating it, and until when. */
export const RULE_LEASES = 'rules.leases';
/** The collection of the nodes sharing the rules, with their last heartbeat. */
export const RULE_NODES = 'rules.nodes';

/** A rule's lease as kept in the store. */
export interface RuleLease {
  /** The node id of the holder. */
  holder: string;
  /** Until when, epoch ms (by the holder's clock); 0: given up. */
  expiresAt: number;
  /** One more at each new holder: a decision is acted on only under the epoch it was made in. */
  epoch: number;
}

interface Heartbeat {
  seenAt: number;
}

/** How long a lease lasts unless renewed, and how often it is renewed, ms, unless set. */
export const LEASE_DEFAULTS = { ttlMs: 15_000, renewMs: 5_000 } as const;

/** Options of the rule leases. */
export interface RuleLeasesOptions {
  store: Pick<Store, 'collection'>;
  /** This node's id, unique among the nodes sharing the store. */
  nodeId: string;
  /** How long a lease lasts unless renewed, ms; default LEASE_DEFAULTS. */
  ttlMs?: number;
  /**
   * How often leases are renewed and shares rebalanced, ms; default LEASE_DEFAULTS. A node
   * stops acting on a rule `renewMs` before its lease ends, so it must renew well before:
   * ttlMs ≥ 3 × renewMs.
   */
  renewMs?: number;
  clock?: () => number;
  logger: Logger;
}

interface Held {
  lease: RuleLease;
  /** Until when this node may take the lease to be its own (set before the renewal was sent). */
  validUntil: number;
  /** When the store last confirmed the lease. */
  confirmedAt: number;
}

/** How long a confirmation from the store is trusted before acting, ms. */
const CONFIRM_MS = 1000;
/** Heartbeats older than this are deleted (a node gone for good), ms. */
const FORGET_NODE_MS = 3_600_000;

/** A stable pseudo-random preference of a node for a rule (rendezvous hashing). */
function preference(ruleId: string, nodeId: string): number {
  const key = `${ruleId}\u0000${nodeId}`;
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Shares the active rules among the live nodes by leases in the store: each node renews its
 * leases every `renewMs`, takes free rules (no lease, given up or expired) up to its share,
 * ceil(rules / live nodes), while it holds no more than the node with fewest, and gives up
 * an extra rule when all rules have a holder and it holds two more than another node (a node
 * that joined gets its share). A node that dies stops renewing: its rules are free `ttlMs`
 * after its last renewal. Leases are taken and renewed by compare-and-set, so a rule never has
 * two holders in the store; a node that cannot renew in time stops acting on its own.
 */
export class RuleLeases implements RuleOwnership {
  private readonly leases: DocumentCollection<RuleLease>;
  private readonly nodes: DocumentCollection<Heartbeat>;
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private readonly clock: () => number;
  private rules: string[] = [];
  private readonly held = new Map<string, Held>();
  /** Rules seen without a holder, since when: taken past the share if nobody takes them. */
  private readonly freeSince = new Map<string, number>();
  private changed: () => void = () => {};
  private timer: NodeJS.Timeout | undefined;
  private cycling: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: RuleLeasesOptions) {
    this.leases = options.store.collection<RuleLease>(RULE_LEASES);
    this.nodes = options.store.collection<Heartbeat>(RULE_NODES);
    this.ttlMs = options.ttlMs ?? LEASE_DEFAULTS.ttlMs;
    this.renewMs = options.renewMs ?? LEASE_DEFAULTS.renewMs;
    this.clock = options.clock ?? Date.now;
  }

  /** The rules held now. */
  get size(): number {
    return this.held.size;
  }

  async start(changed: () => void): Promise<void> {
    this.changed = changed;
    await this.cycle();
  }

  async setRules(ids: readonly string[]): Promise<void> {
    this.rules = [...ids];
    await this.cycle();
  }

  /** Held, with a renewal's margin left: past it, another node may soon take the rule. */
  holds(ruleId: string): boolean {
    const h = this.held.get(ruleId);
    return h !== undefined && this.clock() < h.validUntil - this.renewMs;
  }

  async mayAct(ruleId: string): Promise<boolean> {
    const h = this.held.get(ruleId);
    const now = this.clock();
    if (!h || !this.holds(ruleId)) return false;
    if (now - h.confirmedAt < CONFIRM_MS) return true;
    const lease = await this.leases.get(ruleId);
    if (this.held.get(ruleId) !== h) return false;
    if (lease?.holder === this.options.nodeId && lease.epoch === h.lease.epoch) {
      h.confirmedAt = now;
      return true;
    }
    this.lose(ruleId, lease);
    this.changed();
    return false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.cycling;
    for (const [id, h] of [...this.held]) await this.release(id, h.lease).catch(() => false);
    await this.nodes.delete(this.options.nodeId).catch(() => false);
  }

  /** Balances now (after the round under way), then every `renewMs`. */
  private cycle(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.cycling.then(async () => {
      this.queued = undefined;
      if (this.stopped) return;
      clearTimeout(this.timer);
      let delay = this.renewMs;
      try {
        delay = await this.balance();
      } catch (err) {
        // Leases not renewed lapse by themselves (holds() turns false): nothing else to undo.
        this.options.logger.warn({ err }, 'rule leases not renewed');
      }
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.cycle(), delay);
      this.timer.unref();
      this.changed();
    });
    this.queued = next;
    this.cycling = next;
    return next;
  }

  /** One round: heartbeat, renew, give up extras, take free rules; answers when to come back. */
  private async balance(): Promise<number> {
    const now = this.clock();
    const me = this.options.nodeId;
    await this.nodes.put(me, { seenAt: now });
    const beats = await this.nodes.list();
    const live = beats.filter((b) => b.doc.seenAt > now - this.ttlMs).map((b) => b.id);
    for (const b of beats) if (b.doc.seenAt < now - FORGET_NODE_MS) await this.nodes.delete(b.id);
    const stored = new Map((await this.leases.list()).map((d) => [d.id, d.doc]));
    const wanted = new Set(this.rules);

    for (const [id, h] of [...this.held]) {
      const lease = stored.get(id);
      if (!wanted.has(id)) {
        await this.release(id, lease);
        continue;
      }
      const mine = lease?.holder === me && lease.epoch === h.lease.epoch;
      // Renewed less than half a round ago (a round asked for by a rule change): enough.
      if (mine && h.validUntil - now > this.ttlMs - this.renewMs / 2) continue;
      const next = { ...h.lease, expiresAt: now + this.ttlMs };
      if (mine && (await this.leases.replaceIf(id, next, lease))) {
        this.held.set(id, { lease: next, validUntil: now + this.ttlMs, confirmedAt: now });
        stored.set(id, next);
      } else this.lose(id, lease);
    }

    // The share: ceil(rules / live nodes), and no more than one rule above the node with fewest.
    const share = Math.ceil(this.rules.length / Math.max(1, live.length));
    const others = new Map(live.filter((id) => id !== me).map((id) => [id, 0]));
    for (const lease of stored.values())
      if (lease.expiresAt > now && others.has(lease.holder))
        others.set(lease.holder, others.get(lease.holder)! + 1);
    const fewest = Math.min(...others.values());
    const free = this.rules.filter((id) => {
      const lease = stored.get(id);
      return (
        !this.held.has(id) && (!lease || lease.expiresAt <= now || lease.holder === me) // ours from before a restart
      );
    });
    const extra = Math.max(this.held.size - share, this.held.size - fewest >= 2 ? 1 : 0);
    if (free.length === 0 && extra > 0) {
      const extras = [...this.held.keys()]
        .sort((a, b) => preference(a, me) - preference(b, me))
        .slice(0, extra);
      for (const id of extras) await this.release(id, stored.get(id));
    }
    for (const id of free.sort((a, b) => preference(b, me) - preference(a, me))) {
      const since = this.freeSince.get(id) ?? now;
      this.freeSince.set(id, since);
      const due = this.held.size < share && this.held.size <= fewest;
      // A rule nobody takes for two rounds is taken whatever the share.
      if (!due && now - since < 2 * this.renewMs) continue;
      await this.take(id, stored.get(id), now);
    }
    for (const id of [...this.freeSince.keys()])
      if (this.held.has(id) || !free.includes(id)) this.freeSince.delete(id);

    // Come back as a lease held elsewhere runs out, when this node would take it.
    let delay = this.renewMs;
    if (this.held.size < share)
      for (const id of this.rules) {
        const lease = stored.get(id);
        if (lease && !this.held.has(id) && lease.holder !== me && lease.expiresAt > now)
          delay = Math.min(delay, lease.expiresAt - now + 20);
      }
    return Math.max(20, delay);
  }

  private async take(id: string, lease: RuleLease | undefined, now: number): Promise<void> {
    const next = {
      holder: this.options.nodeId,
      expiresAt: now + this.ttlMs,
      epoch: (lease?.epoch ?? 0) + 1,
    };
    if (!(await this.leases.replaceIf(id, next, lease))) return;
    this.held.set(id, { lease: next, validUntil: now + this.ttlMs, confirmedAt: now });
    const from = lease && lease.holder !== this.options.nodeId ? lease : undefined;
    this.options.logger.info(
      {
        rule: id,
        epoch: next.epoch,
        ...(from && { from: from.holder }),
        ...(from && from.expiresAt > 0 && { expiredForMs: now - from.expiresAt }),
      },
      from ? 'rule taken over' : 'rule taken',
    );
  }

  /** Gives a rule up: this node stops acting for it first, then the lease is freed. */
  private async release(id: string, lease: RuleLease | undefined): Promise<void> {
    this.held.delete(id);
    if (lease?.holder !== this.options.nodeId) return;
    await this.leases.replaceIf(id, { ...lease, expiresAt: 0 }, lease);
    this.options.logger.info({ rule: id }, 'rule given up');
  }

  private lose(id: string, lease: RuleLease | undefined): void {
    if (!this.held.delete(id)) return;
    this.options.logger.warn(
      { rule: id, ...(lease && { holder: lease.holder, epoch: lease.epoch }) },
      'rule lease lost: this node no longer evaluates the rule',
    );
  }
}
