import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serviceAvailable, SERVICES } from '../../../tests/helpers/services.js';
import { CityError } from '../../core/index.js';
import { busEvent, describeBusContract, waitFor, type OpenBus } from '../bus-contract.js';
import type { BusErrorReporter } from '../memory/index.js';
import type { BusEvent } from '../port.js';
import { startCuttableProxy, type CuttableProxy } from './cuttable-proxy.js';
import { NatsBus, type NatsBusOptions } from './nats-bus.js';

const nats = await serviceAvailable('nats');

// Short timings so that redelivery and dead-lettering happen within a test.
const fast = {
  ackWait: 1000,
  retryBackoff: [100, 200],
  maxDeliveries: 3,
  partitions: 8,
  publishTimeout: 1500,
};

describe.skipIf(!nats)('NatsBus on the real nats-server', () => {
  let admin: NatsConnection;
  let jsm: JetStreamManager;
  beforeAll(async () => {
    admin = await connect({ servers: SERVICES.nats });
    jsm = await jetstreamManager(admin);
  });
  afterAll(async () => {
    await admin?.close();
  });

  /** Waits until no group consumer of `stream` has an event out without a confirmed ack. */
  async function waitForAcks(stream: string): Promise<void> {
    const until = Date.now() + 15_000;
    for (;;) {
      let out = 0;
      for await (const c of jsm.consumers.list(stream))
        if (c.config.durable_name) out += c.num_ack_pending;
      if (out === 0) return;
      if (Date.now() > until) throw new Error(`${out} events still unacknowledged`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Options of a bus on streams and subjects of its own, and how to remove them. */
  function isolated() {
    const id = randomBytes(5).toString('hex');
    const proxies: CuttableProxy[] = [];
    const base = {
      servers: SERVICES.nats,
      stream: `TEST_${id}`,
      subjectPrefix: `test-${id}`,
      ...fast,
    } satisfies Partial<NatsBusOptions>;
    return {
      base,
      proxies,
      cleanup: async () => {
        await Promise.all(proxies.map((p) => p.cut()));
        for (const stream of [base.stream, `${base.stream}_DEAD`])
          await jsm.streams.delete(stream).catch(() => undefined);
      },
    };
  }

  const open: OpenBus = async () => {
    const { base, proxies, cleanup } = isolated();
    return {
      node: (onError) => NatsBus.connect({ ...base, onError }),
      async crashableNode(onError) {
        const proxy = await startCuttableProxy(SERVICES.nats);
        proxies.push(proxy);
        const bus = await NatsBus.connect({ ...base, servers: proxy.url, onError });
        return { bus, crash: () => proxy.cut() };
      },
      async deadLetters() {
        const bus = await NatsBus.connect({ ...base, onError: () => {} });
        try {
          return await bus.deadLetters();
        } finally {
          await bus.close();
        }
      },
      cleanup,
    };
  };

  describeBusContract('nats', open, { durable: true, maxDeliveries: fast.maxDeliveries });

  describe('JetStream specifics', () => {
    let env: ReturnType<typeof isolated>;
    const buses: NatsBus[] = [];
    const errors: { err: unknown; event: BusEvent }[] = [];
    const onError: BusErrorReporter = (err, event) => void errors.push({ err, event });
    const start = async (extra: Partial<NatsBusOptions> = {}) => {
      const bus = await NatsBus.connect({ ...env.base, onError, ...extra });
      buses.push(bus);
      return bus;
    };
    const fresh = () => {
      env = isolated();
      errors.length = 0;
    };
    afterEach(async () => {
      await Promise.allSettled(buses.splice(0).map((b) => b.close()));
      await env.cleanup();
    });

    it('has stored every event when publish resolves, keys kept out of subjects', async () => {
      fresh();
      const bus = await start();
      const key = 'urn:ngsi-ld:Sensor:a.b/c';
      const events = Array.from({ length: 50 }, (_, n) => busEvent('obs.accepted', key, n));
      await bus.publish(events);
      // One key, one subject: the publish stored its events as one message, in order.
      const { state } = await jsm.streams.info(env.base.stream);
      expect(state.messages).toBe(1);
      const first = await jsm.streams.getMessage(env.base.stream, { seq: state.first_seq });
      expect(first?.subject).toMatch(
        new RegExp(`^${env.base.subjectPrefix}\\.[0-7]\\.obs\\.accepted$`),
      );
      expect(first?.json()).toEqual(events);
    });

    it('stores one message per partition and topic of a publish, not one per event', async () => {
      fresh();
      const bus = await start();
      const events = Array.from({ length: 400 }, (_, n) =>
        busEvent(n % 2 ? 'entity.changed' : 'obs.accepted', `urn:k:${n % 100}`, n),
      );
      await bus.publish(events);
      const { state } = await jsm.streams.info(env.base.stream);
      // 100 keys over the partitions, two topics: at most one message per (partition, topic).
      expect(state.messages).toBeLessThanOrEqual(2 * fast.partitions);
      expect(state.messages).toBeGreaterThan(2);
    });

    it('retries a message from its failed event: those before it are not handled twice', async () => {
      fresh();
      const bus = await start();
      const calls: string[] = [];
      let failures = 1;
      await bus.subscribe({ topic: 'obs', group: 'g' }, (e) => {
        const n = (e.payload as { n: number }).n;
        if (n === 1 && failures-- > 0) {
          calls.push(`fail ${n}`);
          throw new Error('busy');
        }
        calls.push(`ok ${n}`);
      });
      await bus.publish([0, 1, 2].map((n) => busEvent('obs', 'k', n)));
      await waitFor('all three', () => calls.includes('ok 2'));
      await new Promise((r) => setTimeout(r, 300));
      expect(calls).toEqual(['ok 0', 'fail 1', 'ok 1', 'ok 2']);
    });

    it('dead-letters only the event that keeps failing; the rest of its message goes on', async () => {
      fresh();
      const bus = await start();
      const handled: number[] = [];
      await bus.subscribe({ topic: 'obs', group: 'g' }, (e) => {
        const n = (e.payload as { n: number }).n;
        if (n === 1) throw new Error('never works');
        handled.push(n);
      });
      await bus.publish([0, 1, 2].map((n) => busEvent('obs', 'k', n)));
      await waitFor('the rest of the message', () => handled.includes(2));
      expect(handled).toEqual([0, 2]);
      const letters = await bus.deadLetters();
      expect(letters.map((l) => (l.event?.payload as { n: number }).n)).toEqual([1]);
      expect(letters[0]!.reason).toBe('never works');
      expect(errors.map((e) => (e.event.payload as { n: number }).n)).toEqual([1]);
    });

    it('lets a closing member finish the events it holds, so that the group handles none twice', async () => {
      fresh();
      const first = await start();
      const handled: number[] = [];
      await first.subscribe({ topic: 'obs', group: 'g' }, async (e) => {
        handled.push((e.payload as { n: number }).n);
        await new Promise((r) => setTimeout(r, 100));
      });
      await first.publish(Array.from({ length: 5 }, (_, n) => busEvent('obs', 'k', n)));
      await waitFor('the first event', () => handled.length > 0);
      await first.close();
      expect(handled).toEqual([0, 1, 2, 3, 4]);
      // Past the ack wait, a member that joins gets nothing again.
      const second = await start();
      await second.subscribe({ topic: 'obs', group: 'g' }, (e) => {
        handled.push((e.payload as { n: number }).n);
      });
      await new Promise((r) => setTimeout(r, fast.ackWait + 500));
      expect(handled).toEqual([0, 1, 2, 3, 4]);
    });

    it('rejects a publish the server cannot confirm, and a start without a server', async () => {
      fresh();
      const proxy = await startCuttableProxy(SERVICES.nats);
      env.proxies.push(proxy);
      const bus = await start({ servers: proxy.url });
      await proxy.cut();
      const failed = await bus.publish([busEvent('t', 'k', 1)]).catch((err: unknown) => err);
      expect(failed).toBeInstanceOf(CityError);
      expect((failed as CityError).code).toBe('ServiceUnavailable');

      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const port = (closed.address() as { port: number }).port;
      await new Promise((r) => closed.close(r));
      const refused = await NatsBus.connect({
        ...env.base,
        servers: `nats://127.0.0.1:${port}`,
        onError,
      }).catch((err: unknown) => err);
      expect((refused as CityError).code).toBe('ServiceUnavailable');
    });

    it('resumes every subscription after a lost connection, missing nothing', async () => {
      fresh();
      const proxy = await startCuttableProxy(SERVICES.nats);
      env.proxies.push(proxy);
      const flaky = await start({ servers: proxy.url });
      const other = await start();
      const plain: number[] = [];
      const grouped: number[] = [];
      await flaky.subscribe(
        { topic: 'obs' },
        (e) => void plain.push((e.payload as { n: number }).n),
      );
      await flaky.subscribe({ topic: 'obs', group: 'g' }, (e) => {
        grouped.push((e.payload as { n: number }).n);
      });
      await other.publish([busEvent('obs', 'k', 0)]);
      await waitFor('the first event', () => plain.length === 1 && grouped.length === 1);
      // Let its ack arrive: an ack lost in the blip would rightly mean one more delivery. A
      // fixed pause was not enough on a loaded machine (the ack came late, the event twice).
      await waitForAcks(env.base.stream);
      proxy.blip();
      await other.publish([1, 2, 3].map((n) => busEvent('obs', 'k', n)));
      await waitFor('the events of the outage', () => plain.length >= 4 && grouped.length >= 4);
      expect({ plain, grouped }).toEqual({ plain: [0, 1, 2, 3], grouped: [0, 1, 2, 3] });
      await flaky.publish([busEvent('obs', 'k', 4)]);
      await waitFor('an event after it', () => plain.length >= 5 && grouped.length >= 5);
      expect(plain).toEqual([0, 1, 2, 3, 4]);
      expect(grouped).toEqual([0, 1, 2, 3, 4]);
    });

    it('reports, terminates and dead-letters messages that are not events, and goes on', async () => {
      fresh();
      const bus = await start();
      const grouped: BusEvent[] = [];
      const plain: BusEvent[] = [];
      await bus.subscribe({ topic: 'obs', group: 'g' }, (e) => void grouped.push(e));
      await bus.subscribe({ topic: 'obs' }, (e) => void plain.push(e));
      const js = jetstream(admin);
      await js.publish(`${env.base.subjectPrefix}.0.obs`, 'not json');
      await js.publish(`${env.base.subjectPrefix}.0.obs`, JSON.stringify({ topic: 1 }));
      await bus.publish([busEvent('obs', 'k', 7)]);
      await waitFor('the good event', () => grouped.length === 1 && plain.length === 1);
      await waitFor('four reports', () => errors.length === 4);
      for (const { err, event } of errors) {
        expect((err as CityError).code).toBe('BadRequestData');
        expect(event.topic).toBe('obs');
      }
      expect(grouped).toEqual([busEvent('obs', 'k', 7)]);
      const letters = await bus.deadLetters();
      expect(letters.map((l) => l.raw)).toEqual(['not json', '{"topic":1}']);
      expect(letters[0]).toMatchObject({ group: 'g', pattern: 'obs', deliveries: 1 });
    });

    it('starts several nodes together, and refuses a node with another partition count', async () => {
      fresh();
      await Promise.all([start(), start(), start()]);
      expect((await jsm.streams.info(env.base.stream)).config.max_age).toBe(7 * 86_400e9);
      await start({ maxAge: 3_600_000 });
      expect((await jsm.streams.info(env.base.stream)).config.max_age).toBe(3_600e9);
      const other = await start({ partitions: 3 }).catch((err: unknown) => err);
      expect((other as CityError).code).toBe('InvalidRequest');
      expect((other as CityError).message).toContain('partitions');
    });

    it('keeps a durable consumer per partition of a group, after its members left', async () => {
      fresh();
      const bus = await start();
      const sub = await bus.subscribe({ topic: 'entity.*', group: 'cockpit push' }, () => {});
      await sub.unsubscribe();
      const names: string[] = [];
      for await (const c of jsm.consumers.list(env.base.stream)) names.push(c.name);
      expect(names).toHaveLength(fast.partitions);
      for (const name of names)
        expect(name).toMatch(/^g_cockpit-push_entity--_[0-9a-f]{12}_[0-7]$/);
    });
  });
});
