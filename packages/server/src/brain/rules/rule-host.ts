import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Fact, Signal } from './engine/evaluator.js';
import { noEngineStats, type EngineOutput, type EngineStats } from './engine/keyed-engine.js';
import {
  END,
  RuleEvaluation,
  type EvaluationReply,
  type EvaluationRequest,
  type WireFact,
} from './rule-evaluation.js';
import {
  replayedOf,
  type HistoryBatch,
  type ReplayOutcome,
  type RunReplayed,
} from './rule-replay.js';
import type { Rule } from './rule-schema.js';

/** Distributes the union over its members (`Omit` of a union keeps only the common keys). */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Request = Without<EvaluationRequest, 'id' | 'now'>;

/**
 * Active rules evaluated as one (one rule, or a group of rules of one type keyed alike: see
 * groupRules), as the rule engine knows them; their engine is in the rules' thread.
 */
export class RunHandle {
  /** Each rule as JSON, by id: a reload that finds them all unchanged keeps the run. */
  readonly json: ReadonlyMap<string, string>;
  /** False while the run's state is rebuilt from the history (live facts held back). */
  live = false;

  constructor(
    readonly id: number,
    readonly rules: readonly Rule[],
  ) {
    this.json = new Map(rules.map((r) => [r.id, JSON.stringify(r)]));
  }

  /** The rule that decided a signal of this run. */
  ruleOf(signal: Signal): Rule {
    return this.rules[signal.member ?? 0]!;
  }
}

/** What the host tells the rule engine. */
export interface RuleHostOptions {
  /** Decisions of a run's engine, in the order they were made. */
  decided(run: RunHandle, outputs: EngineOutput[]): void;
  /** A request failed (its facts not evaluated, say), or was lost with the thread. */
  failed(err: Error): void;
  /** The rules' thread died: every run in it is gone (the engine starts them again). */
  lost(err: Error): void;
  /** Evaluate in this thread (by default: in a worker, where its script is built). */
  inThread?: boolean;
  /** The worker's script; by default the compiled one next to this module. */
  workerScript?: string;
}

/**
 * How long a closed thread is given to leave on its own before it is terminated, ms: it answers
 * what it was asked, and a profiler started in it writes its profile (seconds, for a long one).
 */
const LEAVE_BUDGET_MS = 10_000;

/** What was asked of a thread that died, or was closed: the loss is told once, by `lost`. */
class ThreadGone extends Error {}

interface Pending {
  facts: number;
  resolve(reply: EvaluationReply): void;
  reject(err: Error): void;
}

/** The compiled worker script, next to this module; absent when run from the TypeScript sources. */
const WORKER = fileURLToPath(new URL('./rule-worker.js', import.meta.url));

/**
 * The rules' thread, seen from the rule engine: runs are opened and closed there, facts and
 * ticks sent in order, replays asked and answered; decisions come back with the answers. A
 * worker thread (a core of its own for the rules: the engine's thread keeps to the stream, the
 * store and the alerts), or, where the worker script is not built, the same evaluation answering
 * in this thread after a turn of the event loop, with every message copied as a worker's is.
 */
export class RuleHost {
  /** The engines' counters, as of the last answer. */
  stats: EngineStats = noEngineStats();
  private readonly handles = new Map<number, RunHandle>();
  private readonly pending = new Map<number, Pending>();
  private readonly histories = new WeakMap<HistoryBatch, number>();
  /** The context of each entity as the rules' thread has it (see WireFact). */
  private readonly sentContexts = new Map<string, Readonly<Record<string, unknown>>>();
  private nextId = 1;
  private sentFacts = 0;
  private worker: Worker | undefined;
  private local: RuleEvaluation | undefined;
  private idle: (() => void)[] = [];
  private closed = false;

  constructor(private readonly options: RuleHostOptions) {
    this.startThread();
  }

  /** True while a request waits for its answer. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Facts sent to the rules' thread and not yet evaluated. */
  get waiting(): number {
    return this.sentFacts;
  }

  /** Opens a run: its engine starts empty and holds live facts back until `goLive`. */
  open(handle: RunHandle, timing: { latenessMs: number; idleGraceMs: number }, now: number): void {
    this.handles.set(handle.id, handle);
    this.send({ type: 'open', run: handle.id, rules: [...handle.rules], ...timing }, now);
  }

  close(handle: RunHandle, now: number): void {
    if (!this.handles.delete(handle.id)) return;
    this.send({ type: 'close', run: handle.id }, now);
  }

  /** Evaluates facts, in the order given, every fact sent so far having come by `now`. */
  facts(facts: readonly Fact[], now: number): void {
    const contexts: [string, Readonly<Record<string, unknown>>][] = [];
    const wire = facts.map((fact): WireFact => {
      const { context, ...bare } = fact;
      if (context === undefined) return fact;
      // A context object is replaced, never changed, when its entity changes (see RuleEngine).
      if (this.sentContexts.get(fact.entityId) !== context) {
        this.sentContexts.set(fact.entityId, context);
        contexts.push([fact.entityId, context]);
      }
      (bare as WireFact).shared = true;
      return bare;
    });
    this.send({ type: 'facts', facts: wire, contexts }, now, facts.length);
  }

  /** Lets event time pass with the clock for sources that fell silent. */
  tick(now: number): void {
    this.send({ type: 'tick' }, now);
  }

