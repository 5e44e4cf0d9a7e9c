import { describe, expect, it } from 'vitest';
import type { Fact } from './engine/evaluator.js';
import { FactQueue } from './fact-queue.js';

const fact = (t: number, seq: number): Fact => ({
  entityId: `e${seq % 7}`,
  entityType: 'T',
  t,
  seq,
  attrs: {},
});

describe('FactQueue', () => {
  it('applies what waits in event-time order, in batches', async () => {
    const batches: Fact[][] = [];
    const queue = new FactQueue(
      (b) => batches.push([...b]),
      (err) => {
        throw err;
      },
    );
    const facts = Array.from({ length: 1000 }, (_, i) => fact(1000 + ((i * 7919) % 500), i));
    for (const f of facts) queue.push(f);
    expect(queue.length).toBe(1000);
    await queue.drained();
    const applied = batches.flat();
    expect(applied).toHaveLength(1000);
    expect(applied.map((f) => [f.t, f.seq])).toEqual(
      [...facts].sort((a, b) => a.t - b.t || a.seq - b.seq).map((f) => [f.t, f.seq]),
    );
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(128);
    expect(queue.peak).toBe(1000);
  });

  it('leaves the event loop to other work between slices', async () => {
    let applied = 0;
    const queue = new FactQueue(
      (b) => {
        applied += b.length;
        const until = performance.now() + 4; // a slow batch of rules
        while (performance.now() < until);
      },
      (err) => {
        throw err;
      },
    );
    for (let i = 0; i < 128 * 20; i++) queue.push(fact(i, i));
    // The first slice runs at the next turn of the event loop (its immediate was queued first),
    // and stops at its budget.
    const afterFirstSlice = await new Promise<number>((resolve) =>
      setImmediate(() => resolve(applied)),
    );
    expect(afterFirstSlice).toBeGreaterThan(0);
    expect(afterFirstSlice).toBeLessThan(128 * 20);
    // I/O that comes meanwhile (a socket, a commit, a timer) runs before the queue is drained.
    const appliedWhenOtherWorkRan = await new Promise<number>((resolve) =>
      setTimeout(() => resolve(applied), 0),
    );
    expect(appliedWhenOtherWorkRan).toBeLessThan(128 * 20);
    await queue.drained();
    expect(applied).toBe(128 * 20);
  });

  it('tells since when facts have been waiting, until it runs dry', async () => {
    let now = 1000;
    const queue = new FactQueue(
      () => undefined,
      (err) => {
        throw err;
      },
      () => now,
    );
    expect(queue.waitingSince).toBeUndefined();
    queue.push(fact(1, 1));
    now = 5000;
    queue.push(fact(2, 2));
    // The rules are behind by 4 s: what came since 1000 has not reached them.
    expect(queue.waitingSince).toBe(1000);
    await queue.drained();
    expect(queue.waitingSince).toBeUndefined();
    queue.push(fact(3, 3));
    expect(queue.waitingSince).toBe(5000);
    await queue.drained();
  });

  it('stops within its budget, dropping what is left (the history holds it)', async () => {
    let applied = 0;
    const queue = new FactQueue(
      (b) => {
        applied += b.length;
      },
      (err) => {
        throw err;
      },
    );
    for (let i = 0; i < 1000; i++) queue.push(fact(i, i));
    // A budget of 0 ms: one batch, then the rest is dropped.
    expect(queue.finish(0)).toBe(1000 - 128);
    expect(applied).toBe(128);
    expect(queue.length).toBe(0);
    await queue.drained();
    expect(queue.waitingSince).toBeUndefined();
  });

  it('reports a failing batch and goes on with the next', async () => {
    const errors: unknown[] = [];
    let applied = 0;
    const queue = new FactQueue(
      (b) => {
        if (b[0]!.t === 0) throw new Error('bad batch');
        applied += b.length;
      },
      (err) => errors.push(err),
    );
    for (let i = 0; i < 256; i++) queue.push(fact(i, i));
    await queue.drained();
    expect(errors).toHaveLength(1);
    expect(applied).toBe(128);
  });
});
