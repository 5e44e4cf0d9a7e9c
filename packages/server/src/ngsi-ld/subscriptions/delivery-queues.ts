/** Why an attempt failed, and whether trying again may help. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** One notification to deliver to one endpoint. */
export interface DeliveryJob {
  /** The endpoint's queue: jobs with the same key go out in order, never delaying other keys. */
  key: string;
  /** Milliseconds one attempt may take (the queues' default when absent). */
  timeoutMs?: number;
  /** Sends once; rejects with a DeliveryError (other errors count as retryable). */
  send(signal: AbortSignal): Promise<void>;
  /** Called once, after the last attempt. */
  done(outcome: { ok: true } | { ok: false; error: string }): void;
  /** Called after each failed attempt (a retry may follow). */
  failed?(error: string): void;
}

/** Tuning of the delivery queues. */
export interface DeliveryOptions {
  /** Milliseconds one attempt may take. */
  timeoutMs: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait before the first retry; doubled at each further retry. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Jobs waiting per endpoint beyond which the oldest is dropped (and reported failed). */
  queueLimit: number;
  /** Attempts in flight per endpoint (1 keeps each endpoint's notifications in order). */
  concurrencyPerEndpoint: number;
}

/** Defaults: 10 s per attempt, 5 attempts with 1, 2, 4, 8 s between them. */
export const DEFAULT_DELIVERY: DeliveryOptions = {
  timeoutMs: 10_000,
  maxAttempts: 5,
  backoffMs: 1_000,
  maxBackoffMs: 30_000,
  queueLimit: 1_000,
  concurrencyPerEndpoint: 1,
};

interface EndpointQueue {
  jobs: DeliveryJob[];
  running: number;
}

/**
 * One queue per endpoint, so that a slow or dead endpoint only delays its own notifications.
 * Each job is attempted with a timeout and retried with exponential backoff, then reported.
 */
export class DeliveryQueues {
  private readonly queues = new Map<string, EndpointQueue>();
  private readonly inFlight = new Set<AbortController>();
  private readonly sleeping = new Set<AbortController>();
  private readonly running = new Set<Promise<void>>();
  private stopping = false;
  private readonly options: DeliveryOptions;

  constructor(options: Partial<DeliveryOptions> = {}) {
    this.options = { ...DEFAULT_DELIVERY, ...options };
  }

  /** Jobs waiting or in flight, all endpoints together. */
  get backlog(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.jobs.length + q.running;
    return n;
  }

  /** Queues a job behind the earlier ones of its endpoint. */
  enqueue(job: DeliveryJob): void {
    if (this.stopping) {
      job.done({ ok: false, error: 'the node is stopping' });
      return;
    }
    let queue = this.queues.get(job.key);
    if (!queue) this.queues.set(job.key, (queue = { jobs: [], running: 0 }));
    queue.jobs.push(job);
    if (queue.jobs.length > this.options.queueLimit)
      queue.jobs.shift()?.done({ ok: false, error: 'dropped: too many notifications waiting' });
    this.pump(job.key, queue);
  }

  private pump(key: string, queue: EndpointQueue): void {
    while (queue.running < this.options.concurrencyPerEndpoint && queue.jobs.length > 0) {
      const job = queue.jobs.shift()!;
      queue.running++;
      const run = this.attempt(job).finally(() => {
        this.running.delete(run);
        queue.running--;
        if (queue.jobs.length > 0) this.pump(key, queue);
        else if (queue.running === 0) this.queues.delete(key);
      });
      this.running.add(run);
    }
  }

  private async attempt(job: DeliveryJob): Promise<void> {
    let error = 'not attempted';
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      if (attempt > 1) {
        const wait = Math.min(
          this.options.backoffMs * 2 ** (attempt - 2),
          this.options.maxBackoffMs,
        );
        if (!(await this.sleep(wait))) break;
      }
      const controller = new AbortController();
      const timeoutMs = job.timeoutMs ?? this.options.timeoutMs;
      const timer = setTimeout(
        () => controller.abort(new DeliveryError(`no answer within ${timeoutMs} ms`, true)),
        timeoutMs,
      );
      this.inFlight.add(controller);
      try {
        await job.send(controller.signal);
        job.done({ ok: true });
        return;
      } catch (err) {
        const reason: unknown = controller.signal.aborted ? controller.signal.reason : err;
        error = reason instanceof Error ? reason.message : String(reason);
        job.failed?.(error);
        if ((reason instanceof DeliveryError && !reason.retryable) || this.stopping) break;
      } finally {
        clearTimeout(timer);
        this.inFlight.delete(controller);
      }
    }
    job.done({ ok: false, error });
  }

  /** Waits, unless stopping; false when cut short. */
  private sleep(ms: number): Promise<boolean> {
    if (this.stopping) return Promise.resolve(false);
    return new Promise((resolve) => {
      const controller = new AbortController();
      const timer = setTimeout(() => {
        this.sleeping.delete(controller);
        resolve(true);
      }, ms);
      controller.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        this.sleeping.delete(controller);
        resolve(false);
      });
      this.sleeping.add(controller);
    });
  }

  /**
   * Stops: refuses new jobs, lets attempts in flight finish for up to `graceMs`, then aborts
   * them; jobs still waiting are reported failed. Resolves when nothing runs any more.
   */
  async stop(graceMs = 2_000): Promise<void> {
    this.stopping = true;
    // Nothing is retried any more: waiting retries end now, reported failed.
    for (const controller of this.sleeping) controller.abort();
    for (const queue of this.queues.values())
      for (const job of queue.jobs.splice(0)) job.done({ ok: false, error: 'the node stopped' });
    const idle = Promise.all([...this.running]);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([idle, grace]);
    clearTimeout(timer);
    for (const controller of this.inFlight)
      controller.abort(new DeliveryError('the node stopped', false));
    await Promise.all([...this.running]);
  }
}
