import type { Database, Statement } from 'better-sqlite3';
import { AUDIT_GENESIS } from '../audit-genesis.js';
import type {
  AuditCheckpoint,
  AuditEntry,
  AuditLogQuery,
  AuditRecord,
  AuditStore,
} from '../port.js';

/** The audit chain's tables (schema step 4). */
export const AUDIT_MIGRATION = `
  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    owner TEXT,
    entry TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX audit_owner ON audit (owner, at);
  CREATE TABLE audit_checkpoints (
    seq INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    at INTEGER NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (seq, key_id)
  );
`;

interface Row {
  seq: number;
  entry: string;
  prev_hash: string;
  hash: string;
}

const toRecord = (r: Row): AuditRecord => ({
  seq: r.seq,
  entry: JSON.parse(r.entry) as AuditEntry,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/** The audit chain in SQLite: one writer, so a transaction is the chain's lock. */
export class AuditTable implements AuditStore {
  private readonly last: Statement<[], { seq: number; hash: string }>;
  private readonly insert: Statement<[number, number, string | null, string, string, string]>;
  private readonly page: Statement<[number, number], Row>;
  private readonly newest: Statement<[number, number], Row>;
  private readonly newestOf: Statement<[string, number, number], Row>;
  private readonly newestOfOthers: Statement<[string, number, number], Row>;
  private readonly insertCheckpoint: Statement<[number, string, string, number, string]>;
  private readonly allCheckpoints: Statement<
    [],
    { seq: number; key_id: string; hash: string; at: number; signature: string }
  >;
  private readonly appendTx: (
    entries: readonly AuditEntry[],
    link: (prevHash: string, seq: number, entry: AuditEntry) => string,
  ) => AuditRecord[];

  constructor(db: Database) {
    this.last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
    this.insert = db.prepare(
      'INSERT INTO audit (seq, at, owner, entry, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.page = db.prepare(
      'SELECT seq, entry, prev_hash, hash FROM audit WHERE seq >= ? ORDER BY seq LIMIT ?',
    );
    this.newest = db.prepare(
      'SELECT seq, entry, prev_hash, hash FROM audit WHERE seq < ? ORDER BY seq DESC LIMIT ?',
    );
    const ofOwner = 'SELECT seq, entry, prev_hash, hash FROM audit WHERE owner = ? AND seq < ?';
    this.newestOf = db.prepare(`${ofOwner} ORDER BY seq DESC LIMIT ?`);
    this.newestOfOthers = db.prepare(
      `${ofOwner} AND json_extract(entry, '$.organisation') IS NOT owner ORDER BY seq DESC LIMIT ?`,
    );
    this.insertCheckpoint = db.prepare(
      'INSERT OR REPLACE INTO audit_checkpoints (seq, key_id, hash, at, signature) VALUES (?, ?, ?, ?, ?)',
    );
    this.allCheckpoints = db.prepare(
      'SELECT seq, key_id, hash, at, signature FROM audit_checkpoints ORDER BY seq, key_id',
    );
    this.appendTx = db.transaction(
      (
        entries: readonly AuditEntry[],
        link: (prevHash: string, seq: number, entry: AuditEntry) => string,
      ) => {
        const head = this.last.get();
        let seq = head?.seq ?? 0;
        let prevHash = head?.hash ?? AUDIT_GENESIS;
        const records: AuditRecord[] = [];
        for (const entry of entries) {
          seq++;
          const hash = link(prevHash, seq, entry);
          this.insert.run(
            seq,
            entry.at,
            entry.owner ?? null,
            JSON.stringify(entry),
            prevHash,
            hash,
          );
          records.push({ seq, entry, prevHash, hash });
          prevHash = hash;
        }
        return records;
      },
    );
  }

  async append(
    entries: readonly AuditEntry[],
    link: (prevHash: string, seq: number, entry: AuditEntry) => string,
  ): Promise<AuditRecord[]> {
    return entries.length === 0 ? [] : this.appendTx(entries, link);
  }

  async read(fromSeq: number, limit: number): Promise<AuditRecord[]> {
    return this.page.all(fromSeq, limit).map(toRecord);
  }

  async head(): Promise<{ seq: number; hash: string } | undefined> {
    return this.last.get();
  }

  async recent(query: AuditLogQuery): Promise<AuditRecord[]> {
    const before = query.beforeSeq ?? Number.MAX_SAFE_INTEGER;
    const rows =
      query.owner === undefined
        ? this.newest.all(before, query.limit)
        : (query.othersOnly ? this.newestOfOthers : this.newestOf).all(
            query.owner,
            before,
            query.limit,
          );
    return rows.map(toRecord);
  }

  async addCheckpoint(c: AuditCheckpoint): Promise<void> {
    this.insertCheckpoint.run(c.seq, c.keyId, c.hash, c.at, c.signature);
  }

  async checkpoints(): Promise<AuditCheckpoint[]> {
    return this.allCheckpoints.all().map((r) => ({
      seq: r.seq,
      keyId: r.key_id,
      hash: r.hash,
      at: r.at,
      signature: r.signature,
    }));
  }
}
