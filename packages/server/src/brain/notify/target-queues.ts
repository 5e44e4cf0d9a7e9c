import { ChannelError, reasonOf, type SendRefusal } from './channel.js';
import {
  DEFAULT_RETRY_POLICY,
  retryDelay,
  timerSleep,
  type RetryPolicy,
  type Sleep,
} from './retry-policy.js';

/** Why a delivery ended up a dead letter. */
export type DeadLetterReason =
  | 'attempts-exhausted'
  | 'rejected'
  | 'queue-full'
  | 'node-stopped'
  | 'channel-unavailable'
  | SendRefusal;

/** How a job ended. */
export type JobOutcome =
  | { ok: true; attempts: number }
  | { ok: false; attempts: number; reason: DeadLetterReason; error: string };

/** One delivery to attempt until it succeeds, fails for good, or runs out of attempts. */
export interface QueuedJob {
  /** The target: jobs with the same key go out one at a time, in order. */
  key: string;
  /** One attempt; rejects with a ChannelError (other errors count as retryable). */
  send(signal: AbortSignal): Promise<void>;
  /** After a failed attempt, before the wait for the next one. */
  retrying?(attempt: number, error: string, delayMs: number): void;
  /** Once, at the end. */
  settled(outcome: JobOutcome): void;
}

/** Options of the queues. */
export interface TargetQueuesOptions {
  policy?: Partial<RetryPolicy>;
  /** How waits between attempts are made (tests pass one that does not wait). */
  sleep?: Sleep;
  /** Jitter source in [0, 1). */
  random?: () => number;
}

interface Queue {
  jobs: QueuedJob[];
  busy: boolean;
}

/** An attempt cut short by `signal`, or the attempt's own outcome. */
function raced(attempt: Promise<void>, signal: AbortSignal): Promise<void> {
  attempt.catch(() => undefined); // a channel that ignores the signal must not leak a rejection
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    attempt.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
  });
}

const asChannelError = (err: unknown): ChannelError =>
  err instanceof ChannelError
    ? err
    : new ChannelError(reasonOf(err), { retryable: true, cause: err });

/**
 * One attempt under a timeout: the error (a ChannelError; a timeout is a retryable one), or
 * undefined on success. `inFlight` holds the attempt's controller while it runs, for aborting.
 */
export async function attemptOnce(
  send: (signal: AbortSignal) => Promise<void>,
  timeoutMs: number,
  inFlight?: Set<AbortController>,
): Promise<ChannelError | undefined> {
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(new ChannelError(`no answer within ${timeoutMs} ms`, { retryable: true })),
    timeoutMs,
  );
  inFlight?.add(controller);
  try {
    await raced(send(controller.signal), controller.signal);
    return undefined;
  } catch (err) {
    return asChannelError(controller.signal.aborted ? controller.signal.reason : err);
  } finally {
    clearTimeout(timer);
    inFlight?.delete(controller);
  }
}

/**
 * A queue per target, so that a slow or dead receiver delays only its own deliveries, which go
 * out one at a time and in order. Each is attempted with a timeout and retried after
 * `retryDelay`; the queue of one target holds at most `queueLimit` deliveries, so memory stays
 * bounded whatever a receiver does.
 */
export class TargetQueues {
  private readonly queues = new Map<string, Queue>();
  private readonly inFlight = new Set<AbortController>();
  private readonly running = new Set<Promise<void>>();
  private readonly stopSignal = new AbortController();
  private readonly policy: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly random: () => number;

  constructor(options: TargetQueuesOptions = {}) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    this.sleep = options.sleep ?? timerSleep;
    this.random = options.random ?? Math.random;
  }

  private get stopping(): boolean {
    return this.stopSignal.signal.aborted;
  }

  /** Deliveries waiting or under way, all targets together. */
  get backlog(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.jobs.length + (q.busy ? 1 : 0);
    return n;
  }

  /** Queues a job behind its target's earlier ones; a full queue or a stopping node refuses it. */
  enqueue(job: QueuedJob): void {
    if (this.stopping)
      return job.settled({
        ok: false,
        attempts: 0,
        reason: 'node-stopped',
        error: 'the node is stopping',
      });
    let queue = this.queues.get(job.key);
    if (!queue) this.queues.set(job.key, (queue = { jobs: [], busy: false }));
    if (queue.jobs.length >= this.policy.queueLimit)
      return job.settled({
        ok: false,
        attempts: 0,
        reason: 'queue-full',
        error: `${queue.jobs.length} deliveries already wait for this target`,
      });
    queue.jobs.push(job);
    this.pump(job.key, queue);
  }

  private pump(key: string, queue: Queue): void {
    if (queue.busy) return;
    const job = queue.jobs.shift();
    if (!job) {
      this.queues.delete(key);
      return;
    }
    queue.busy = true;
    const run = this.deliver(job).finally(() => {
      this.running.delete(run);
      queue.busy = false;
      this.pump(key, queue);
    });
    this.running.add(run);
  }

  private async deliver(job: QueuedJob): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const error = await this.attempt(job);
      if (!error) return job.settled({ ok: true, attempts: attempt });
      const fail = (reason: DeadLetterReason) =>
        job.settled({ ok: false, attempts: attempt, reason, error: error.message });
      if (this.stopping) return fail('node-stopped');
      if (!error.retryable) return fail(error.refusal ?? 'rejected');
      if (attempt >= this.policy.maxAttempts) return fail('attempts-exhausted');
      const delayMs = retryDelay({
        failures: attempt,
        retryAfterMs: error.retryAfterMs,
        policy: this.policy,
        random: this.random,
      });
      job.retrying?.(attempt, error.message, delayMs);
      await this.sleep(delayMs, this.stopSignal.signal);
      if (this.stopping) return fail('node-stopped');
    }
  }

  private attempt(job: QueuedJob): Promise<ChannelError | undefined> {
    return attemptOnce((signal) => job.send(signal), this.policy.timeoutMs, this.inFlight);
  }

  /**
   * Stops: refuses new jobs, ends the waits between attempts, settles waiting jobs as
   * `node-stopped`, lets attempts in flight finish for up to `graceMs`, then aborts them.
   */
  async stop(graceMs = 2_000): Promise<void> {
    this.stopSignal.abort();
    for (const queue of this.queues.values())
      for (const job of queue.jobs.splice(0))
        job.settled({ ok: false, attempts: 0, reason: 'node-stopped', error: 'the node stopped' });
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all([...this.running]), grace]);
    clearTimeout(timer);
    for (const c of this.inFlight)
      c.abort(new ChannelError('the node stopped', { retryable: false }));
    await Promise.all([...this.running]);
  }
}
