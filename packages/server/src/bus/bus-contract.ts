import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BusErrorReporter } from './memory/index.js';
import type { Bus, BusEvent, BusHandler } from './port.js';

/** One logical bus for one test, that nodes (processes of a deployment) join. */
export interface BusUnderTest {
  /** Opens a node on this bus; a bus without `multiNode` is only ever asked for one. */
  node(onError: BusErrorReporter): Promise<Bus>;
  /** Opens a node whose connection `crash` cuts as a dying process would (durable buses). */
  crashableNode?(onError: BusErrorReporter): Promise<{ bus: Bus; crash(): Promise<void> }>;
  /** The dead letters kept so far (durable buses). */
  deadLetters?(): Promise<{ group: string; event?: BusEvent; reason: string }[]>;
  /** Removes what the test left on the server. */
  cleanup(): Promise<void>;
}

/** Opens a fresh, isolated bus for one test. */
export type OpenBus = () => Promise<BusUnderTest>;

/** What an adapter promises beyond the common behaviour. */
export interface BusCapabilities {
  /**
   * Group positions outlive their members and nodes, unacknowledged events are redelivered,
   * rejected ones retried then dead-lettered, and several nodes share one bus.
   */
  durable: boolean;
  /** Deliveries of a rejected event before it is dead-lettered (durable buses). */
  maxDeliveries?: number;
}

