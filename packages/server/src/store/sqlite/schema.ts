import type { Database } from 'better-sqlite3';
import { ENTITY_MIGRATION } from './entity-schema.js';
import { TEMPORAL_MIGRATION } from './temporal-schema.js';
import { AUDIT_MIGRATION } from './audit-table.js';

/** Versioned migrations; index i brings the schema from user_version i to i + 1. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE entities (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    doc TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    modified_at INTEGER NOT NULL
  );
  CREATE INDEX entities_type ON entities (type, id);
  -- Dictionary encoding keeps the time-series key small and integer (see ARCHITECTURE.md).
  CREATE TABLE series_entities (eid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);
  CREATE TABLE series_attrs (aid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  CREATE TABLE series (
    eid INTEGER NOT NULL,
    aid INTEGER NOT NULL,
    t INTEGER NOT NULL,
    num REAL,
    json TEXT,
    PRIMARY KEY (eid, aid, t)
  ) WITHOUT ROWID;
  CREATE TABLE dead_letters (
    id INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    source TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    device_id TEXT,
    topic TEXT,
    payload TEXT
  );
  CREATE INDEX dead_letters_reason ON dead_letters (reason, id);
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    entity_id TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    units TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  ENTITY_MIGRATION,
  TEMPORAL_MIGRATION,
  AUDIT_MIGRATION,
  // An owner's access log reads its newest records first.
  'CREATE INDEX audit_owner_seq ON audit (owner, seq);',
  // Ingest appends points here and moves them into series in bulk (see series-log.ts).
  `CREATE TABLE series_log (
    part INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    eid INTEGER NOT NULL,
    aid INTEGER NOT NULL,
    t INTEGER NOT NULL,
    num REAL,
    json TEXT,
    unit TEXT,
    created INTEGER,
    PRIMARY KEY (part, seq)
  ) WITHOUT ROWID;`,
];

/**
 * Brings the database schema up to date (or up to version `to`, for tests of old files) inside
 * one transaction per step.
 */
export function migrate(db: Database, to = MIGRATIONS.length): number {
  let version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length)
    throw new Error(
      `the database schema is version ${version}, newer than this citybrain (${MIGRATIONS.length}); upgrade citybrain`,
    );
  while (version < to) {
    const step = MIGRATIONS[version]!;
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${version + 1}`);
    })();
    version++;
  }
  return version;
}
