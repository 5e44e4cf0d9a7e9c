import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChannelError } from './channel.js';
import { retryDelay } from './retry-policy.js';
import { TargetQueues, type JobOutcome, type QueuedJob } from './target-queues.js';

/** A sleep that waits until the test lets it go. */
function gatedSleep() {
  let release: () => void = () => {};
  let gate = new Promise<void>((r) => (release = r));
  return {
    sleep: (_ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        void gate.then(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      }),
    open: () => {
      release();
      gate = new Promise<void>((r) => (release = r));
    },
  };
}

function job(
  key: string,
  name: string,
  log: string[],
  outcomes: Map<string, JobOutcome>,
  failFirst = 0,
): QueuedJob {
  let calls = 0;
  return {
    key,
    send: async () => {
      log.push(`${name}#${++calls}`);
      if (calls <= failFirst) throw new ChannelError('busy', { retryable: true });
    },
    settled: (outcome) => outcomes.set(name, outcome),
  };
}

const flush = () => new Promise((r) => setTimeout(r, 20));

describe('TargetQueues', () => {
  it('sends one target’s jobs in order while another target goes on', async () => {
    const gate = gatedSleep();
    const queues = new TargetQueues({ sleep: gate.sleep });
    const log: string[] = [];
    const outcomes = new Map<string, JobOutcome>();
    queues.enqueue(job('a', 'a1', log, outcomes, 1));
    queues.enqueue(job('a', 'a2', log, outcomes));
    queues.enqueue(job('b', 'b1', log, outcomes));
    await flush();
    // a1 failed once and waits; a2 waits behind it; b is not held up.
    expect(log).toEqual(['a1#1', 'b1#1']);
    expect(queues.backlog).toBe(2);
    gate.open();
    await flush();
    expect(log).toEqual(['a1#1', 'b1#1', 'a1#2', 'a2#1']);
    expect(outcomes.get('a1')).toEqual({ ok: true, attempts: 2 });
    expect(queues.backlog).toBe(0);
  });

  it('dead-letters what comes when a target’s queue is full, and what waits when it stops', async () => {
    const gate = gatedSleep();
    const queues = new TargetQueues({ sleep: gate.sleep, policy: { queueLimit: 2 } });
    const log: string[] = [];
    const outcomes = new Map<string, JobOutcome>();
    queues.enqueue(job('a', 'stuck', log, outcomes, 100));
    await flush();
    for (const name of ['w1', 'w2', 'overflow']) queues.enqueue(job('a', name, log, outcomes));
    expect(outcomes.get('overflow')).toMatchObject({
      ok: false,
      reason: 'queue-full',
      attempts: 0,
    });
    await queues.stop(100);
    expect(outcomes.get('stuck')).toMatchObject({ ok: false, reason: 'node-stopped', attempts: 1 });
    expect(outcomes.get('w1')).toMatchObject({ ok: false, reason: 'node-stopped', attempts: 0 });
    queues.enqueue(job('a', 'late', log, outcomes));
    expect(outcomes.get('late')).toMatchObject({ reason: 'node-stopped' });
  });

  it('counts a thrown non-ChannelError as retryable', async () => {
    const queues = new TargetQueues({ sleep: () => Promise.resolve(), policy: { maxAttempts: 3 } });
    const outcomes: JobOutcome[] = [];
    queues.enqueue({
      key: 'a',
      send: () => Promise.reject(new TypeError('socket hang up')),
      settled: (o) => outcomes.push(o),
    });
    await flush();
    expect(outcomes).toEqual([
      { ok: false, attempts: 3, reason: 'attempts-exhausted', error: 'socket hang up' },
    ]);
  });
});

describe('retryDelay', () => {
  const policy = { baseDelayMs: 1_000, maxDelayMs: 300_000 };
  it('is between half and all of base·2^(n-1), never above the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (n, r) => {
          const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
          const d = retryDelay({ failures: n, retryAfterMs: undefined, policy, random: () => r });
          return d >= Math.floor(full / 2) && d <= full;
        },
      ),
    );
  });
  it('follows Retry-After up to the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (ms) => {
        const d = retryDelay({ failures: 1, retryAfterMs: ms, policy, random: () => 0 });
        return d === Math.min(ms, policy.maxDelayMs);
      }),
    );
  });
});
