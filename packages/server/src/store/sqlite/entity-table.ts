import type { Database, Statement } from 'better-sqlite3';
import {
  CityError,
  entityTypes,
  matchesTypes,
  type Entity,
  type TypeExpression,
} from '../../core/index.js';
import type {
  AttributeInfo,
  EntityPage,
  EntityQuery,
  EntityWrite,
  EntityWriteResult,
  TypeInfo,
} from '../port.js';
import { entityQuerySql } from './entity-query-sql.js';
import { EntityRows, type StoredEntity } from './entity-rows.js';
import { GroupCommit } from './group-commit.js';
import { LruCache } from './lru-cache.js';
import { compiledPattern, registerRegexp } from './regexp.js';
import { EntityStoreBase } from '../entity-store-base.js';
import { stampEntity } from '../stamp-entity.js';

/** An entity whose newest state is ahead of its stored document (see `deferSync`). */
interface Deferred {
  /** What the file holds: the base of the index changes when the newest state is written. */
  stored: StoredEntity;
  latest: Entity;
  part: number;
}

interface QueryRow {
  eid: number;
  id: string;
  sure: number | null;
}

/**
 * Entities as JSONB documents keyed by an integer rowid, with type, geo and discovery indexes
 * (see entity-schema.ts). Writes are group-committed; parsed entities are cached (LRU) and the
 * cache only ever holds committed states. Cached entities are shared: never mutate them.
 */
export class EntityTable extends EntityStoreBase {
  private readonly rows: EntityRows;
  private readonly cache: LruCache<string, StoredEntity>;
  /** Ids that missed the cache recently (see `admit`). */
  private readonly missed = new LruCache<string, true>(4096);
  private readonly selectByEid: Statement<[number], { doc: string }>;
  private readonly statements = new LruCache<string, Statement<unknown[], QueryRow>>(128);
  private readonly commit: GroupCommit<readonly EntityWrite[], EntityWriteResult[]>;
  /** Entities observed since their document was written, by id and by log partition. */
  private readonly deferred = new Map<string, Deferred>();
  private readonly parts = new Map<number, Set<string>>();
  /** Nesting of row-write batches (EntityRows.begin … finish) in the current transaction. */
  private depth = 0;
  private readonly writeSome: (ids: readonly string[]) => void;
  /** Called inside the transaction before an API write of an entity (the store moves its log). */
  beforeWrite?: (id: string) => void;

  constructor(
    private readonly db: Database,
    cacheSize = 100_000,
    /** Called inside the transaction for every changed entity (the store records history). */
    private readonly onChange?: (
      before: Entity | undefined,
      after: Entity | undefined,
      now: number,
    ) => void,
    /** Called after a group's transaction rolled back. */
    private readonly onRollback?: () => void,
  ) {
    super();
    registerRegexp(db);
    this.rows = new EntityRows(db);
    this.cache = new LruCache(cacheSize);
    this.selectByEid = db.prepare('SELECT json(doc) AS doc FROM entities WHERE eid = ?');
    const tx = db.transaction((groups: readonly (readonly EntityWrite[])[]) =>
      this.runGroups(groups),
    );
    const write = (ids: readonly string[]) =>
      this.batch(() => {
        for (const id of ids) this.writeDeferred(id);
      });
    const writeTx = db.transaction(write);
    this.writeSome = (ids) => (db.inTransaction ? write(ids) : writeTx(ids));
    this.commit = new GroupCommit((groups) => {
      let ran: ReturnType<typeof tx>;
      try {
        ran = tx(groups);
      } catch (err) {
        this.onRollback?.();
        throw err;
      }
      const { results, touched } = ran;
      // Only now is the group durable: let the cache see it.
      for (const [id, stored] of touched)
        if (stored && this.admit(id)) this.cache.set(id, stored);
        else this.cache.delete(id);
      return results;
    });
  }

