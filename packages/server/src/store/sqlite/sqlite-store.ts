import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database, { type Statement } from 'better-sqlite3';
import type { Entity, Observation, ObservedValue } from '../../core/index.js';
import type { DocumentCollection, IngestOutcome, RefusedObservation, Store } from '../port.js';
import { offloadCheckpoints, stopCheckpoints } from './checkpointer.js';
import { AuditTable } from './audit-table.js';
import { CollectionTable } from './collection-table.js';
import { DeadLetterTable } from './dead-letter-table.js';
import { DeviceTable } from './device-table.js';
import type { StoredEntity } from './entity-rows.js';
import { EntityTable } from './entity-table.js';
import { migrate } from './schema.js';
import { SeriesTable } from './series-table.js';
import { TemporalTable } from './temporal-table.js';
import { changedInstances } from '../changed-instances.js';
import { applyObservation, observationRefusal } from '../apply-observation.js';

/** A logged point with its entity id and attribute name (see replayLog). */
interface LoggedRow {
  id: string;
  name: string;
  t: number;
  num: number | null;
  json: string | null;
  unit: string | null;
  created: number | null;
}

/** 16 GiB of address space for memory-mapped reads (see SqliteStoreOptions.mmapSize). */
export const DEFAULT_MMAP_SIZE = 16 * 1024 ** 3;

/** Options of the embedded SQLite store. */
export interface SqliteStoreOptions {
  /** Database file; `:memory:` only for throwaway use. */
  file: string;
  /**
   * `full` fsyncs the write-ahead log at every commit (durable across power loss);
   * `normal` only at checkpoints (durable across a process crash).
   */
  synchronous?: 'full' | 'normal';
  /**
   * Bytes of the file SQLite reads through a memory map instead of read() calls (0: none).
   * Address space, not memory: the pages are the OS page cache's, shared and reclaimable.
   * Default 16 GiB, which makes random reads of a large file about a quarter faster.
   */
  mmapSize?: number;
  /** How many parsed entities to keep in memory for ingest. */
  entityCacheSize?: number;
}

/** The embedded default store: one SQLite file in WAL mode. */
export class SqliteStore implements Store {
  readonly entities: EntityTable;
  readonly series: SeriesTable;
  readonly deadLetters: DeadLetterTable;
  readonly devices: DeviceTable;
  readonly temporal: TemporalTable;
  readonly audit: AuditTable;
  private readonly db: Database.Database;
  private readonly file: string;
  private readonly collections = new Map<string, CollectionTable<unknown>>();
  private readonly ingestTx: (batch: readonly Observation[]) => IngestOutcome;
  private readonly logged: Statement<[], LoggedRow>;

