/** How deliveries are attempted and retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included; then the delivery is dead-lettered. */
  maxAttempts: number;
  /** The wait before the first retry, doubled at each further one (with jitter). */
  baseDelayMs: number;
  /** The longest wait between attempts, a receiver's Retry-After included. */
  maxDelayMs: number;
  /** How long one attempt may take. */
  timeoutMs: number;
  /** Deliveries waiting per target beyond which new ones are dead-lettered. */
  queueLimit: number;
}

/** Defaults: 8 attempts over about 2 minutes (1, 2, 4 … 64 s, halved at random), 10 s each. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 1_000,
  maxDelayMs: 300_000,
  timeoutMs: 10_000,
  queueLimit: 1_000,
};

/**
 * The wait before the next attempt after `failures` failed ones: the receiver's Retry-After
 * when it sent one, else exponential backoff with "equal jitter" (between half and all of
 * `base·2^(failures-1)`), so that many targets failing together do not retry in lockstep.
 * Both are capped at `maxDelayMs`.
 */
export function retryDelay(options: {
  failures: number;
  retryAfterMs: number | undefined;
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>;
  random: () => number;
}): number {
  const { failures, retryAfterMs, policy } = options;
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), policy.maxDelayMs);
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - 1));
  return Math.round(exponential / 2 + (options.random() * exponential) / 2);
}

/** Waits `ms`, or less when `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** The real clock's sleep. */
export const timerSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