  /**
   * The entity with its key, cached; synchronous, for use inside a transaction. For an entity
   * with a deferred document this is its newest state, not what the file holds.
   */
  loadStored(id: string): StoredEntity | undefined {
    const d = this.deferred.get(id);
    if (d) return { eid: d.stored.eid, entity: d.latest };
    const hit = this.cache.get(id);
    if (hit) return hit;
    const stored = this.rows.load(id);
    if (stored) this.cache.set(id, stored);
    return stored;
  }

  /**
   * Whether an entity read or written outside the cache should enter it: yes when it is there
   * already or missed it recently (its second miss), so scattered accesses to more entities
   * than the cache holds neither evict hot entities nor leave long-lived garbage.
   */
  private admit(id: string): boolean {
    if (this.cache.get(id) !== undefined) return true;
    if (this.missed.get(id) === undefined) {
      this.missed.set(id, true);
      return false;
    }
    this.missed.delete(id);
    return true;
  }

  /** The stored entity with its key, from the cache or the file (not cached). */
  private peekStored(id: string): StoredEntity | undefined {
    if (this.deferred.has(id)) return this.writeDeferred(id);
    return this.cache.get(id) ?? this.rows.load(id);
  }

  /** Reads an entity synchronously (its newest state); the result must not be mutated. */
  load(id: string): Entity | undefined {
    return this.loadStored(id)?.entity;
  }

  /**
   * Stores an entity inside the caller's transaction (ingest) and caches it at once: the
   * caller must call `clearCache` if its transaction rolls back.
   */
  putSync(before: StoredEntity | undefined, after: Entity): StoredEntity {
    const d = this.deferred.get(after.id);
    if (d) this.forget(after.id, d);
    const stored = this.rows.put(d ? d.stored : before, after)!;
    this.cache.set(after.id, stored);
    return stored;
  }

  /**
   * Ingest's write of an observed entity: the document is written later, when the ingest log
   * moves partition `part` (where this entity's points are logged) into the history, so an
   * entity observed many times in a cycle is written once. Until then the log holds what the
   * document lacks: the store replays it after a restart or a rolled-back transaction. A new
   * entity (no `before`) is written at once: the log does not know its type.
   */
  deferSync(before: StoredEntity | undefined, after: Entity, part: number): Entity {
    if (!before) return this.putSync(before, after).entity;
    const d = this.deferred.get(after.id);
    if (d) d.latest = after;
    else {
      this.deferred.set(after.id, { stored: before, latest: after, part });
      let ids = this.parts.get(part);
      if (!ids) this.parts.set(part, (ids = new Set()));
      ids.add(after.id);
    }
    return after;
  }

  private forget(id: string, d: Deferred): void {
    this.deferred.delete(id);
    this.parts.get(d.part)?.delete(id);
  }

  /** Writes a deferred document now; inside a batch. */
  private writeDeferred(id: string): StoredEntity {
    const d = this.deferred.get(id)!;
    this.forget(id, d);
    const stored = this.rows.put(d.stored, d.latest)!;
    this.cache.set(id, stored);
    return stored;
  }

  /** Writes the deferred documents of log partition `part`, inside the caller's transaction. */
  writePart(part: number): void {
    const ids = this.parts.get(part);
    if (ids && ids.size > 0) this.writeSome([...ids]);
  }

  /**
   * Writes the deferred documents (before SQL reads the documents and their indexes): those
   * of entities of `types` only, when given (a query of other types cannot see the rest).
   */
  settle(types?: TypeExpression): void {
    if (this.deferred.size === 0) return;
    if (types) {
      const ids: string[] = [];
      for (const [id, d] of this.deferred)
        if (matchesTypes(entityTypes(d.latest), types)) ids.push(id);
      if (ids.length === 0) return;
      this.writeSome(ids);
    } else this.writeSome([...this.deferred.keys()]);
  }

