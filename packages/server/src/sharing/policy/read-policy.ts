import type { Bus, BusSubscription } from '../../bus/index.js';
import { CityError, type Entity } from '../../core/index.js';
import type { AuditEntry, EntityQuery } from '../../store/index.js';
import type { Auditor } from '../audit/index.js';
import {
  GRANT_CHANGED,
  PURPOSES,
  SHARING_CHANGED,
  type Dataset,
  type Grant,
  type Organisation,
  type SharingRegistry,
} from '../grants/index.js';
import { OPERATOR } from '../identity/index.js';
import { isPurpose } from './read-access.js';
import { ReadScope, typesOf, WRITER_ROLES, type Party, type ResolveNames } from './read-scope.js';

/** What the policy is built from. */
export interface ReadPolicyOptions {
  registry: SharingRegistry;
  /** Carries other nodes' grant decisions and dataset changes (they clear the caches). */
  bus: Bus;
  /** The canonical names of a dataset's terms. */
  resolveNames: ResolveNames;
  /** Where decisions are kept; absent: nothing is recorded. */
  auditor?: Auditor;
  clock?: () => number;
}

interface Snapshot {
  datasets: Dataset[];
  grants: Grant[];
  organisations: Map<string, Organisation>;
}

/**
 * The read decision of every read path: compiles, per organisation and purpose, what may be
 * read (cached until a grant starts or ends, cleared at once when a decision, a dataset or an
 * organisation changes on any node), and opens a session per request that narrows its queries,
 * trims its entities and records what it answered in the audit chain.
 */
export class ReadPolicy {
  private snapshot: Promise<Snapshot> | undefined;
  private readonly scopes = new Map<string, Promise<ReadScope>>();
  private readonly clock: () => number;
  private subscriptions: BusSubscription[] = [];
  private stopLocal: (() => void) | undefined;
  /** Bumped at each change: a scope compiled from an older snapshot is not cached. */
  private generation = 0;

  constructor(private readonly options: ReadPolicyOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** Listens for changes (this node's at once, other nodes' over the bus). */
  async start(): Promise<void> {
    const clear = () => this.invalidate();
    this.stopLocal = this.options.registry.onChange(clear);
    for (const topic of [GRANT_CHANGED, SHARING_CHANGED])
      this.subscriptions.push(await this.options.bus.subscribe({ topic }, clear));
  }

  async stop(): Promise<void> {
    this.stopLocal?.();
    for (const s of this.subscriptions.splice(0)) await s.unsubscribe();
  }

  /** Forgets every compiled scope: the next read decides again. */
  invalidate(): void {
    this.generation++;
    this.snapshot = undefined;
    this.scopes.clear();
  }

  /** The stated purpose, checked: undefined when none, 400 when not of the controlled list. */
  static purpose(stated: string | undefined): string | undefined {
    if (stated === undefined || stated === '') return undefined;
    if (!isPurpose(stated))
      throw new CityError(
        'BadRequestData',
        `purpose ${JSON.stringify(stated)} is not one of ${PURPOSES.join(', ')}`,
      );
    return stated;
  }

  /** What `principal` may read for `purpose` now. */
  async scope(principal: Party, purpose: string | undefined): Promise<ReadScope> {
    const key =
      principal.kind === 'operator'
        ? '\u0000operator'
        : `${principal.organisation}\u0000${purpose}`;
    const cached = this.scopes.get(key);
    if (cached) {
      const scope = await cached;
      if (this.clock() < scope.until) return scope;
      this.scopes.delete(key);
    }
    const generation = this.generation;
    const compiled = this.load().then((s) =>
      ReadScope.compile(
        principal,
        purpose,
        s.datasets,
        s.grants,
        this.clock(),
        this.options.resolveNames,
      ),
    );
    if (generation === this.generation) this.scopes.set(key, compiled);
    compiled.catch(() => this.scopes.delete(key));
    return compiled;
  }

  /**
   * The session of one request (or one notification): 404 NonexistentTenant for a tenant the
   * principal's organisation may not use, as if it did not exist.
   */
  async session(
    principal: Party,
    purpose: string | undefined,
    tenant: string | undefined,
  ): Promise<AccessSession> {
    if (tenant !== undefined && principal.kind !== 'operator') {
      const organisation = principal.organisation
        ? (await this.load()).organisations.get(principal.organisation)
        : undefined;
      if (!organisation?.tenants?.includes(tenant))
        throw new CityError('NonexistentTenant', `tenant ${tenant} does not exist`);
    }
    const scope = await this.scope(principal, purpose);
    return new AccessSession(scope, principal, purpose, tenant, this.options.auditor, this.clock);
  }

  private load(): Promise<Snapshot> {
    if (this.snapshot) return this.snapshot;
    const generation = this.generation;
    const { registry } = this.options;
    const loading = Promise.all([
      registry.datasets(),
      registry.list(OPERATOR),
      registry.organisations(),
    ]).then(([datasets, grants, organisations]) => ({
      datasets,
      grants,
      organisations: new Map(organisations.map((o) => [o.id, o])),
    }));
    if (generation === this.generation) this.snapshot = loading;
    loading.catch(() => {
      if (this.snapshot === loading) this.snapshot = undefined;
    });
    return loading;
  }
}

interface Tally {
  owner?: string;
  records: number;
  grants: Set<string>;
  reason: string;
}

/**
 * What one request may read, and the tally of what it was shown: per dataset, the records and
 * the grants they were read under, recorded as one audit entry each before the answer.
 */
export class AccessSession {
  readonly unrestricted: boolean;
  private readonly tally = new Map<string, Tally>();
  private readonly denied = new Map<string, string>();
  /** Datasets of entities withheld (asked by id): their owners see the attempt. */
  private readonly hidden = new Map<string, { owner: string; reason: string }>();

