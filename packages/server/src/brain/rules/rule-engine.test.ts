import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Topics } from '../../bus/index.js';
import { MemoryBus } from '../../bus/memory/index.js';
import type { Entity, Observation, Property } from '../../core/index.js';
import { SqliteStore } from '../../store/sqlite/index.js';
import { AlertService } from '../alerts/alert-service.js';
import { alertSink } from './alert-sink.js';
import { backtest } from './backtest.js';
import { RuleEngine, type RuleEngineOptions } from './rule-engine.js';
import type { Rule, ThresholdRule } from './rule-schema.js';
import { HOT } from './testing/rule-harness.js';

const T0 = Date.UTC(2026, 10, 24, 8);
const ROOM = 'urn:ngsi-ld:Room:r1';
const value = (e: Entity | undefined, name: string) => (e?.[name] as Property | undefined)?.value;

describe('the rule engine on the event stream', () => {
  let store: SqliteStore;
  let bus: MemoryBus;
  let engine: RuleEngine;
  let alerts: AlertService;
  const logger = pino({ level: 'silent' });
  let now = T0;

  const observe = async (t: number, temperature: number) => {
    const obs: Observation = {
      entityId: ROOM,
      entityType: 'Room',
      deviceId: 'r1',
      observedAt: t,
      attrs: { temperature: { value: temperature } },
    };
    await bus.publish([{ topic: Topics.observation, key: ROOM, time: t, payload: obs }]);
  };
  /** As device ingest does: the observation stored in the history, then published. */
  let stored = 0;
  const observeStored = async (t: number, temperature: number) => {
    now = t; // the wall clock keeps up with the sensors
    await store.temporal.append([
      {
        entityId: ROOM,
        attr: 'temperature',
        attribute: { type: 'Property', value: temperature, observedAt: new Date(t).toISOString() },
        instanceId: `urn:i:${stored++}`,
        createdAt: now,
        modifiedAt: now,
      },
    ]);
    await observe(t, temperature);
  };
  const alertList = async () => {
    await engine.settled();
    return alerts.list();
  };

  /** The engine on the test's store and bus, time driven by `now`, ticking only when told. */
  const startEngine = async (rules: Rule[], more: Partial<RuleEngineOptions> = {}) => {
    engine = new RuleEngine({
      rules,
      bus,
      store,
      alerts: alertSink(alerts, store),
      logger,
      latenessMs: 5000,
      clock: () => now,
      tickMs: 3_600_000,
      ...more,
    });
    await engine.start();
  };

  beforeEach(async () => {
    now = T0;
    store = new SqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'cb-rules-')), 'db.sqlite') });
    bus = new MemoryBus(() => {});
    await store.entities.create({
      id: ROOM,
      type: 'Room',
      name: { type: 'Property', value: 'Server room' },
      areaServed: { type: 'Property', value: 'xihu' },
    });
    alerts = new AlertService(store, bus, logger, { clock: () => now });
    await startEngine([HOT]);
  });
  afterEach(async () => {
    await engine.stop();
    await bus.close();
    await store.close();
  });

  it('raises once the breach has lasted, with its evidence, and resolves on the clear condition', async () => {
    for (let s = 0; s <= 90; s += 10) await observe(T0 + s * 1000, 32 + (s % 20) / 10);
    const [alert] = await alertList();
    expect(alerts).toBeDefined();
    expect(value(alert, 'status')).toBe('raised');
    expect(value(alert, 'severity')).toBe('high');
    expect(String(value(alert, 'description'))).toContain('Server room');
    expect(value(alert, 'validFrom')).toBe(new Date(T0).toISOString());
    expect((value(alert, 'evidence') as unknown[]).length).toBeGreaterThanOrEqual(6);
    await observe(T0 + 100_000, 28); // not below 25: still raised (hysteresis)
    expect(value((await alertList())[0], 'status')).toBe('raised');
    await observe(T0 + 110_000, 24);
    expect(value((await alertList())[0], 'status')).toBe('resolved');
  });

  it('raises at the deadline when time passes with no contrary value (silent sources too)', async () => {
    await observe(T0, 35);
    expect(await alertList()).toEqual([]);
    now = T0 + 3_600_000;
    engine.tick();
    expect(value((await alertList())[0], 'status')).toBe('raised');
  });

  it('takes back a raise that a late observation disproves', async () => {
    await observe(T0, 35);
    await observe(T0 + 61_000, 35); // raised at T0 + 60 s
    expect(value((await alertList())[0], 'status')).toBe('raised');
    await observe(T0 + 30_000, 20); // late, within the 5 s lag? no: 31 s late, ignored
    expect(value((await alertList())[0], 'status')).toBe('raised');
    await observe(T0 + 62_000, 35);
    await observe(T0 + 59_000, 20); // 3 s late: the breach was broken, the raise is taken back
    expect(value((await alertList())[0], 'status')).toBe('resolved');
  });

  it('evaluates rules of one type together, each raising its own alert, and keeps a group whole through a change', async () => {
    const WARM: ThresholdRule = { ...HOT, id: 'warm', name: 'Warm room', value: 26, forSeconds: 0 };
    const AVG = {
      ...HOT,
      id: 'avg-hot',
      name: 'Hot on average',
      kind: 'aggregate' as const,
      function: 'avg' as const,
      window: { type: 'tumbling' as const, sizeSeconds: 30 },
      value: 31,
      clear: undefined,
      forSeconds: undefined,
    };
    delete AVG.forSeconds;
    delete AVG.clear;
    // Started with the three: one run evaluates them (one type, keyed by entity).
    await engine.stop();
    await startEngine([HOT, WARM, AVG]);
    await engine.settled();
    expect(engine.rules.map((r) => r.id).sort()).toEqual(['avg-hot', 'hot', 'warm']);
    for (let s = 0; s <= 90; s += 10) await observeStored(T0 + s * 1000, 35);
    const raised = await alertList();
    const byRule = (id: string) => raised.filter((a) => String(value(a, 'rule')).includes(id));
    expect(raised).toHaveLength(3);
    expect(byRule('warm')).toHaveLength(1);
    expect(byRule('avg-hot')).toHaveLength(1);
    // A change to one rule of the group: the group is rebuilt, no alert is raised twice.
    await engine.store.put({ ...WARM, value: 27 }, 'test');
    await engine.settled();
    await new Promise((r) => setTimeout(r, 100));
    await engine.settled();
    await observeStored(T0 + 100_000, 35);
    expect((await alertList()).filter((a) => value(a, 'status') === 'raised')).toHaveLength(3);
    // Every rule of the group clears on its own condition.
    await observeStored(T0 + 110_000, 20);
    await observeStored(T0 + 150_000, 20);
    const after = await alertList();
    expect(after.filter((a) => value(a, 'status') === 'raised')).toEqual([]);
  });

  it('puts the rules of a group taken up one after another together, keeping their alerts', async () => {
    const WARM: ThresholdRule = { ...HOT, id: 'warm', name: 'Warm room', value: 26, forSeconds: 0 };
    await engine.stop();
    await startEngine([HOT], { regroupAfterMs: 500 });
    for (let s = 0; s <= 90; s += 10) await observeStored(T0 + s * 1000, 35);
    expect(await alertList()).toHaveLength(1);
    // Taken up on its own (rebuilt from the history, raising its alert): a run of its own.
    await engine.store.put(WARM, 'test');
    await new Promise((r) => setTimeout(r, 20));
    await engine.settled();
    expect(engine.groups).toBe(2);
    const raised = async () =>
      (await alertList()).filter((a) => value(a, 'status') === 'raised').map((a) => a.id);
    const before = await raised();
    expect(before).toHaveLength(2);
    // Unchanged for a while: one run again, rebuilt as one, its alerts taken up, none twice.
    const until = Date.now() + 5000;
    while (engine.groups !== 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(engine.groups).toBe(1);
    await engine.settled();
    expect((await raised()).sort()).toEqual(before.sort());
    await observeStored(T0 + 100_000, 35);
    expect(await alertList()).toHaveLength(2);
    // Both evaluate live in the group: each clears on its own condition.
    await observeStored(T0 + 110_000, 20);
    expect(await raised()).toEqual([]);
  });

  it('adds a late observation to the evidence of the raise it changes', async () => {
    await observe(T0, 35);
    await observe(T0 + 61_000, 35); // raised at T0 + 60 s on the value 35 held since T0
    const evidence = async () =>
      (value((await alertList())[0], 'evidence') as { value: unknown }[]).map((e) => e.value);
    expect(await evidence()).not.toContain(41);
    await observe(T0 + 58_000, 41); // 3 s late, still a breach: the same raise, other evidence
    const [alert] = await alertList();
    expect(value(alert, 'status')).toBe('raised');
    expect(await evidence()).toContain(41);
    expect(await alertList()).toHaveLength(1);
  });

  it('seeds the configured rules once when nodes start together', async () => {
    const stores = [
      engine.store,
      new RuleEngine({ rules: [], bus, store, alerts: alertSink(alerts, store), logger }).store,
    ];
    const changed = { ...HOT, id: 'seeded', value: 45 };
    await Promise.all(stores.map((s) => s.seed([changed])));
    expect((await engine.store.get('seeded')).version).toBe(1);
  });

  it('reloads a rule changed through the store, and runs it over the stored history', async () => {
    await engine.store.put({ ...HOT, value: 40 }, 'test');
    await engine.settled();
    await new Promise((r) => setTimeout(r, 20));
    expect(engine.rules[0]).toMatchObject({ value: 40 });
    for (let s = 0; s <= 90; s += 10) await observe(T0 + s * 1000, 35);
    expect(await alertList()).toEqual([]);
    const history = Array.from({ length: 10 }, (_, i) => ({
      entityId: ROOM,
      attr: 'temperature',
      attribute: {
        type: 'Property' as const,
        value: 33,
        observedAt: new Date(T0 + i * 10_000).toISOString(),
      },
    }));
    await store.temporal.append(
      history.map((h, i) => ({ ...h, instanceId: `urn:i:${i}`, createdAt: now, modifiedAt: now })),
    );
    const result = await backtest(store, HOT, T0, T0 + 3_600_000);
    expect(result.facts).toBe(10);
    expect(result.signals.map((s) => [s.kind, s.key, s.at - T0])).toEqual([
      ['raise', ROOM, 60_000],
    ]);
  });
});