  /** Runs `fn` inside one batch of row writes (joins the current one). */
  private batch<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.beginSync();
    try {
      const out = fn();
      this.rows.finish();
      return out;
    } finally {
      this.depth--;
    }
  }

  /** Starts a batch of `putSync` inside the caller's transaction. */
  beginSync(): void {
    this.rows.begin();
    this.depth++;
  }

  /** Ends a batch of `putSync`: call before the caller's transaction commits. */
  finishSync(): void {
    this.rows.finish();
    this.depth--;
  }

  /**
   * Drops every cached entity and every deferred state (after a rolled-back transaction: the
   * store then replays its log).
   */
  clearCache(): void {
    this.cache.clear();
    this.deferred.clear();
    this.parts.clear();
    this.depth = 0;
  }

  /** Runs the queued group of writes now (before closing). */
  flush(): void {
    this.commit.flush();
  }

  private runGroups(groups: readonly (readonly EntityWrite[])[]): {
    results: EntityWriteResult[][];
    touched: Map<string, StoredEntity | null>;
  } {
    const touched = new Map<string, StoredEntity | null>();
    this.beginSync();
    const nowMs = Date.now();
    const now = new Date(nowMs).toISOString();
    const results = groups.map((writes) =>
      writes.map((w): EntityWriteResult => {
        const seen = touched.get(w.id);
        // The entity's logged observations join the history first: the log never holds
        // anything older than an API write (it is what a restart replays).
        if (seen === undefined) this.beforeWrite?.(w.id);
        const before = seen === null ? undefined : (seen ?? this.peekStored(w.id));
        let next: Entity | null | undefined;
        try {
          next = w.mutate(before?.entity);
          if (next && next.id !== w.id)
            throw new CityError('BadRequestData', `a write to ${w.id} returned entity ${next.id}`);
          if (next === null && !before) next = undefined;
          if (next === undefined)
            return { id: w.id, before: before?.entity, after: before?.entity, changed: false };
          const after = next && stampEntity(before?.entity, next, now);
          touched.set(w.id, this.rows.put(before, after ?? undefined) ?? null);
          this.onChange?.(before?.entity, after ?? undefined, nowMs);
          return { id: w.id, before: before?.entity, after: after ?? undefined, changed: true };
        } catch (err) {
          if (!(err instanceof CityError)) throw err;
          return { id: w.id, before: before?.entity, changed: false, error: err };
        }
      }),
    );
    this.finishSync();
    return { results, touched };
  }

  async write(writes: readonly EntityWrite[]): Promise<EntityWriteResult[]> {
    if (writes.length === 0) return [];
    return this.commit.submit(writes);
  }

  async get(id: string): Promise<Entity | undefined> {
    const d = this.deferred.get(id);
    if (d) return d.latest;
    const hit = this.cache.get(id);
    if (hit) return hit.entity;
    const stored = this.rows.load(id);
    if (stored && this.admit(id)) this.cache.set(id, stored);
    return stored?.entity;
  }

  private loadRow(row: QueryRow): Entity {
    const hit = this.cache.get(row.id);
    if (hit) return hit.entity;
    const found = this.selectByEid.get(row.eid);
    if (!found) throw new CityError('InternalError', `entity ${row.id} vanished during a query`);
    return JSON.parse(found.doc) as Entity;
  }

  async query(query: EntityQuery): Promise<EntityPage> {
    if (query.idPattern !== undefined) compiledPattern(query.idPattern);
    this.settle(query.types);
    const plan = entityQuerySql(query);
    const entities: Entity[] = [];
    const end = query.offset + query.limit;
    let matched = 0;
    let statement = this.statements.get(plan.sql);
    if (!statement) {
      statement = this.db.prepare<unknown[], QueryRow>(plan.sql);
      this.statements.set(plan.sql, statement);
    }
    for (const row of statement.iterate(...plan.params)) {
      let entity: Entity | undefined;
      if (row.sure === null) {
        entity = this.loadRow(row);
        if (!plan.recheck(entity)) continue;
      }
      if (matched >= query.offset && matched < end) entities.push(entity ?? this.loadRow(row));
      matched++;
      if (!query.count && matched >= end) break;
    }
    return query.count ? { entities, count: matched } : { entities };
  }

  async typeInfo(): Promise<TypeInfo[]> {
    this.settle();
    return this.rows.summary.typeInfo();
  }

  async attributeInfo(): Promise<AttributeInfo[]> {
    this.settle();
    return this.rows.summary.attributeInfo();
  }
}
