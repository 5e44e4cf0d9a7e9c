/**
 * Tasks run one after another per key and side by side across keys: the decisions of one rule's
 * key keep their order (a raise before its clear), while those of other keys do not wait for
 * them (a burst of alerts from many rules is written together, see the stores' group commit).
 */
export class KeyedChains {
  private readonly tails = new Map<string, Promise<void>>();
  private running = 0;
  private waiters: (() => void)[] = [];

  /** `task` must not reject: it reports its own failures. */
  run(key: string, task: () => Promise<void>): void {
    this.running++;
    const next = (this.tails.get(key) ?? Promise.resolve()).then(task).finally(() => {
      if (this.tails.get(key) === next) this.tails.delete(key);
      if (--this.running === 0) for (const resolve of this.waiters.splice(0)) resolve();
    });
    this.tails.set(key, next);
  }

  /** True while a task waits or runs. */
  get busy(): boolean {
    return this.running > 0;
  }

  /** Resolves when no task waits or runs. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
