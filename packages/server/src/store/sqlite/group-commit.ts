interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: items submitted during one tick of the event loop are handed to `run`
 * together (one transaction, one fsync), and every caller's promise settles after it returns.
 * If `run` throws, every item of the group fails with that error.
 */
export class GroupCommit<T, R> {
  private queue: Pending<T, R>[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly run: (items: readonly T[]) => R[]) {}

  /** Queues an item for the next group. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Runs the queued group now (also used before closing). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const group = this.queue;
    this.queue = [];
    if (group.length === 0) return;
    let results: R[];
    try {
      results = this.run(group.map((p) => p.item));
    } catch (err) {
      for (const p of group) p.reject(err);
      return;
    }
    group.forEach((p, i) => p.resolve(results[i]!));
  }
}
