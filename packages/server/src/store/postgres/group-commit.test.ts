import { describe, expect, it } from 'vitest';
import { AsyncGroupCommit, type Outcome } from './group-commit.js';

describe('AsyncGroupCommit', () => {
  it('groups what arrives while a group runs, in order, one group at a time', async () => {
    const groups: number[][] = [];
    let running = 0;
    const commit = new AsyncGroupCommit<number, number>(async (items) => {
      running++;
      expect(running).toBe(1);
      groups.push([...items]);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return items.map((n): Outcome<number> => ({ ok: true, value: n * 10 }));
    });
    const first = [commit.submit(1), commit.submit(2)];
    await new Promise((r) => setImmediate(r)); // the first group has started
    const later = [commit.submit(3), commit.submit(4), commit.submit(5)];
    expect(await Promise.all([...first, ...later])).toEqual([10, 20, 30, 40, 50]);
    expect(groups).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    await commit.idle();
  });

  it('fails one item alone, or the whole group when the run throws, and keeps going', async () => {
    let fail = false;
    const commit = new AsyncGroupCommit<number, number>(async (items) => {
      if (fail) throw new Error('down');
      return items.map((n): Outcome<number> =>
        n < 0 ? { ok: false, error: new Error(`bad ${n}`) } : { ok: true, value: n },
      );
    });
    const [a, b] = await Promise.allSettled([commit.submit(1), commit.submit(-1)]);
    expect(a).toEqual({ status: 'fulfilled', value: 1 });
    expect(b).toMatchObject({ status: 'rejected', reason: { message: 'bad -1' } });
    fail = true;
    await expect(Promise.all([commit.submit(2), commit.submit(3)])).rejects.toThrow('down');
    fail = false;
    expect(await commit.submit(4)).toBe(4);
  });
});
