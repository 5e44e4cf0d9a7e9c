import pg from 'pg';
import type { Logger } from 'pino';
import type { Entity, Observation } from '../../core/index.js';
import { applyObservation, observationRefusal } from '../apply-observation.js';
import type { DocumentCollection, IngestOutcome, RefusedObservation, Store } from '../port.js';
import { PgAuditTable } from './audit-table.js';
import { PgCollection } from './collection-table.js';
import { CORE_MIGRATIONS } from './core-schema.js';
import { PgDeadLetterTable } from './dead-letter-table.js';
import { PgDeviceTable } from './device-table.js';
import { lockEntities, writeEntityRows } from './entity-rows.js';
import { PgEntityTable } from './entity-table.js';
import { HISTORY_MIGRATIONS } from './history-schema.js';
import { PgHistory, type ObservationRow } from './history-table.js';
import { ensurePostgis, migrate, quoteIdent, type Migration } from './migrations.js';
import { inTransaction } from './pg-transaction.js';

/** Options of the PostgreSQL store. */
export interface PostgresStoreOptions {
  /** A PostgreSQL URL, e.g. postgres://user@host:5432/citybrain. */
  url: string;
  /** The schema holding this store's tables (created when absent); default `citybrain`. */
  schema?: string;
  /** Most connections this node opens (default 10). */
  pool?: number;
  logger?: Logger;
}

/** Every step, in order: the core tables, then the history (PG-B's). Append-only. */
export const MIGRATIONS: readonly Migration[] = [...CORE_MIGRATIONS, ...HISTORY_MIGRATIONS];

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Checks a schema name (it is written into connection options and SQL). */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema) || /^pg_/i.test(schema))
    throw new Error(
      `invalid PostgreSQL schema name ${JSON.stringify(schema)}: use letters, digits and _ (at most 63, not pg_…)`,
    );
  return schema;
}

/**
 * The scale-out store: PostgreSQL 15 + PostGIS, one schema per store, shared by every node (no
 * state kept between requests). Open with `PostgresStore.open`, which applies the migrations.
 */
export class PostgresStore implements Store {
  readonly entities: PgEntityTable;
  readonly temporal: PgHistory;
  readonly series: PgHistory;
  readonly deadLetters: PgDeadLetterTable;
  readonly devices: PgDeviceTable;
  readonly audit: PgAuditTable;
  private readonly collections = new Map<string, PgCollection<unknown>>();
  private closed = false;

  private constructor(
    readonly options: Required<Pick<PostgresStoreOptions, 'url' | 'schema'>> & PostgresStoreOptions,
    private readonly pool: pg.Pool,
  ) {
    const { logger, schema } = options;
    this.temporal = new PgHistory({ pool, schema, ...(logger && { logger }) });
    this.series = this.temporal;
    this.entities = new PgEntityTable(pool, this.temporal, logger);
    this.deadLetters = new PgDeadLetterTable(pool);
    this.devices = new PgDeviceTable(pool);
    this.audit = new PgAuditTable(pool, logger);
  }

  /** Connects, installs PostGIS when needed, applies pending migrations, and opens the store. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const schema = checkSchemaName(options.schema ?? 'citybrain');
    const setup = new pg.Client({ connectionString: options.url });
    await setup.connect();
    let postgis: string;
    try {
      postgis = await ensurePostgis(setup);
      await migrate({
        client: setup,
        schema,
        postgisSchema: postgis,
        migrations: MIGRATIONS,
        ...(options.logger && { logger: options.logger }),
      });
    } finally {
      await setup.end();
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.pool ?? 10,
      // Every connection sees this store's tables, then PostGIS; commits wait for the WAL flush.
      options: `-c search_path=${quoteIdent(schema)},${quoteIdent(checkSchemaName(postgis))} -c synchronous_commit=on -c jit=off`,
    });
    // An idle connection the server dropped must not crash the process; the pool replaces it.
    pool.on('error', (err) => options.logger?.warn({ err }, 'idle PostgreSQL connection failed'));
    return new PostgresStore({ ...options, schema }, pool);
  }

  async ingest(batch: readonly Observation[]): Promise<IngestOutcome> {
    if (batch.length === 0) return { changed: [], refused: [] };
    const ids = [...new Set(batch.map((o) => o.entityId))];
    return inTransaction(
      this.pool,
      async (client) => {
        const locked = await lockEntities(client, ids);
        const nowMs = Date.now();
        const now = new Date(nowMs).toISOString();
        const changed = new Map<string, Entity>();
        const refused: RefusedObservation[] = [];
        const rows: ObservationRow[] = [];
        for (const obs of batch) {
          const current = changed.get(obs.entityId) ??
            locked.get(obs.entityId) ?? { id: obs.entityId, type: obs.entityType };
          const reason = observationRefusal(current, obs);
          if (reason !== undefined) {
            refused.push({ observation: obs, reason });
            continue;
          }
          changed.set(obs.entityId, applyObservation(current, obs));
          for (const [attr, observed] of Object.entries(obs.attrs)) {
            const row: ObservationRow = {
              entityId: obs.entityId,
              attr,
              observedAt: obs.observedAt,
              value: observed.value,
              now: nowMs,
            };
            if (observed.unitCode !== undefined) row.unitCode = observed.unitCode;
            rows.push(row);
          }
        }
        for (const [id, entity] of changed) {
          // applyObservation returned a fresh copy: stamp it in place.
          entity.createdAt = locked.get(id)?.createdAt ?? now;
          entity.modifiedAt = now;
        }
        await writeEntityRows(
          client,
          [...changed].map(([id, after]) => ({ id, before: locked.get(id), after })),
        );
        await this.temporal.appendObservationsWith(client, rows);
        return { changed: [...changed.values()], refused };
      },
      this.options.logger,
    );
  }

  collection<T>(name: string): DocumentCollection<T> {
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new PgCollection<unknown>(this.pool, name);
      this.collections.set(name, collection);
    }
    return collection as DocumentCollection<T>;
  }

  async ready(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.entities.idle();
    await this.temporal.settle();
    await this.pool.end();
  }
}
