import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Topics, type BusEvent } from '../../../bus/index.js';
import { MemoryBus } from '../../../bus/memory/index.js';
import type { Entity, Observation, Property } from '../../../core/index.js';
import type { Store } from '../../../store/index.js';
import { SqliteStore } from '../../../store/sqlite/index.js';
import { AlertService } from '../../alerts/alert-service.js';
import { alertSink } from '../alert-sink.js';
import { RuleEngine, type RuleEngineOptions } from '../rule-engine.js';
import type { Rule, ThresholdRule } from '../rule-schema.js';

/** A room too hot for a minute (above 30), until it is below 25: the tests' common rule. */
export const HOT: ThresholdRule = {
  id: 'hot',
  name: 'Hot room',
  kind: 'threshold',
  status: 'active',
  severity: 'high',
  category: 'environment',
  select: { entityType: 'Room' },
  attribute: 'temperature',
  operator: '>',
  value: 30,
  forSeconds: 60,
  clear: { operator: '<', value: 25 },
};

/** A log line as pino writes it. */
export type LogLine = Record<string, unknown> & { level: number; msg: string };

/** The value of an entity's Property. */
export const valueOf = (e: Entity | undefined, name: string): unknown =>
  (e?.[name] as Property | undefined)?.value;

/**
 * A city for rule engine tests: a real SQLite file, the memory bus (shared by every engine
 * started, as nodes share a bus), the alert service, a settable clock and captured logs.
 */
export class RuleHarness {
  readonly store: SqliteStore;
  readonly bus = new MemoryBus(() => {});
  readonly alerts: AlertService;
  readonly logs: LogLine[] = [];
  /** Every alert event published on the bus. */
  readonly alertEvents: BusEvent[] = [];
  now: number;
  private readonly engines: RuleEngine[] = [];
  readonly logger = pino(
    { level: 'debug' },
    { write: (line: string) => void this.logs.push(JSON.parse(line) as LogLine) },
  );

  constructor(start: number) {
    this.now = start;
    this.store = new SqliteStore({
      file: join(mkdtempSync(join(tmpdir(), 'cb-rules-')), 'db.sqlite'),
    });
    this.alerts = new AlertService(this.store, this.bus, this.logger, { clock: () => this.now });
  }

  /** Starts listening to alert events (before the engines start). */
  async listen(): Promise<void> {
    await this.bus.subscribe({ topic: 'alert.*' }, (e) => void this.alertEvents.push(e));
  }

  /** A rule engine over this city (a node); `store` replaces the store it reads. */
  async engine(
    rules: Rule[],
    options: Partial<RuleEngineOptions> & { store?: Store } = {},
  ): Promise<RuleEngine> {
    const engine = new RuleEngine({
      rules,
      bus: this.bus,
      store: this.store,
      alerts: alertSink(this.alerts, this.store),
      logger: this.logger,
      latenessMs: 5000,
      clock: () => this.now,
      tickMs: 3_600_000,
      ...options,
    });
    this.engines.push(engine);
    await engine.start();
    return engine;
  }

  /** An observation as devices make them: stored, then published (unless `publish` is false). */
  async observe(
    entityId: string,
    t: number,
    attrs: Record<string, number>,
    { store = true, publish = true } = {},
  ): Promise<void> {
    const obs: Observation = {
      entityId,
      entityType: entityId.split(':')[2]!,
      deviceId: entityId.split(':').pop()!,
      observedAt: t,
      attrs: Object.fromEntries(Object.entries(attrs).map(([k, value]) => [k, { value }])),
    };
    if (store) await this.store.ingest([obs]);
    if (publish)
      await this.bus.publish([{ topic: Topics.observation, key: entityId, time: t, payload: obs }]);
  }

  /** The alerts, once the engines acted on what they decided. */
  async alertList(): Promise<Entity[]> {
    for (const e of this.engines) await e.settled();
    return this.alerts.list();
  }

  /** Log lines with this message. */
  logged(msg: string): LogLine[] {
    return this.logs.filter((l) => l.msg === msg);
  }

  async close(): Promise<void> {
    for (const e of this.engines) await e.stop();
    await this.bus.close();
    await this.store.close();
  }
}
