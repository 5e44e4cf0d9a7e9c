import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Topics } from '../../bus/index.js';
import type { RuleEngine } from './rule-engine.js';
import type { Rule } from './rule-schema.js';
import { HOT, RuleHarness, valueOf } from './testing/rule-harness.js';

// The rules in a worker thread of their own, as a built node runs them: the compiled worker
// script (`npm test` builds first), a real SQLite file and the memory bus.

const SCRIPT = fileURLToPath(new URL('../../../dist/brain/rules/rule-worker.js', import.meta.url));
const T0 = Date.UTC(2026, 10, 24, 8);
const s = (seconds: number) => T0 + seconds * 1000;
const room = (n: number) => `urn:ngsi-ld:Room:r${n}`;

/** Ends the rules' thread as a crash would (the test reaches into the engine for it). */
async function crash(engine: RuleEngine): Promise<void> {
  const host = (engine as unknown as { host: { worker: { terminate(): Promise<number> } } }).host;
  await host.worker.terminate();
}

describe.skipIf(!existsSync(SCRIPT))('rules in a worker thread', () => {
  let h: RuleHarness;

  beforeEach(async () => {
    h = new RuleHarness(T0);
    await h.listen();
    for (const n of [1, 2]) await h.store.entities.create({ id: room(n), type: 'Room' });
  });
  afterEach(() => h.close());

  it('raises and resolves from the worker, with the same alerts as in this thread', async () => {
    const engine = await h.engine([HOT], { workerScript: SCRIPT });
    expect(engine.thread).toBe('worker');
    for (let t = 0; t <= 70; t += 10) {
      h.now = s(t);
      await h.observe(room(1), s(t), { temperature: 35 });
    }
    const [alert, ...more] = await h.alertList();
    expect(more).toEqual([]);
    expect(valueOf(alert, 'status')).toBe('raised');
    expect(valueOf(alert, 'dateIssued')).toBe(new Date(s(60)).toISOString());
    h.now = s(80);
    await h.observe(room(1), s(80), { temperature: 20 });
    expect((await h.alertList()).map((a) => valueOf(a, 'status'))).toEqual(['resolved']);
    expect(engine.engineStats().facts).toBe(9);
  });

  it('starts a new thread when the worker dies, rebuilds from the history, loses nothing', async () => {
    const engine = await h.engine([HOT], { workerScript: SCRIPT });
    for (let t = 0; t <= 70; t += 10) {
      h.now = s(t);
      await h.observe(room(1), s(t), { temperature: 35 });
    }
    const [raised] = await h.alertList();
    const events = h.alertEvents.length;
    await crash(engine);
    await expect
      .poll(() =>
        h.logged('the rules thread failed: every rule is rebuilt from the history in a new one'),
      )
      .toHaveLength(1);
    await engine.settled();
    expect(engine.thread).toBe('worker');
    expect(engine.stats.rebuilds).toBe(2); // at start, and after the crash
    // The standing alert is the same one, taken up quietly; the new thread evaluates on.
    expect(h.alertEvents.length).toBe(events);
    for (let t = 80; t <= 150; t += 10) {
      h.now = s(t);
      await h.observe(room(2), s(t), { temperature: 35 });
    }
    h.now = s(160);
    await h.observe(room(1), s(160), { temperature: 20 });
    const alerts = await h.alertList();
    const status = Object.fromEntries(
      alerts.map((a) => [valueOf(a, 'sourceKey'), valueOf(a, 'status')]),
    );
    expect(status).toEqual({ [room(1)]: 'resolved', [room(2)]: 'raised' });
    expect(alerts.find((a) => valueOf(a, 'sourceKey') === room(1))?.id).toBe(raised!.id);
  });

  it("places each fact in its entity's area as it is now, a move included", async () => {
    const area = (value: string) => ({ type: 'Property', value });
    const moved = { id: room(3), type: 'Room', areaServed: area('binjiang') };
    await h.store.entities.create({ id: room(4), type: 'Room', areaServed: area('xihu') });
    await h.store.entities.create(moved);
    const hotInXihu: Rule = {
      ...HOT,
      id: 'hot-xihu',
      select: { entityType: 'Room', area: 'xihu' },
    };
    const engine = await h.engine([hotInXihu], { workerScript: SCRIPT });
    expect(engine.thread).toBe('worker');
    const hot = async (from: number, to: number) => {
      for (let t = from; t <= to; t += 10) {
        h.now = s(t);
        for (const n of [3, 4]) await h.observe(room(n), s(t), { temperature: 35 });
      }
    };
    await hot(0, 70);
    expect((await h.alertList()).map((a) => valueOf(a, 'sourceKey'))).toEqual([room(4)]);
    // Room 3 moves to Xihu (a change through the API): its next facts are Xihu's.
    const now = { ...moved, areaServed: area('xihu') };
    await h.store.entities.write([{ id: room(3), mutate: () => now }]);
    await h.bus.publish([
      {
        topic: Topics.entityChanged,
        key: room(3),
        time: s(75),
        payload: { id: room(3), type: 'Room', kind: 'updated', entity: now, previous: moved },
      },
    ]);
    await hot(80, 150);
    const alerts = await h.alertList();
    expect(alerts.map((a) => valueOf(a, 'sourceKey')).sort()).toEqual([room(3), room(4)]);
    expect(
      valueOf(
        alerts.find((a) => valueOf(a, 'sourceKey') === room(3)),
        'areaServed',
      ),
    ).toBe('xihu');
  });
});
