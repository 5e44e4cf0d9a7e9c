import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RuleEngine } from './rule-engine.js';
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
});
