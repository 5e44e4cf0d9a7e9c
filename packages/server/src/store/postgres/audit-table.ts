import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { AUDIT_GENESIS } from '../audit-genesis.js';
import type {
  AuditCheckpoint,
  AuditEntry,
  AuditLogQuery,
  AuditRecord,
  AuditStore,
} from '../port.js';
import { inTransaction } from './pg-transaction.js';

interface Row {
  seq: string;
  /** json (the exact text appended: jsonb would refuse \u0000 and reorder keys), parsed by the driver. */
  entry: AuditEntry;
  prev_hash: string;
  hash: string;
}

interface CheckpointRow {
  seq: string;
  key_id: string;
  hash: string;
  at: string;
  signature: string;
}

const toRecord = (r: Row): AuditRecord => ({
  seq: Number(r.seq),
  entry: r.entry,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/**
 * The audit chain in PostgreSQL (tables of core-005-audit), shared by every node: an append
 * locks the table against other appenders (readers go on), reads the head and inserts its
 * records in one transaction, so that the nodes' appends make one chain, 1, 2, 3 …
 */
export class PgAuditTable implements AuditStore {
  constructor(
    private readonly pool: Pool,
    private readonly logger?: Logger,
  ) {}

  async append(
    entries: readonly AuditEntry[],
    link: (prevHash: string, seq: number, entry: AuditEntry) => string,
  ): Promise<AuditRecord[]> {
    if (entries.length === 0) return [];
    return inTransaction(
      this.pool,
      async (client) => {
        // EXCLUSIVE conflicts with itself and with writes, not with reads. LOCK takes no
        // snapshot, so the head read next sees every append committed before, whatever the
        // isolation level.
        await client.query('LOCK TABLE audit IN EXCLUSIVE MODE');
        const { rows } = await client.query<{ seq: string; hash: string }>(
          'SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1',
        );
        let seq = rows[0] ? Number(rows[0].seq) : 0;
        let prevHash = rows[0]?.hash ?? AUDIT_GENESIS;
        const records: AuditRecord[] = [];
        for (const entry of entries) {
          seq++;
          const hash = link(prevHash, seq, entry);
          records.push({ seq, entry, prevHash, hash });
          prevHash = hash;
        }
        await client.query(
          `INSERT INTO audit (seq, at, owner, entry, prev_hash, hash)
           SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::json[], $5::text[], $6::text[])`,
          [
            records.map((r) => r.seq),
            records.map((r) => Math.trunc(r.entry.at)),
            records.map((r) => r.entry.owner ?? null),
            records.map((r) => JSON.stringify(r.entry)),
            records.map((r) => r.prevHash),
            records.map((r) => r.hash),
          ],
        );
        return records;
      },
      this.logger,
    );
  }

  async read(fromSeq: number, limit: number): Promise<AuditRecord[]> {
    const { rows } = await this.pool.query<Row>(
      'SELECT seq, entry, prev_hash, hash FROM audit WHERE seq >= $1 ORDER BY seq LIMIT $2',
      [fromSeq, limit],
    );
    return rows.map(toRecord);
  }

  async head(): Promise<{ seq: number; hash: string } | undefined> {
    const { rows } = await this.pool.query<{ seq: string; hash: string }>(
      'SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1',
    );
    const last = rows[0];
    return last && { seq: Number(last.seq), hash: last.hash };
  }

  async recent(query: AuditLogQuery): Promise<AuditRecord[]> {
    const before = query.beforeSeq ?? Number.MAX_SAFE_INTEGER;
    const { rows } =
      query.owner === undefined
        ? await this.pool.query<Row>(
            'SELECT seq, entry, prev_hash, hash FROM audit WHERE seq < $1 ORDER BY seq DESC LIMIT $2',
            [before, query.limit],
          )
        : await this.pool.query<Row>(
            `SELECT seq, entry, prev_hash, hash FROM audit WHERE owner = $1 AND seq < $2
             ${query.othersOnly ? "AND (entry->>'organisation') IS DISTINCT FROM owner" : ''}
             ORDER BY seq DESC LIMIT $3`,
            [query.owner, before, query.limit],
          );
    return rows.map(toRecord);
  }

  async addCheckpoint(c: AuditCheckpoint): Promise<void> {
    await this.pool.query(
      `INSERT INTO audit_checkpoints (seq, key_id, hash, at, signature) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (seq, key_id) DO UPDATE
         SET hash = EXCLUDED.hash, at = EXCLUDED.at, signature = EXCLUDED.signature`,
      [c.seq, c.keyId, c.hash, c.at, c.signature],
    );
  }

  async checkpoints(): Promise<AuditCheckpoint[]> {
    const { rows } = await this.pool.query<CheckpointRow>(
      'SELECT seq, key_id, hash, at, signature FROM audit_checkpoints ORDER BY seq, key_id',
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      keyId: r.key_id,
      hash: r.hash,
      at: Number(r.at),
      signature: r.signature,
    }));
  }
}
