import { randomBytes, randomUUID } from 'node:crypto';
import Value from 'typebox/value';
import { CityError } from '../../core/index.js';
import type { DocumentCollection } from '../../store/index.js';
import { assertManage, mayRead, type NotifyCaller } from './access.js';
import {
  ALL_ORGANISATIONS,
  NotificationTargetSchema,
  type NotificationTarget,
  type TargetInput,
  type TargetPatch,
} from './target.js';

/** Options of the target registry. */
export interface ChannelTargetsOptions {
  /** How long the router may use a cached list of targets, ms (this node's writes clear it). */
  cacheMs?: number;
  now?: () => number;
  /** Refuses a target before it is created, or before its URL changes (SSRF checks). */
  validate?: (target: NotificationTarget) => Promise<void>;
}

/** A new webhook secret: 32 random bytes. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/**
 * The notification targets of every organisation, one document each in the
 * `notification-channels` collection, with who may see and change which.
 */
export class ChannelTargets {
  private cached: { at: number; targets: Promise<NotificationTarget[]> } | undefined;
  private readonly cacheMs: number;
  private readonly now: () => number;
  private readonly validate: (target: NotificationTarget) => Promise<void>;

  constructor(
    private readonly collection: DocumentCollection<NotificationTarget>,
    options: ChannelTargetsOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.validate = options.validate ?? (() => Promise.resolve());
  }

  /** Every target, from a cache at most `cacheMs` old. */
  private all(): Promise<NotificationTarget[]> {
    const now = this.now();
    if (!this.cached || now - this.cached.at >= this.cacheMs) {
      const targets = this.collection.list().then((rows) => rows.map((r) => r.doc));
      targets.catch(() => (this.cached = undefined));
      this.cached = { at: now, targets };
    }
    return this.cached.targets;
  }

  /** The targets of these organisations and the operator's (`*`). */
  async concerning(organisations: readonly string[]): Promise<NotificationTarget[]> {
    const wanted = new Set([...organisations, ALL_ORGANISATIONS]);
    return (await this.all()).filter((t) => wanted.has(t.organisation));
  }

  /** The targets the caller may see, optionally of one organisation, by organisation and id. */
  async list(caller: NotifyCaller, organisation?: string): Promise<NotificationTarget[]> {
    const rows = await this.collection.list();
    return rows
      .map((r) => r.doc)
      .filter((t) => mayRead(caller, t.organisation))
      .filter((t) => organisation === undefined || t.organisation === organisation)
      .sort((a, b) => a.organisation.localeCompare(b.organisation) || a.id.localeCompare(b.id));
  }

  /** A target, whoever asks (for deliveries); undefined when it does not exist. */
  find(id: string): Promise<NotificationTarget | undefined> {
    return this.collection.get(id);
  }

  /** A target the caller may see; ResourceNotFound otherwise, so that others' ids do not leak. */
  async get(caller: NotifyCaller, id: string): Promise<NotificationTarget> {
    const target = await this.collection.get(id);
    if (!target || !mayRead(caller, target.organisation))
      throw new CityError('ResourceNotFound', `no notification channel ${id}`);
    return target;
  }

  /** Creates a target for the caller's organisation (the operator: any, or `*` by default). */
  async create(caller: NotifyCaller, input: TargetInput): Promise<NotificationTarget> {
    const organisation =
      input.organisation ??
      caller.organisation ??
      (caller.kind === 'operator' ? ALL_ORGANISATIONS : undefined);
    if (organisation === undefined)
      throw new CityError('Forbidden', 'the caller belongs to no organisation');
    assertManage(caller, organisation);
    const at = new Date(this.now()).toISOString();
    const base = { ...input, id: randomUUID(), organisation, enabled: input.enabled ?? true };
    const target: NotificationTarget =
      base.kind === 'webhook'
        ? { ...base, secret: base.secret ?? newSecret(), createdAt: at, updatedAt: at }
        : { ...base, createdAt: at, updatedAt: at };
    await this.validate(target);
    await this.collection.put(target.id, target);
    this.cached = undefined;
    return target;
  }

  /** Applies a change; fields of another kind are refused. */
  async update(caller: NotifyCaller, id: string, patch: TargetPatch): Promise<NotificationTarget> {
    const current = await this.get(caller, id);
    assertManage(caller, current.organisation);
    const merged: Record<string, unknown> = { ...current, ...patch };
    for (const key of ['minSeverity', 'topic'] as const)
      if (patch[key] === null) delete merged[key];
    merged.updatedAt = new Date(this.now()).toISOString();
    if (!Value.Check(NotificationTargetSchema, merged)) {
      const first = [...Value.Errors(NotificationTargetSchema, merged)].find(
        (e) => e.keyword === 'additionalProperties',
      );
      throw new CityError(
        'BadRequestData',
        first ? `a ${current.kind} target has no such field` : 'the changed target is not valid',
      );
    }
    if (patch.url !== undefined) await this.validate(merged);
    if (!(await this.collection.replaceIf(id, merged, current)))
      throw new CityError(
        'AlreadyExists',
        `notification channel ${id} changed meanwhile: try again`,
      );
    this.cached = undefined;
    return merged;
  }

  /** Deletes a target; the deliveries under way finish. */
  async remove(caller: NotifyCaller, id: string): Promise<void> {
    const current = await this.get(caller, id);
    assertManage(caller, current.organisation);
    await this.collection.delete(id);
    this.cached = undefined;
  }
}
