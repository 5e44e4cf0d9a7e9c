import type { Logger } from 'pino';
import { Topics, type Bus, type BusSubscription, type EntityChange } from '../../bus/index.js';
import type { Observation } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { Fact, Signal } from './engine/evaluator.js';
import { KeyedEngine, type EngineOutput } from './engine/keyed-engine.js';
import { changeFact, contextOf, observationFact } from './facts.js';
import { areaOf } from './kinds/select.js';
import { evaluatorFor } from './kinds/index.js';
import { isActive, type Rule } from './rule-schema.js';
import { RULE_CHANGED, RuleStore } from './rule-store.js';

/** Where the engine's decisions go: alerts opened, resolved, or withdrawn. */
export interface AlertSink {
  /** Opens the alert of a rule's key (or keeps the open one); answers its id. */
  raise(rule: Rule, signal: Signal): Promise<string>;
  /** The condition ended (`retracted`: a late fact showed it never held). */
  resolve(alertId: string, signal: Signal, retracted: boolean): Promise<void>;
}

/** Options of the rule engine. */
export interface RuleEngineOptions {
  /** Rules a new city starts with (put in the store when it has none of that id). */
  rules: Rule[];
  bus: Bus;
  store: Store;
  alerts: AlertSink;
  logger: Logger;
  /** How late a fact may come and still count (the watermark's lag), ms; default 10 s. */
  latenessMs?: number;
  /** How often time is let pass for silent sources (absence, windows), ms; default 1 s. */
  tickMs?: number;
  clock?: () => number;
}

interface Running {
  rule: Rule;
  engine: KeyedEngine<unknown>;
}

/** What facts a rule (or one condition of it) reads: a type, maybe one area, some attributes. */
interface Route {
  running: Running;
  area?: string;
  /** The rule reads only facts carrying one of these; undefined: any fact of the type. */
  attrs?: ReadonlySet<string>;
}

/** The routes of a rule: one per entity type it selects (a correlation has several). */
function routesOf(rule: Rule): { type: string; area?: string; attrs?: string[] }[] {
  const route = (select: { entityType: string; area?: string }, attr?: string) => ({
    type: select.entityType,
    ...(select.area !== undefined && { area: select.area }),
    ...(attr !== undefined && { attrs: [attr] }),
  });
  switch (rule.kind) {
    case 'threshold':
    case 'rate':
    case 'aggregate': // a count reads any fact: no attribute
      return [route(rule.select, rule.attribute)];
    case 'correlation':
      return rule.conditions.map((c) => route(c.select, c.attribute));
    case 'absence': // any fact is a sign of life
    case 'geofence': // positions may come with the entity's context
    case 'countInArea':
      return [route(rule.select)];
  }
}

/** True when a route's rule reads the fact (cheap tests before the rule's own). */
function reads(route: Route, fact: Fact): boolean {
  if (route.area !== undefined && areaOf(fact) !== route.area) return false;
  if (!route.attrs) return true;
  for (const attr of route.attrs) if (attr in fact.attrs) return true;
  return false;
}

/**
 * Evaluates the active rules on the city's event stream (device observations, and entities
 * written through the API) by event time: each rule is a KeyedEngine; each key's watermark
 * lags its newest event time by `latenessMs` (a device whose clock is off moves only its own
 * keys), and goes on with the clock when the key falls silent.
 * Decisions open and resolve alerts, in the order they are made.
 */
export class RuleEngine {
  readonly store: RuleStore;
  private running = new Map<string, Running>();
  /** The rules by the entity type they read, with their area and attributes. */
  private byType = new Map<string, Route[]>();
  private readonly contexts = new Map<string, Record<string, unknown>>();
  /** The open alert of each rule's key. */
  private readonly open = new Map<string, string>();
  private subscriptions: BusSubscription[] = [];
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private acting: Promise<void> = Promise.resolve();
  private readonly clock: () => number;
  private readonly latenessMs: number;

  constructor(private readonly options: RuleEngineOptions) {
    this.store = new RuleStore(options.store, options.bus);
    this.clock = options.clock ?? Date.now;
    this.latenessMs = options.latenessMs ?? 10_000;
  }

