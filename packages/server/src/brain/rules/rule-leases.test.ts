import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../../store/index.js';
import { SqliteStore } from '../../store/sqlite/index.js';
import { RULE_LEASES, RuleLeases, type RuleLease, type RuleLeasesOptions } from './rule-leases.js';

const RULES = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'];

describe('rule leases in the store', () => {
  let store: SqliteStore;
  const nodes: RuleLeases[] = [];
  const logs: { msg: string; rule?: string }[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (l: string) => void logs.push(JSON.parse(l) as { msg: string }) },
  );

  const node = async (nodeId: string, options: Partial<RuleLeasesOptions> = {}) => {
    const leases = new RuleLeases({
      store,
      nodeId,
      ttlMs: 600,
      renewMs: 100,
      logger,
      ...options,
    });
    nodes.push(leases);
    await leases.start(() => {});
    await leases.setRules(RULES);
    return leases;
  };
  /** Who holds each rule, as the nodes see it (a rule held twice shows both). */
  const holders = (of: RuleLeases[]) =>
    RULES.map((r) => of.flatMap((n, i) => (n.holds(r) ? [i] : [])));

  beforeEach(() => {
    store = new SqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'cb-leases-')), 'db.sqlite') });
    logs.length = 0;
  });
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.stop();
    await store.close();
  });

  it('shares the rules among the live nodes, each rule held by exactly one', async () => {
    const three = [await node('a'), await node('b'), await node('c')];
    await vi.waitFor(() => {
      expect(holders(three).every((h) => h.length === 1)).toBe(true);
      expect(three.map((n) => n.size).sort()).toEqual([2, 2, 3]);
    });
    const stored = await store.collection<RuleLease>(RULE_LEASES).list();
    for (const { id, doc } of stored) expect(three[['a', 'b', 'c'].indexOf(doc.holder)]!.holds(id));
  });

  it('gives a node that joins its share, and takes a stopped node’s rules at once', async () => {
    const a = await node('a', { ttlMs: 3000 });
    expect(a.size).toBe(7);
    const b = await node('b', { ttlMs: 3000 });
    await vi.waitFor(() => expect([a.size, b.size].sort()).toEqual([3, 4]));
    expect(holders([a, b]).every((h) => h.length === 1)).toBe(true);
    const stopped = Date.now();
    await a.stop();
    await vi.waitFor(() => expect(b.size).toBe(7));
    // Given up at stop: taken at b's next round, well before a lease would have expired.
    expect(Date.now() - stopped).toBeLessThan(1500);
  });

  it('takes the rules of a node that stopped renewing after their lease expired, not before', async () => {
    let dead = false;
    const a = await node('a', { store: failing(store, () => dead) });
    const b = await node('b');
    await vi.waitFor(() => expect(a.size + b.size).toBe(7));
    await vi.waitFor(() => expect(a.size).toBeGreaterThan(0));
    const ofA = RULES.filter((r) => a.holds(r));
    dead = true;
    const died = Date.now();
    await vi.waitFor(() => expect(b.size).toBe(7), { timeout: 3000 });
    const after = Date.now() - died;
    // The last renewal was at most one round before: its lease ran for a TTL from it.
    expect(after).toBeGreaterThanOrEqual(600 - 100 - 50);
    expect(after).toBeLessThan(1500);
    // The dead node stopped counting itself a holder before the new one took over.
    for (const r of ofA) {
      expect(a.holds(r)).toBe(false);
      expect(await a.mayAct(r)).toBe(false);
    }
    const taken = logs.filter((l) => l.msg === 'rule taken over').map((l) => l.rule);
    expect(taken.sort()).toEqual(ofA.sort());
  });

  it('stops a node acting on a rule another node holds now: its clock, then the store, say so', async () => {
    let now = Date.now();
    const a = await node('a', { ttlMs: 10_000, renewMs: 3000, clock: () => now });
    expect(await a.mayAct('r1')).toBe(true);
    // Another node took the rule over (a's view is stale): the lease's epoch moved on.
    const leases = store.collection<RuleLease>(RULE_LEASES);
    const lease = (await leases.get('r1'))!;
    await leases.put('r1', { holder: 'b', epoch: lease.epoch + 1, expiresAt: now + 10_000 });
    now += 1500; // past the confirmation a decision may rely on
    expect(await a.mayAct('r1')).toBe(false);
    expect(a.holds('r1')).toBe(false);
    expect(logs.some((l) => l.msg.startsWith('rule lease lost') && l.rule === 'r1')).toBe(true);
    // Paused past its leases: it gives up acting on its own, without asking the store.
    expect(await a.mayAct('r2')).toBe(true);
    now += 8000;
    expect(await a.mayAct('r2')).toBe(false);
  });
});

/** The store, every collection call failing while `dead()` (a node cut off, or paused). */
function failing(store: Store, dead: () => boolean): Pick<Store, 'collection'> {
  return {
    collection<T>(name: string) {
      const c = store.collection<T>(name);
      const guard =
        <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
        (...a: A) =>
          dead() ? Promise.reject(new Error('cut off')) : f(...a);
      return {
        put: guard(c.put.bind(c)),
        get: guard(c.get.bind(c)),
        list: guard(c.list.bind(c)),
        delete: guard(c.delete.bind(c)),
        replaceIf: guard(c.replaceIf.bind(c)),
      };
    },
  };
}
