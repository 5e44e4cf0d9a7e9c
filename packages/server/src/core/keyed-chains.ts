const ignore = (): void => undefined;

/**
 * Tasks run one after another per key and side by side across keys: what must keep its order
 * (a rule key's raise before its clear) or must not race on this node (the incident of a
 * category and area) waits for the tasks of its key only.
 */
export class KeyedChains {
  private readonly tails = new Map<string, Promise<void>>();
  private running = 0;
  private waiters: (() => void)[] = [];

  /** Runs `task` after the tasks of `key` queued before it; answers its outcome. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    this.running++;
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail: Promise<void> = result.then(ignore, ignore).then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
      if (--this.running === 0) for (const resolve of this.waiters.splice(0)) resolve();
    });
    this.tails.set(key, tail);
    return result;
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
