import type { DocumentCollection } from '../../store/index.js';

/** The collection of delivery logs, one document per target. */
export const NOTIFICATION_DELIVERIES = 'notification-deliveries';

/** Where a delivery stands. */
export type DeliveryStatus = 'queued' | 'retrying' | 'delivered' | 'dead-lettered' | 'failed';

/** One delivery as its target's log shows it. */
export interface DeliveryRecord {
  /** The delivery id (`Citybrain-Delivery`). */
  id: string;
  event: string;
  subjectId: string;
  status: DeliveryStatus;
  attempts: number;
  lastError?: string;
  queuedAt: string;
  updatedAt: string;
}

/** A target's log document: newest first. */
export interface DeliveryLogDoc {
  entries: DeliveryRecord[];
}

/**
 * The last `size` deliveries of each target, kept in the store so that every node of a
 * scale-out deployment shows the same log. Writes to one target's log are chained in order on
 * this node and compare-and-set against the other nodes'.
 */
export class DeliveryLog {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly collection: DocumentCollection<DeliveryLogDoc>,
    private readonly size: number,
    private readonly onError: (err: unknown, targetId: string) => void,
  ) {}

  /** Adds or replaces a delivery's record, after this node's earlier writes to the same log. */
  record(targetId: string, entry: DeliveryRecord): Promise<void> {
    const previous = this.chains.get(targetId) ?? Promise.resolve();
    const next = previous
      .then(() => this.upsert(targetId, entry))
      .catch((err: unknown) => this.onError(err, targetId));
    this.chains.set(targetId, next);
    void next.finally(() => {
      if (this.chains.get(targetId) === next) this.chains.delete(targetId);
    });
    return next;
  }

  private async upsert(targetId: string, entry: DeliveryRecord): Promise<void> {
    for (let tries = 0; tries < 20; tries++) {
      const current = await this.collection.get(targetId);
      const entries = [...(current?.entries ?? [])];
      const at = entries.findIndex((e) => e.id === entry.id);
      if (at >= 0) entries[at] = entry;
      else entries.unshift(entry);
      const doc = { entries: entries.slice(0, this.size) };
      if (await this.collection.replaceIf(targetId, doc, current)) return;
    }
    throw new Error(`the delivery log of ${targetId} kept changing under this node`);
  }

  /** The target's last deliveries, newest first. */
  async recent(targetId: string): Promise<DeliveryRecord[]> {
    return (await this.collection.get(targetId))?.entries ?? [];
  }

  /** Drops a deleted target's log. */
  async forget(targetId: string): Promise<void> {
    await this.chains.get(targetId);
    await this.collection.delete(targetId);
  }

  /** Waits for the writes under way. */
  async flush(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }
}