  /** Seeds and loads the rules, then consumes the event stream. */
  async start(): Promise<void> {
    await this.store.seed(this.options.rules);
    await this.reload();
    const { bus } = this.options;
    this.subscriptions.push(
      await bus.subscribe({ topic: Topics.observation, group: 'rules' }, (e) =>
        this.onObservation(e.payload as Observation),
      ),
      await bus.subscribe({ topic: Topics.entityChanged, group: 'rules' }, (e) =>
        this.onChange(e.payload as EntityChange),
      ),
      await bus.subscribe({ topic: RULE_CHANGED }, () => this.reload()),
    );
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 1000);
    this.timer.unref();
  }

  /** Stops consuming; the decisions under way are finished. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const s of this.subscriptions.splice(0)) await s.unsubscribe();
    await this.acting;
  }

  /** The active rules. */
  get rules(): Rule[] {
    return [...this.running.values()].map((r) => r.rule);
  }

  /** Memory of the windows and states held, in values (for the benchmark). */
  stateSize(): number {
    let n = 0;
    for (const r of this.running.values()) n += r.engine.size();
    return n;
  }

  /** Decisions made so far are acted on (tests, shutdown). */
  async settled(): Promise<void> {
    await this.acting;
  }

  /** Applies one fact now (tests and the HTTP ingest of facts use the same path). */
  ingest(fact: Fact): void {
    const out: EngineOutput[] = [];
    let last: Running | undefined;
    for (const route of this.byType.get(fact.entityType) ?? []) {
      // A rule with several routes (a correlation) takes the fact once.
      if (route.running === last || !reads(route, fact)) continue;
      last = route.running;
      route.running.engine.ingest(fact, out);
      this.act(route.running.rule, out.splice(0));
    }
  }

  /** Lets event time pass with the clock for sources that fell silent (their deadlines). */
  tick(): void {
    const out: EngineOutput[] = [];
    for (const running of this.running.values()) {
      running.engine.tick(out);
      this.act(running.rule, out.splice(0));
    }
  }

  private async onObservation(obs: Observation): Promise<void> {
    if (!this.byType.has(obs.entityType)) return;
    let context = this.contexts.get(obs.entityId);
    if (!context) {
      const entity = await this.options.store.entities.get(obs.entityId);
      context = entity ? contextOf(entity) : {};
      this.contexts.set(obs.entityId, context);
    }
    this.ingest(observationFact(obs, this.seq++, context));
  }

  private onChange(change: EntityChange): void {
    if (change.entity && this.contexts.has(change.id))
      this.contexts.set(change.id, contextOf(change.entity));
    const fact = changeFact(change, this.seq++, this.clock());
    if (fact && this.byType.has(fact.entityType)) this.ingest(fact);
  }

  /** Acts on decisions in the order they were made. */
  private act(rule: Rule, outputs: EngineOutput[]): void {
    if (outputs.length === 0) return;
    this.acting = this.acting.then(async () => {
      for (const output of outputs)
        await this.apply(rule, output).catch((err: unknown) =>
          this.options.logger.error({ err, rule: rule.id }, 'rule decision not acted on'),
        );
    });
  }

  private async apply(rule: Rule, output: EngineOutput): Promise<void> {
    const { signal } = output;
    const key = `${rule.id}\u0000${signal.key}`;
    const raise = (output.type === 'emit') === (signal.kind === 'raise');
    if (raise) {
      if (!this.open.has(key)) this.open.set(key, await this.options.alerts.raise(rule, signal));
      return;
    }
    const alertId = this.open.get(key);
    this.open.delete(key);
    if (alertId) await this.options.alerts.resolve(alertId, signal, output.type === 'retract');
  }

  /** Builds an engine per active rule; a rule that did not change keeps its state. */
  private async reload(): Promise<void> {
    const stored = await this.store.list();
    const next = new Map<string, Running>();
    for (const { rule } of stored) {
      if (!isActive(rule)) continue;
      const same = this.running.get(rule.id);
      if (same && JSON.stringify(same.rule) === JSON.stringify(rule)) {
        next.set(rule.id, same);
        continue;
      }
      try {
        const engine = new KeyedEngine(evaluatorFor(rule), {
          latenessMs: this.latenessMs,
          idleGraceMs: IDLE_GRACE_MS,
          clock: this.clock,
        });
        next.set(rule.id, { rule, engine });
      } catch (err) {
        this.options.logger.error({ err, rule: rule.id }, 'rule cannot be evaluated; skipped');
      }
    }
    this.running = next;
    this.byType = new Map();
    for (const running of next.values())
      for (const { type, area, attrs } of routesOf(running.rule)) {
        const list = this.byType.get(type) ?? [];
        list.push({
          running,
          ...(area !== undefined && { area }),
          ...(attrs && { attrs: new Set(attrs) }),
        });
        this.byType.set(type, list);
      }
  }
}

/** How long a source may be silent before its event time is taken to go on with the clock, ms. */
const IDLE_GRACE_MS = 5_000;
