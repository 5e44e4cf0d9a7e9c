/** The outcome of one item of a group: its result, or the error that failed it alone. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Asynchronous group commit: items submitted while a group's transaction runs (or within the
 * same tick) form the next group, run as one transaction after it, in submission order. `run`
 * settles each item (one may fail alone); if it throws, every item of its group fails.
 */
export class AsyncGroupCommit<T, R> {
  private queue: Pending<T, R>[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly run: (items: readonly T[]) => Promise<Outcome<R>[]>) {}

  /** Queues an item for the next group. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Resolves once every submitted item has settled. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Let callers of the same tick join the first group.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      try {
        const outcomes = await this.run(group.map((p) => p.item));
        group.forEach((p, i) => {
          const o = outcomes[i]!;
          if (o.ok) p.resolve(o.value);
          else p.reject(o.error);
        });
      } catch (err) {
        for (const p of group) p.reject(err);
      }
    }
    this.running = undefined;
  }
}