  /** Replays a run's stored history (see `replay`); the history crosses once for all its runs. */
  async replay(
    handle: RunHandle,
    batch: HistoryBatch,
    now: number,
    latenessMs: number,
  ): Promise<RunReplayed> {
    let ref = this.histories.get(batch);
    if (ref === undefined) {
      this.histories.set(batch, (ref = this.nextId++));
      this.send({ type: 'history', ref, batch }, now);
    }
    const reply = await this.ask({ type: 'replay', run: handle.id, ref, latenessMs }, now);
    return replayedOf(handle.rules, reply.result as ReplayOutcome, batch);
  }

  /** The history of a rebuild is no longer needed. */
  forget(batch: HistoryBatch, now: number): void {
    const ref = this.histories.get(batch);
    if (ref === undefined) return;
    this.histories.delete(batch);
    this.send({ type: 'forget', ref }, now);
  }

  /**
   * Ends a run's rebuild: the live facts held back are applied, except those the history read
   * (`batch`) held; answers how many were skipped. The decisions come as any others.
   */
  async goLive(handle: RunHandle, batch: HistoryBatch | undefined, now: number): Promise<number> {
    const ref = batch && this.histories.get(batch);
    const reply = await this.ask({ type: 'goLive', run: handle.id, ref }, now);
    handle.live = true;
    return (reply.result as number | undefined) ?? 0;
  }

  /** Memory of the windows and states held, in values. */
  async size(now: number): Promise<number> {
    return (await this.ask({ type: 'size' }, now)).result as number;
  }

  /** Resolves once every request sent so far is answered and its decisions handed over. */
  drained(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Waits up to `ms` for the facts sent, then ends the thread; answers the facts left. */
  async shutdown(ms: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      this.drained().then(() => true),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), ms))),
    ]);
    clearTimeout(timer);
    const left = this.sentFacts;
    this.closed = true;
    // A thread that is done leaves on its own; one still behind is not waited for.
    if (drained && this.worker) await endThread(this.worker, LEAVE_BUDGET_MS);
    else await this.worker?.terminate();
    this.fail(new ThreadGone('the rules thread was closed'));
    return left;
  }

  /** Where the rules evaluate. */
  get thread(): 'worker' | 'in-thread' {
    return this.local ? 'in-thread' : 'worker';
  }

  private startThread(): void {
    // A new thread knows no context yet.
    this.sentContexts.clear();
    const script = this.options.workerScript ?? WORKER;
    if (this.options.inThread || !existsSync(script)) {
      this.local = new RuleEvaluation();
      return;
    }
    const worker = new Worker(script);
    worker.on('message', (reply: EvaluationReply) => this.answer(reply));
    worker.on('error', (err) => this.died(worker, err));
    worker.on('exit', (code) => this.died(worker, new Error(`the rules thread exited (${code})`)));
    // The thread does not keep the process alive: the rule engine's stop closes it.
    worker.unref();
    this.worker = worker;
  }

  /** A request whose answer only brings decisions: a failure is reported, not thrown. */
  private send(request: Request, now: number, facts = 0): void {
    this.ask(request, now, facts).catch((err: Error) => {
      if (!(err instanceof ThreadGone)) this.options.failed(err);
    });
  }

  private ask(request: Request, now: number, facts = 0): Promise<EvaluationReply> {
    const id = this.nextId++;
    const message = { ...request, id, now };
    this.sentFacts += facts;
    return new Promise<EvaluationReply>((resolve, reject) => {
      if (this.closed) {
        this.sentFacts -= facts;
        reject(new ThreadGone('the rules thread was closed'));
        return;
      }
      this.pending.set(id, { facts, resolve, reject });
      if (this.worker) {
        this.worker.postMessage(message);
        return;
      }
      const local = this.local!;
      const copy = structuredClone(message);
      setImmediate(() => void local.handle(copy).then((r) => this.answer(structuredClone(r))));
    });
  }

  private answer(reply: EvaluationReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    this.sentFacts -= pending.facts;
    this.stats = reply.stats;
    for (const [run, outputs] of reply.outputs) {
      const handle = this.handles.get(run);
      if (handle) this.options.decided(handle, outputs);
    }
    if (reply.error !== undefined) pending.reject(new Error(reply.error));
    else pending.resolve(reply);
    if (this.pending.size === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  /** The thread died: what it was asked fails, its runs are gone, a new thread starts. */
  private died(worker: Worker, err: Error): void {
    if (worker !== this.worker || this.closed) return;
    this.worker = undefined;
    this.handles.clear();
    this.fail(new ThreadGone(err.message));
    this.startThread();
    this.options.lost(err);
  }

  private fail(err: ThreadGone): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.sentFacts = 0;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}

/**
 * Ends a worker: it is asked to close its port and leave on its own (what it was asked is
 * answered; a profiler started in it writes its profile), and terminated if it has not left
 * within `ms`.
 */
async function endThread(worker: Worker, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<boolean>((resolve) => {
    worker.once('exit', () => resolve(true));
    timer = setTimeout(() => resolve(false), ms);
  });
  // Held by the process until it has left (it runs unreferenced).
  worker.ref();
  worker.postMessage(END);
  const left = await exited;
  clearTimeout(timer);
  if (!left) await worker.terminate();
}
