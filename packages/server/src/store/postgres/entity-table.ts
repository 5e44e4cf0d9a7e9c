import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { CityError, type Entity } from '../../core/index.js';
import { changedInstances } from '../changed-instances.js';
import type {
  AttributeInfo,
  AttributeInstance,
  EntityPage,
  EntityQuery,
  EntityWrite,
  EntityWriteResult,
  TypeInfo,
} from '../port.js';
import { EntityStoreBase } from '../entity-store-base.js';
import { stampEntity } from '../stamp-entity.js';
import { entityQuerySql } from './entity-query-sql.js';
import { attributeInfo, typeInfo } from './entity-stats.js';
import { lockEntities, storableJson, writeEntityRows } from './entity-rows.js';
import { AsyncGroupCommit, type Outcome } from './group-commit.js';
import { inTransaction } from './pg-transaction.js';

/** Appends history instances inside an entity write's transaction (PgHistory). */
export interface HistoryAppender {
  appendWith(client: PoolClient, instances: readonly AttributeInstance[]): Promise<void>;
}

/** A JSON value with every object's keys in sorted order. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
  );
}

/**
 * The history instances of a write (changedInstances). JSONB keeps an object's keys in its own
 * order, so the state read back may list an attribute's members in another order than the
 * write that re-sends it: the attributes a write touched are compared with sorted keys, so that
 * an unchanged instance is not recorded again.
 */
function historyOf(before: Entity | undefined, after: Entity | undefined, now: number) {
  if (!before || !after) return changedInstances(before, after, now);
  const b: Entity = { ...before };
  const a: Entity = { ...after };
  for (const name of Object.keys(after))
    if (before[name] !== after[name]) {
      b[name] = sortedKeys(before[name]);
      a[name] = sortedKeys(after[name]);
    }
  return changedInstances(b, a, now);
}

/** Turns a PostgreSQL refusal of a query's input (a pattern it cannot compile) into a 400. */
function queryError(err: unknown): unknown {
  const code = (err as { code?: string }).code;
  if (code === '2201B')
    return new CityError('BadRequestData', `invalid pattern: ${(err as Error).message}`, {
      cause: err,
    });
  return err;
}

/**
 * Entities in PostgreSQL, shared by every node: nothing is cached between requests. Writes are
 * group-committed (concurrent callers share one transaction), locking their rows in key order
 * and running the mutations in Node on the locked state; queries are translated to SQL whole.
 */
export class PgEntityTable extends EntityStoreBase {
  private readonly commit: AsyncGroupCommit<readonly EntityWrite[], EntityWriteResult[]>;

  constructor(
    private readonly pool: Pool,
    private readonly history: HistoryAppender,
    private readonly logger?: Logger,
  ) {
    super();
    this.commit = new AsyncGroupCommit((groups) =>
      inTransaction(this.pool, (client) => this.runGroups(client, groups), this.logger),
    );
  }

  /** Resolves once every queued write has settled (before closing). */
  idle(): Promise<void> {
    return this.commit.idle();
  }

  private async runGroups(
    client: PoolClient,
    groups: readonly (readonly EntityWrite[])[],
  ): Promise<Outcome<EntityWriteResult[]>[]> {
    const ids = [...new Set(groups.flatMap((g) => g.map((w) => w.id)))];
    const initial = await lockEntities(client, ids);
    const state = new Map<string, Entity | undefined>(initial);
    const nowMs = Date.now();
    const now = new Date(nowMs).toISOString();
    const history: AttributeInstance[] = [];
    const outcomes = groups.map((writes): Outcome<EntityWriteResult[]> => {
      // A caller whose mutation throws a non-CityError fails alone: its changes are undone.
      const undo = new Map<string, Entity | undefined>();
      const appended: AttributeInstance[] = [];
      try {
        const results = writes.map((w) => {
          const before = state.get(w.id);
          try {
            let next = w.mutate(before);
            if (next && next.id !== w.id)
              throw new CityError(
                'BadRequestData',
                `a write to ${w.id} returned entity ${next.id}`,
              );
            if (next === null && !before) next = undefined;
            if (next === undefined) return { id: w.id, before, after: before, changed: false };
            const after = next ? stampEntity(before, next, now) : undefined;
            if (after) storableJson(after);
            if (!undo.has(w.id)) undo.set(w.id, before);
            state.set(w.id, after);
            appended.push(...historyOf(before, after, nowMs));
            return { id: w.id, before, after, changed: true };
          } catch (err) {
            if (!(err instanceof CityError)) throw err;
            return { id: w.id, before, changed: false, error: err };
          }
        });
        history.push(...appended);
        return { ok: true, value: results };
      } catch (error) {
        for (const [id, entity] of undo) state.set(id, entity);
        return { ok: false, error };
      }
    });
    await writeEntityRows(
      client,
      [...state].map(([id, after]) => ({ id, before: initial.get(id), after })),
    );
    if (history.length > 0) await this.history.appendWith(client, history);
    return outcomes;
  }

  async write(writes: readonly EntityWrite[]): Promise<EntityWriteResult[]> {
    if (writes.length === 0) return [];
    return this.commit.submit(writes);
  }

  async get(id: string): Promise<Entity | undefined> {
    const { rows } = await this.pool.query<{ doc: Entity }>(
      'SELECT doc FROM entities WHERE id = $1',
      [id],
    );
    return rows[0]?.doc;
  }

  async query(query: EntityQuery): Promise<EntityPage> {
    const { sql, params } = entityQuerySql(query);
    let rows: { doc: Entity | null; total?: string }[];
    try {
      rows = (await this.pool.query<{ doc: Entity | null; total?: string }>(sql, params)).rows;
    } catch (err) {
      throw queryError(err);
    }
    const entities = rows.flatMap((r) => (r.doc ? [r.doc] : []));
    if (!query.count) return { entities };
    return { entities, count: Number(rows[0]?.total ?? 0) };
  }

  typeInfo(): Promise<TypeInfo[]> {
    return typeInfo(this.pool);
  }

  attributeInfo(): Promise<AttributeInfo[]> {
    return attributeInfo(this.pool);
  }
}