/** An event of `topic` for `key`, with `n` as payload and time. */
export const busEvent = (topic: string, key: string, n: number): BusEvent => ({
  topic,
  key,
  time: n,
  payload: { n },
});
const numberOf = (e: BusEvent) => (e.payload as { n: number }).n;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until `done()` holds; fails with `what` after `ms`. */
export async function waitFor(what: string, done: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Events 0..count-1 spread over `keys` keys, interleaved, numbered in publish order. */
const spread = (topic: string, keys: number, count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => busEvent(topic, `urn:k:${(from + i) % keys}`, from + i));

/** Asserts that every key's events came in increasing order. */
function expectOrderPerKey(seen: readonly BusEvent[]): void {
  const last = new Map<string, number>();
  for (const e of seen) {
    expect(numberOf(e), `order of ${e.key}`).toBeGreaterThan(last.get(e.key) ?? -1);
    last.set(e.key, numberOf(e));
  }
}

/**
 * The behaviour every `Bus` adapter must show (run from each adapter's test file): broadcast,
 * groups, per-key order, topic patterns, unsubscribe and close; and for durable adapters replay,
 * redelivery after a crash or a rejection, dead letters and several nodes.
 */
export function describeBusContract(name: string, open: OpenBus, capabilities: BusCapabilities) {
  describe(`Bus contract: ${name}`, () => {
    let opened: BusUnderTest;
    let nodes: Bus[];
    let errors: { err: unknown; event: BusEvent }[];
    const onError: BusErrorReporter = (err, event) => void errors.push({ err, event });
    const node = async () => {
      const bus = await opened.node(onError);
      nodes.push(bus);
      return bus;
    };
    beforeEach(async () => {
      opened = await open();
      nodes = [];
      errors = [];
    });
    afterEach(async () => {
      await Promise.allSettled(nodes.map((n) => n.close()));
      await opened.cleanup();
    });

    it('delivers every event to every subscriber without a group, in order', async () => {
      const bus = await node();
      const all: number[] = [];
      const entities: number[] = [];
      await bus.subscribe({ topic: '*' }, (e) => void all.push(numberOf(e)));
      await bus.subscribe({ topic: 'entity.*' }, (e) => void entities.push(numberOf(e)));
      await bus.publish([1, 2, 3].map((n) => busEvent('entity.changed', 'urn:x', n)));
      await bus.publish([busEvent('alert.raised', 'urn:y', 4)]);
      await waitFor('4 events', () => all.length === 4 && entities.length === 3);
      expect(all).toEqual([1, 2, 3, 4]);
      expect(entities).toEqual([1, 2, 3]);
    });

    it('delivers once what several nodes publish with one publish-once id', async () => {
      const a = await node();
      const b = await node();
      const plain: number[] = [];
      const grouped: number[] = [];
      await a.subscribe({ topic: 'tick' }, (e) => void plain.push(numberOf(e)));
      await a.subscribe({ topic: 'tick', group: 'g' }, (e) => void grouped.push(numberOf(e)));
      await b.subscribe({ topic: 'tick', group: 'g' }, (e) => void grouped.push(numberOf(e)));
      const tick = (n: number, slot: number) => ({
        ...busEvent('tick', 'subscription-1', n),
        onceId: `subscription-1/${slot}`,
      });
      await a.publish([tick(1, 1)]);
      await b.publish([tick(2, 1)]);
      await b.publish([tick(3, 2), busEvent('tick', 'subscription-1', 4)]);
      await waitFor('three events', () => plain.length >= 3 && grouped.length >= 3);
      await sleep(300);
      expect(plain.sort()).toEqual([1, 3, 4]);
      expect(grouped.sort()).toEqual([1, 3, 4]);
    });

    it('starts a new subscriber or group with the events published after it subscribed', async () => {
      const bus = await node();
      await bus.publish([busEvent('obs', 'k', 1), busEvent('obs', 'k', 2)]);
      const plain: number[] = [];
      const grouped: number[] = [];
      await bus.subscribe({ topic: 'obs' }, (e) => void plain.push(numberOf(e)));
      await bus.subscribe({ topic: 'obs', group: 'new' }, (e) => void grouped.push(numberOf(e)));
      await bus.publish([busEvent('obs', 'k', 3)]);
      await waitFor('event 3', () => plain.length > 0 && grouped.length > 0);
      await sleep(200);
      expect(plain).toEqual([3]);
      expect(grouped).toEqual([3]);
    });

    it('hands each event of a group to exactly one member, spreading keys over them', async () => {
      const bus = await node();
      const byMember: BusEvent[][] = [[], []];
      for (const seen of byMember)
        await bus.subscribe({ topic: 'obs', group: 'rules' }, (e) => void seen.push(e));
      // Ten publishes, as ten commits would make: a durable bus hands out what one publish
      // stored for a partition as one unit.
      for (let i = 0; i < 10; i++) await bus.publish(spread('obs', 50, 20, i * 20));
      await waitFor('200 events', () => byMember.flat().length >= 200);
      await sleep(300);
      const handled = byMember.flat().map(numberOf);
      expect(handled).toHaveLength(200);
      expect(new Set(handled).size).toBe(200);
      for (const seen of byMember) expect(seen.length).toBeGreaterThan(0);
    });

    it('keeps the order of each key, in a group of two members and for a subscriber', async () => {
      const bus = await node();
      const inGroup: BusEvent[] = [];
      const broadcast: BusEvent[] = [];
      // Handlers that take varying time, so that nothing but the bus keeps them in order.
      const slow: BusHandler = async (e) => {
        inGroup.push(e);
        await sleep(Math.random() * 3);
      };
      await bus.subscribe({ topic: 'obs', group: 'rules' }, slow);
      await bus.subscribe({ topic: 'obs', group: 'rules' }, slow);
      await bus.subscribe({ topic: 'obs' }, async (e) => {
        broadcast.push(e);
        await sleep(Math.random());
      });
      for (let batch = 0; batch < 5; batch++) await bus.publish(spread('obs', 20, 60, batch * 60));
      await waitFor('300 events twice', () => inGroup.length >= 300 && broadcast.length >= 300);
      expectOrderPerKey(inGroup);
      expectOrderPerKey(broadcast);
      // A subscriber gets each event once, and a publish's events after the previous ones'.
      expect(broadcast.map(numberOf).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 300 }, (_, i) => i),
      );
      const batches = broadcast.map((e) => Math.floor(numberOf(e) / 60));
      expect(batches).toEqual(batches.slice().sort((a, b) => a - b));
    });

    it('matches topic patterns and carries any key and JSON payload intact', async () => {
      const bus = await node();
      const seen = new Map<string, string[]>();
      for (const topic of ['a.b', 'a.*', 'a.b.*', '*']) {
        seen.set(topic, []);
        await bus.subscribe({ topic }, (e) => void seen.get(topic)!.push(e.topic));
      }
      const grouped: BusEvent[] = [];
      await bus.subscribe({ topic: 'a.*', group: 'g' }, (e) => void grouped.push(e));
      const topics = ['a.b', 'a.b.c', 'a', 'ab.c', 'x.y', 'a.bc'];
      const key = 'urn:ngsi-ld:Road:a.b/c d*>';
      const payload = { nested: [1, 'two', { three: null }], text: 'é ✓' };
      await bus.publish(topics.map((topic, n) => ({ topic, key, time: n, payload })));
      await waitFor('every match', () => seen.get('*')!.length === 6 && grouped.length === 3);
      await sleep(200);
      expect(seen.get('a.b')).toEqual(['a.b']);
      expect(seen.get('a.*')).toEqual(['a.b', 'a.b.c', 'a.bc']);
      expect(seen.get('a.b.*')).toEqual(['a.b.c']);
      expect(seen.get('*')).toEqual(topics);
      expect(grouped).toEqual([
        { topic: 'a.b', key, time: 0, payload },
        { topic: 'a.b.c', key, time: 1, payload },
        { topic: 'a.bc', key, time: 5, payload },
      ]);
    });

    it('stops delivering once unsubscribe resolved, with or without a group', async () => {
      const bus = await node();
      const kept: number[] = [];
      const left: number[] = [];
      await bus.subscribe({ topic: 't' }, (e) => void kept.push(numberOf(e)));
      const plain = await bus.subscribe({ topic: 't' }, (e) => void left.push(numberOf(e)));
      const member = await bus.subscribe({ topic: 't', group: 'g' }, async (e) => {
        left.push(numberOf(e));
        await sleep(5);
      });
      await bus.publish(spread('t', 3, 30));
      // Leave while events are still being handled: none may start afterwards.
      await waitFor('a first event', () => left.length > 0);
      await Promise.all([plain.unsubscribe(), member.unsubscribe()]);
      const handledBefore = left.length;
      await bus.publish(spread('t', 3, 10, 30));
      await waitFor('the remaining subscriber', () => kept.length === 40);
      await sleep(300);
      expect(left).toHaveLength(handledBefore);
      expect(left.every((n) => n < 30)).toBe(true);
    });

    it('closes after handlers in flight finished, then delivers nothing and refuses publishes', async () => {
      const bus = await node();
      const log: string[] = [];
      const slow = (who: string) => async (e: BusEvent) => {
        log.push(`${who} start ${numberOf(e)}`);
        await sleep(200);
        log.push(`${who} end ${numberOf(e)}`);
      };
      await bus.subscribe({ topic: 't' }, slow('plain'));
      await bus.subscribe({ topic: 't', group: 'g' }, slow('member'));
      for (const n of [1, 2, 3]) await bus.publish([busEvent('t', 'k', n)]);
      await waitFor('both handlers started', () => log.length === 2);
      await bus.close();
      log.push('closed');
      await sleep(400);
      expect(log.slice(2).sort()).toEqual(['closed', 'member end 1', 'plain end 1'].sort());
      expect(log.at(-1)).toBe('closed');
      await expect(bus.publish([busEvent('t', 'k', 4)])).rejects.toThrow();
      await expect(bus.subscribe({ topic: 't' }, () => {})).rejects.toThrow();
      await bus.close();
    });

    // Only adapters that keep events are held to this part (the memory bus keeps nothing).
    if (capabilities.durable)
      describe('durable', () => {
        it('replays to a group what was published while all its members were gone', async () => {
          const first = await node();
          const before: number[] = [];
          const sub = await first.subscribe({ topic: 'obs', group: 'g' }, (e) => {
            before.push(numberOf(e));
          });
          await first.publish([busEvent('obs', 'k', 0)]);
          await waitFor('the first event', () => before.length === 1);
          await sub.unsubscribe();
          await first.publish(spread('obs', 4, 12, 1));
          await first.close();
          const after: BusEvent[] = [];
          await (await node()).subscribe({ topic: 'obs', group: 'g' }, (e) => void after.push(e));
          await waitFor('the replay', () => after.length >= 12);
          await sleep(300);
          expect(after.map(numberOf).sort((a, b) => a - b)).toEqual(
            Array.from({ length: 12 }, (_, i) => i + 1),
          );
          expectOrderPerKey(after);
        });

        it('redelivers to another node an event whose handler a crash cut off', async () => {
          const crashable = await opened.crashableNode!(onError);
          nodes.push(crashable.bus);
          const started: number[] = [];
          let release = () => {};
          await crashable.bus.subscribe({ topic: 'obs', group: 'g' }, (e) => {
            started.push(numberOf(e));
            return new Promise<void>((r) => (release = r));
          });
          await crashable.bus.publish([busEvent('obs', 'k', 1), busEvent('obs', 'k', 2)]);
          await waitFor('the handler to start', () => started.length === 1);
          // Long enough for an acknowledgement sent too early to reach the server.
          await sleep(300);
          await crashable.crash();
          const survivor: number[] = [];
          await (
            await node()
          ).subscribe({ topic: 'obs', group: 'g' }, (e) => {
            survivor.push(numberOf(e));
          });
          await waitFor('the redelivery', () => survivor.length >= 2);
          release();
          expect(started).toEqual([1]);
          expect(survivor).toEqual([1, 2]);
        });

        it('retries a rejected event, then keeps it as a dead letter and reports it', async () => {
          const bus = await node();
          const attempts = new Map<string, number>();
          const order: string[] = [];
          await bus.subscribe({ topic: 'obs', group: 'g' }, (e) => {
            const id = `${e.key}#${numberOf(e)}`;
            attempts.set(id, (attempts.get(id) ?? 0) + 1);
            order.push(id);
            if (e.key === 'bad' && numberOf(e) === 1) throw new Error('cannot handle bad#1');
            if (e.key === 'flaky' && attempts.get(id) === 1) throw new Error('not yet');
          });
          await bus.publish([
            busEvent('obs', 'bad', 1),
            busEvent('obs', 'flaky', 1),
            busEvent('obs', 'bad', 2),
          ]);
          await waitFor('bad#2', () => attempts.has('bad#2') && attempts.has('flaky#1'));
          const max = capabilities.maxDeliveries ?? 1;
          expect(attempts.get('bad#1')).toBe(max);
          expect(attempts.get('flaky#1')).toBe(2);
          // bad#2 waited for bad#1 to be given up: one key, one event at a time, in order.
          expect(order.lastIndexOf('bad#1')).toBeLessThan(order.indexOf('bad#2'));
          await waitFor('the report', () => errors.length > 0);
          expect(errors).toHaveLength(1);
          expect(errors[0]!.event).toEqual(busEvent('obs', 'bad', 1));
          expect(String(errors[0]!.err)).toContain('cannot handle bad#1');
          const letters = await opened.deadLetters!();
          expect(letters).toHaveLength(1);
          expect(letters[0]).toMatchObject({ group: 'g', event: busEvent('obs', 'bad', 1) });
          expect(letters[0]!.reason).toContain('cannot handle bad#1');
        });

        it('shares a group with a second node that joins: none lost, none twice, in order', async () => {
          const a = await node();
          const byNode: BusEvent[][] = [[], []];
          const both: BusEvent[] = [];
          const member = (seen: BusEvent[]) => (e: BusEvent) => {
            seen.push(e);
            both.push(e);
          };
          await a.subscribe({ topic: 'obs', group: 'g' }, member(byNode[0]!));
          await a.publish(spread('obs', 40, 100));
          const b = await node();
          await b.subscribe({ topic: 'obs', group: 'g' }, member(byNode[1]!));
          await b.publish(spread('obs', 40, 100, 100));
          await a.publish(spread('obs', 40, 100, 200));
          await waitFor('300 events', () => byNode.flat().length >= 300);
          await sleep(300);
          const handled = byNode.flat().map(numberOf);
          expect(handled.sort((x, y) => x - y)).toEqual(Array.from({ length: 300 }, (_, i) => i));
          expect(byNode[1]!.length).toBeGreaterThan(0);
          expect(byNode[0]!.length).toBeGreaterThan(0);
          expectOrderPerKey(both);
        });
      });
  });
}
