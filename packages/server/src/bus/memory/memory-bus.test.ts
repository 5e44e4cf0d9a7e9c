import { describe, expect, it } from 'vitest';
import type { BusEvent } from '../port.js';
import { MemoryBus, topicMatches } from './memory-bus.js';

const event = (topic: string, key: string, n: number): BusEvent => ({
  topic,
  key,
  time: n,
  payload: n,
});
const settle = () => new Promise((r) => setTimeout(r, 10));

describe('MemoryBus', () => {
  it('delivers every event to every plain subscriber, in order', async () => {
    const bus = new MemoryBus(() => {});
    const a: number[] = [];
    const b: number[] = [];
    await bus.subscribe({ topic: 'entity.*' }, (e) => void a.push(e.payload as number));
    await bus.subscribe({ topic: '*' }, (e) => void b.push(e.payload as number));
    await bus.publish([1, 2, 3].map((n) => event('entity.changed', 'x', n)));
    await bus.publish([event('alert.raised', 'y', 4)]);
    await settle();
    expect(a).toEqual([1, 2, 3]);
    expect(b).toEqual([1, 2, 3, 4]);
  });

  it('shares a group so each event is handled once, one key always by the same member', async () => {
    const bus = new MemoryBus(() => {});
    const seen = new Map<string, Set<number>>();
    let handled = 0;
    for (const member of [0, 1, 2])
      await bus.subscribe({ topic: 'obs', group: 'rules' }, (e) => {
        handled++;
        const set = seen.get(e.key) ?? new Set<number>();
        set.add(member);
        seen.set(e.key, set);
      });
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
    await bus.publish(keys.flatMap((k, i) => [event('obs', k, i), event('obs', k, i + 100)]));
    await settle();
    expect(handled).toBe(60);
    for (const members of seen.values()) expect(members.size).toBe(1);
    expect(new Set([...seen.values()].flatMap((s) => [...s])).size).toBeGreaterThan(1);
  });

  it('reports a failing handler and keeps delivering to it', async () => {
    const errors: unknown[] = [];
    const bus = new MemoryBus((err) => errors.push(err));
    const got: number[] = [];
    await bus.subscribe({ topic: 't' }, (e) => {
      if (e.payload === 1) throw new Error('boom');
      got.push(e.payload as number);
    });
    await bus.publish([event('t', 'k', 1), event('t', 'k', 2)]);
    await settle();
    expect(errors).toHaveLength(1);
    expect(got).toEqual([2]);
  });

  it('matches topic patterns', () => {
    expect(topicMatches('alert.*', 'alert.raised')).toBe(true);
    expect(topicMatches('alert.*', 'alerts.raised')).toBe(false);
    expect(topicMatches('alert.raised', 'alert.updated')).toBe(false);
  });
});
