import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../../store/index.js';
import type { RuleEngine } from './rule-engine.js';
import type { AggregateRule, ThresholdRule } from './rule-schema.js';
import { HOT as HOT_ROOM, RuleHarness, valueOf } from './testing/rule-harness.js';

// Nodes sharing one bus and one store (here: engines in one process on the memory bus and a
// real SQLite file) share the rules out by leases: each fact reaches every node, the holder
// of a rule evaluates it, and another node takes it over when the holder dies.

const CROWD: AggregateRule = {
  id: 'crowd',
  name: 'Crowd',
  kind: 'aggregate',
  status: 'active',
  severity: 'medium',
  category: 'safety',
  select: { entityType: 'Counter' },
  function: 'count',
  window: { type: 'tumbling', sizeSeconds: 60 },
  groupBy: 'all',
  operator: '>=',
  value: 10,
};
/** The harness's hot room, raising at once and clearing as soon as it is not hot. */
const HOT: ThresholdRule = { ...HOT_ROOM };
delete HOT.forSeconds;
delete HOT.clear;
const T0 = Date.UTC(2026, 10, 24, 8);
const s = (seconds: number) => T0 + seconds * 1000;
const counter = (n: number) => `urn:ngsi-ld:Counter:c${n}`;

describe('rules shared by nodes on one bus and one store', () => {
  let h: RuleHarness;
  const dead = new Set<string>();
  /** A node: its lease collections fail while it is `dead` (cut off from the store, paused). */
  const node = (id: string, rules: (AggregateRule | ThresholdRule)[], renewMs = 20) =>
    h.engine(rules, {
      store: cutOff(h.store, () => dead.has(id)),
      share: { nodeId: id, renewMs, ttlMs: 30_000 }, // on the harness's clock, moved by hand
    });
  const holder = (...nodes: RuleEngine[]) => nodes.filter((n) => n.rules.length > 0);

  beforeEach(async () => {
    h = new RuleHarness(T0);
    dead.clear();
    await h.listen();
  });
  afterEach(() => h.close());

  it('evaluates a city-wide count once, on the node holding it, with every fact', async () => {
    h.now = s(45);
    const a = await node('a', [CROWD]);
    const b = await node('b', [CROWD]);
    await vi.waitFor(() => expect(holder(a, b)).toHaveLength(1));
    const [held] = holder(a, b);
    for (let n = 1; n <= 12; n++) {
      h.now = s(47 + n);
      await h.observe(counter(n), s(47 + n), { people: 1 });
    }
    h.now = s(70);
    await h.observe(counter(1), s(70), { people: 1 });
    const [alert, ...more] = await h.alertList();
    expect(more).toEqual([]);
    expect(String(valueOf(alert, 'description'))).toMatch(/\(12\)$/);
    await expect((held === a ? b : a).stateSize()).resolves.toBe(0);
  });

  it('has another node take a dead holder’s rule over, rebuild it, and carry its alert on', async () => {
    h.now = s(45);
    const a = await node('a', [CROWD]);
    const b = await node('b', [CROWD]);
    await vi.waitFor(() => expect(holder(a, b)).toHaveLength(1));
    const [first] = holder(a, b);
    const next = first === a ? b : a;
    for (let n = 1; n <= 12; n++) {
      h.now = s(47 + n);
      await h.observe(counter(n), s(47 + n), { people: 1 });
    }
    h.now = s(70);
    await h.observe(counter(1), s(70), { people: 1 });
    const [raised] = await h.alertList();
    expect(valueOf(raised, 'status')).toBe('raised');
    const events = h.alertEvents.length;

    dead.add(first === a ? 'a' : 'b');
    h.now = s(101); // past the dead node's lease (30 s from its last renewal)
    await vi.waitFor(() => expect(holder(a, b)).toEqual([next]));
    await next.settled();
    // Rebuilt from the history: the alert stands, taken up again without a word.
    expect(h.alertEvents.length).toBe(events);
    expect(next.stats).toMatchObject({ rebuilds: 1, raisedOnRebuild: 0, resolvedOnRebuild: 0 });

    h.now = s(126);
    await h.observe(counter(2), s(126), { people: 1 }); // closes [60 s, 120 s): 1 fact
    const alerts = await h.alertList();
    expect(alerts.map((x) => [x.id, valueOf(x, 'status')])).toEqual([[raised!.id, 'resolved']]);
  });

  it('keeps a node whose lease lapsed (paused) from acting: the new holder alone raises', async () => {
    const a = await node('a', [HOT], 10_000); // renews rarely: its run outlives its lease
    await vi.waitFor(() => expect(a.rules).toHaveLength(1));
    await a.settled(); // rebuilt and live
    const b = await node('b', [HOT]);
    await b.settled();
    expect(b.rules).toHaveLength(0);
    dead.add('a');
    h.now = s(40); // a's lease ran out while it was paused; b takes the rule over
    await vi.waitFor(() => expect(b.rules).toHaveLength(1));
    expect(a.rules).toHaveLength(1); // a does not know yet
    await h.store.entities.create({ id: 'urn:ngsi-ld:Room:r1', type: 'Room' });
    await h.observe('urn:ngsi-ld:Room:r1', s(41), { temperature: 35 });
    const [alert, ...more] = await h.alertList();
    expect(more).toEqual([]);
    expect(valueOf(alert, 'status')).toBe('raised');
    expect(a.stats.fenced).toBe(1);
    expect(a.rules).toHaveLength(0);
  });
});

/** The store, the rule leases failing while `dead()` (a node cut off from it, or paused). */
function cutOff(store: Store, dead: () => boolean): Store {
  return new Proxy(store, {
    get(target, name) {
      if (name === 'collection')
        return <T>(collection: string) => {
          const c = target.collection<T>(collection);
          if (!collection.startsWith('rules.')) return c;
          return new Proxy(c, {
            get(inner, method) {
              const f: unknown = Reflect.get(inner, method, inner);
              if (typeof f !== 'function') return f;
              return (...args: unknown[]) =>
                dead()
                  ? Promise.reject(new Error('cut off'))
                  : (f as (...a: unknown[]) => unknown).apply(inner, args);
            },
          });
        };
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}