  constructor(options: SqliteStoreOptions) {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('cache_size = -65536');
    this.db.pragma(`mmap_size = ${options.mmapSize ?? DEFAULT_MMAP_SIZE}`);
    migrate(this.db);
    this.file = options.file;
    // Commits append to the log; a worker thread copies it into the file.
    if (options.file !== ':memory:') offloadCheckpoints(this.db, options.file);
    this.series = new SeriesTable(this.db);
    this.temporal = new TemporalTable(this.db, this.series.log);
    // Every change made through the API joins the history in the write's own transaction.
    this.entities = new EntityTable(
      this.db,
      options.entityCacheSize,
      (before, after, now) => this.temporal.appendSync(changedInstances(before, after, now)),
      () => this.rolledBack(),
    );
    // Ingest defers observed entities' documents to their log partition's move (see
    // EntityTable.deferSync); an API write moves the entity's partition first.
    this.series.log.onMove = (part) => this.entities.writePart(part);
    this.series.log.onRollback = () => this.rolledBack();
    this.entities.beforeWrite = (id) => this.series.drainEntity(id);
    this.deadLetters = new DeadLetterTable(this.db);
    this.devices = new DeviceTable(this.db);
    this.audit = new AuditTable(this.db);
    this.ingestTx = this.db.transaction((batch: readonly Observation[]) => {
      const nowMs = Date.now();
      const now = new Date(nowMs).toISOString();
      this.entities.beginSync();
      const changed = new Map<string, { before: StoredEntity | undefined; entity: Entity }>();
      const refused: RefusedObservation[] = [];
      for (const obs of batch) {
        let change = changed.get(obs.entityId);
        const before = change ? change.before : this.entities.loadStored(obs.entityId);
        const current = change?.entity ??
          before?.entity ?? {
            id: obs.entityId,
            type: obs.entityType,
          };
        const reason = observationRefusal(current, obs);
        if (reason !== undefined) {
          refused.push({ observation: obs, reason });
          continue;
        }
        if (!change) changed.set(obs.entityId, (change = { before, entity: current }));
        change.entity = applyObservation(current, obs);
        for (const [name, observed] of Object.entries(obs.attrs))
          this.series.appendSync(
            obs.entityId,
            name,
            obs.observedAt,
            observed.value,
            observed.unitCode,
            nowMs,
          );
      }
      const entities = [...changed.values()].map(({ before, entity }) => {
        // applyObservation returned a fresh copy: stamp it in place.
        entity.createdAt = before?.entity.createdAt ?? now;
        entity.modifiedAt = now;
        const part = this.series.partOf(entity.id);
        return part === undefined
          ? this.entities.putSync(before, entity).entity
          : this.entities.deferSync(before, entity, part);
      });
      this.series.log.advance(nowMs);
      this.entities.finishSync();
      return { changed: entities, refused };
    });
    this.logged = this.db.prepare(
      `SELECT e.id AS id, a.name AS name, l.t AS t, l.num AS num, l.json AS json, l.unit AS unit,
         l.created AS created
       FROM series_log l JOIN series_entities e ON e.eid = l.eid
         JOIN series_attrs a ON a.aid = l.aid
       ORDER BY l.seq`,
    );
    // A stop without close (a crash) may have left documents behind their log.
    this.replayLog();
  }

  async ingest(batch: readonly Observation[]): Promise<IngestOutcome> {
    try {
      return this.ingestTx(batch);
    } catch (err) {
      this.rolledBack();
      throw err;
    }
  }

  /**
   * After a rolled-back transaction, cached and deferred state may be ahead of the file: drop
   * it, and rebuild the deferred entities from the log.
   */
  private rolledBack(): void {
    this.entities.clearCache();
    this.series.resetCache();
    this.series.log.resync();
    this.temporal.resetCache();
    this.replayLog();
  }

  /**
   * Applies the ingest log to the entity documents: they may lack observations that reached
   * only the log (ingest defers documents; see EntityTable.deferSync). Replaying is safe: an
   * observation is never older than what a document took after it (an API write moves the
   * entity's log first), and one the document already holds changes nothing.
   */
  private replayLog(): void {
    if (!this.db.open) return;
    this.db.transaction(() => {
      const latest = new Map<string, { before: StoredEntity; entity: Entity; at: number }>();
      for (const row of this.logged.iterate()) {
        const d = latest.get(row.id);
        const before = d?.before ?? this.entities.loadStored(row.id);
        if (!before) continue; // deleted since
        const value: ObservedValue['value'] =
          row.json === null
            ? row.num!
            : (JSON.parse(row.json) as { value: ObservedValue['value'] }).value;
        const entity = applyObservation(d?.entity ?? before.entity, {
          entityId: row.id,
          entityType: before.entity.type as string,
          deviceId: '',
          observedAt: row.t,
          attrs: { [row.name]: { value, ...(row.unit !== null && { unitCode: row.unit }) } },
        });
        latest.set(row.id, { before, entity, at: Math.max(d?.at ?? 0, row.created ?? 0) });
      }
      this.entities.beginSync();
      for (const { before, entity, at } of latest.values()) {
        if (at > 0) entity.modifiedAt = new Date(at).toISOString();
        this.entities.putSync(before, entity);
      }
      this.entities.finishSync();
    })();
  }

  collection<T>(name: string): DocumentCollection<T> {
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new CollectionTable<unknown>(this.db, name);
      this.collections.set(name, collection);
    }
    return collection as DocumentCollection<T>;
  }

  async ready(): Promise<boolean> {
    try {
      this.db.prepare('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.db.open) {
      this.entities.flush();
      // The whole log joins the history (writing the deferred documents): a clean start.
      this.series.log.drainAll();
      await stopCheckpoints(this.file);
      if (!this.db.open) return;
      this.entities.flush();
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.close();
    }
  }
}