  constructor(
    readonly scope: ReadScope,
    readonly principal: Party,
    readonly purpose: string | undefined,
    readonly tenant: string | undefined,
    private readonly auditor: Auditor | undefined,
    private readonly clock: () => number,
  ) {
    this.unrestricted = scope.unrestricted;
  }

  restrict(query: EntityQuery): EntityQuery {
    const restricted = this.scope.restrict(query, this.denied);
    // A query that names readable types is recorded for their owners even when it finds nothing.
    if (query.types)
      for (const rule of restricted.within ??
        (query.types.kind === 'type' ? [{ type: query.types.name }] : [])) {
        const access = this.scope.readable.get(rule.type);
        if (access && !this.tally.has(access.dataset.id))
          this.tally.set(access.dataset.id, {
            owner: access.dataset.owner,
            records: 0,
            grants: new Set(),
            reason: access.reason,
          });
      }
    return restricted;
  }

  view(entity: Entity): Entity | undefined {
    const seen = this.scope.see(entity);
    if (!seen) {
      this.hide(entity);
      return undefined;
    }
    const first = seen.through[0];
    const key = first?.dataset.id ?? typesOf(entity)[0] ?? '?';
    let t = this.tally.get(key);
    if (!t) {
      t = {
        ...(first && { owner: first.dataset.owner }),
        records: 0,
        grants: new Set(),
        reason: first?.reason ?? 'operator',
      };
      this.tally.set(key, t);
    }
    t.records++;
    for (const g of seen.grants) t.grants.add(g);
    return seen.entity;
  }

  discard(): void {
    this.tally.clear();
    this.hidden.clear();
  }

  /** Notes an entity withheld from the caller, so that its owner sees the attempt. */
  private hide(entity: Entity): void {
    for (const type of typesOf(entity)) {
      const dataset = this.scope.datasets.get(type);
      if (!dataset) continue;
      const reason = this.scope.readable.has(type)
        ? 'outside-grant'
        : (this.scope.denied.get(type)?.reason ?? 'no-grant');
      this.hidden.set(dataset.id, { owner: dataset.owner, reason });
      return;
    }
  }

  typeVisibility(
    type: string,
  ): { attributes?: ReadonlySet<string>; filtered: boolean } | undefined {
    if (this.unrestricted) return { filtered: false };
    const access = this.scope.readable.get(type);
    if (!access) return undefined;
    if (!access.rules) return { filtered: false };
    const attributes = new Set<string>();
    for (const r of access.rules) for (const a of r.attributes) attributes.add(a);
    return { attributes, filtered: access.rules.some((r) => r.filter !== undefined) };
  }

  checkWrite(current: Entity | undefined, next: Entity | null | undefined): void {
    if (this.unrestricted) return;
    if (current && !this.scope.see(current))
      throw new CityError('ResourceNotFound', `entity ${current.id} not found`);
    const types = [...(current ? typesOf(current) : []), ...(next ? typesOf(next) : [])];
    if (this.scope.mayWrite(this.principal, types)) return;
    const who = this.principal.organisation ?? this.principal.subject;
    throw new CityError(
      'Forbidden',
      this.principal.roles.some((r) => WRITER_ROLES.has(r))
        ? `${who} does not own the dataset of ${types.filter((t, i) => types.indexOf(t) === i).join(', ')}: only its owner writes it`
        : `writing needs one of the roles ${[...WRITER_ROLES].join(', ')} in the owning organisation`,
    );
  }

  /** The entries this session would record for `action` (see `record`). */
  entries(action: string, asked?: string): AuditEntry[] {
    const at = this.clock();
    const who = {
      at,
      actor: this.principal.subject,
      ...(this.principal.organisation !== undefined && {
        organisation: this.principal.organisation,
      }),
      ...(this.purpose !== undefined && { purpose: this.purpose }),
      action,
      ...(this.tenant !== undefined && { tenant: this.tenant }),
    };
    const out: AuditEntry[] = [];
    for (const [dataset, t] of this.tally)
      out.push({
        ...who,
        ...(t.grants.size > 0 && { grants: [...t.grants].sort() }),
        resource: asked ?? dataset,
        ...(t.owner !== undefined && { owner: t.owner }),
        result: 'allow',
        reason: t.reason,
        records: t.records,
      });
    for (const [type, reason] of this.denied) {
      const owner = this.scope.datasets.get(type)?.owner;
      out.push({
        ...who,
        resource: asked ?? this.scope.datasets.get(type)?.id ?? type,
        ...(owner !== undefined && { owner }),
        result: 'deny',
        reason,
        records: 0,
      });
    }
    // Rows withheld from an answer to an id are attempts their owners see; rows left out of a
    // stream or a list are not (nobody asked for them).
    if (asked !== undefined)
      for (const [dataset, h] of this.hidden)
        out.push({
          ...who,
          resource: asked ?? dataset,
          owner: h.owner,
          result: 'deny',
          reason: h.reason,
          records: 0,
        });
    // Asked by id and nothing shown: absent, or not visible to this caller (the same 404).
    // (An answer of nothing to a query that named no dataset involves nobody's data.)
    if (out.length === 0 && asked !== undefined)
      out.push({ ...who, resource: asked, result: 'deny', reason: 'not-visible', records: 0 });
    return out;
  }

  /** Records what was shown (and denied) durably; the answer waits for it. */
  async record(action: string, asked?: string): Promise<void> {
    const auditor = this.auditor;
    if (!auditor) return;
    const entries = this.entries(action, asked);
    if (entries.length > 0) await Promise.all(entries.map((e) => auditor.record(e)));
  }
}
