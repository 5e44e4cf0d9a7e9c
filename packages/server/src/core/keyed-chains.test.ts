import { describe, expect, it } from 'vitest';
import { KeyedChains } from './keyed-chains.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyedChains', () => {
  it('runs the tasks of a key in order, those of other keys side by side', async () => {
    const chains = new KeyedChains();
    const log: string[] = [];
    let releaseA!: () => void;
    const a1 = chains.run('a', async () => {
      log.push('a1 start');
      await new Promise<void>((r) => (releaseA = r));
      log.push('a1 end');
      return 1;
    });
    const a2 = chains.run('a', async () => {
      log.push('a2');
      return 2;
    });
    const b = chains.run('b', async () => {
      log.push('b');
      return 3;
    });
    await tick();
    // b did not wait for a1; a2 did.
    expect(log).toEqual(['a1 start', 'b']);
    expect(chains.busy).toBe(true);
    releaseA();
    expect(await Promise.all([a1, a2, b])).toEqual([1, 2, 3]);
    expect(log).toEqual(['a1 start', 'b', 'a1 end', 'a2']);
    await chains.idle();
    expect(chains.busy).toBe(false);
  });

  it('answers a failure to its caller and goes on with the key', async () => {
    const chains = new KeyedChains();
    const failed = chains.run('k', () => Promise.reject(new Error('no')));
    const next = chains.run('k', () => Promise.resolve('after'));
    await expect(failed).rejects.toThrow('no');
    expect(await next).toBe('after');
    await chains.idle();
  });
});
