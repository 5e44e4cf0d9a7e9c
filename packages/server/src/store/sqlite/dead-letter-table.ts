import type { Database } from 'better-sqlite3';
import type { DeadLetter, DeadLetterReason, DeadLetterStore } from '../port.js';

interface Row {
  id: number;
  received_at: number;
  source: DeadLetter['source'];
  reason: DeadLetterReason;
  detail: string;
  device_id: string | null;
  topic: string | null;
  payload: string | null;
}

/** Refused messages, newest first. */
export class DeadLetterTable implements DeadLetterStore {
  constructor(private readonly db: Database) {}

  /** Inserts dead letters synchronously; call inside a transaction. */
  addSync(letters: readonly DeadLetter[]): void {
    const insert = this.db.prepare(
      `INSERT INTO dead_letters (received_at, source, reason, detail, device_id, topic, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const l of letters)
      insert.run(
        l.receivedAt,
        l.source,
        l.reason,
        l.detail,
        l.deviceId ?? null,
        l.topic ?? null,
        l.payload ?? null,
      );
  }

  async add(letters: DeadLetter[]): Promise<void> {
    this.db.transaction(() => this.addSync(letters))();
  }

  async list(filter: {
    reason?: DeadLetterReason;
    limit: number;
    offset: number;
  }): Promise<DeadLetter[]> {
    const rows = (
      filter.reason
        ? this.db
            .prepare(
              'SELECT * FROM dead_letters WHERE reason = ? ORDER BY id DESC LIMIT ? OFFSET ?',
            )
            .all(filter.reason, filter.limit, filter.offset)
        : this.db
            .prepare('SELECT * FROM dead_letters ORDER BY id DESC LIMIT ? OFFSET ?')
            .all(filter.limit, filter.offset)
    ) as Row[];
    return rows.map((r) => ({
      id: r.id,
      receivedAt: r.received_at,
      source: r.source,
      reason: r.reason,
      detail: r.detail,
      ...(r.device_id !== null && { deviceId: r.device_id }),
      ...(r.topic !== null && { topic: r.topic }),
      ...(r.payload !== null && { payload: r.payload }),
    }));
  }

  async count(reason?: DeadLetterReason): Promise<number> {
    const row = (
      reason
        ? this.db.prepare('SELECT count(*) AS n FROM dead_letters WHERE reason = ?').get(reason)
        : this.db.prepare('SELECT count(*) AS n FROM dead_letters').get()
    ) as { n: number };
    return row.n;
  }
}
