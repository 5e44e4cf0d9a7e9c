import type { Pool } from 'pg';
import type { DeadLetter, DeadLetterReason, DeadLetterStore } from '../port.js';

interface Row {
  id: string;
  received_at: string;
  source: DeadLetter['source'];
  reason: DeadLetterReason;
  detail: string;
  device_id: string | null;
  topic: string | null;
  payload: string | null;
}

/** Refused messages, newest first. */
export class PgDeadLetterTable implements DeadLetterStore {
  constructor(private readonly pool: Pool) {}

  async add(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.pool.query(
      `INSERT INTO dead_letters (received_at, source, reason, detail, device_id, topic, payload)
       SELECT r, s, re, d, dev, t, p FROM jsonb_to_recordset($1::jsonb)
         AS x(r bigint, s text, re text, d text, dev text, t text, p text)`,
      [
        JSON.stringify(
          letters.map((l) => ({
            r: l.receivedAt,
            s: l.source,
            re: l.reason,
            d: l.detail,
            dev: l.deviceId ?? null,
            t: l.topic ?? null,
            p: l.payload ?? null,
          })),
        ),
      ],
    );
  }

  async list(filter: {
    reason?: DeadLetterReason;
    limit: number;
    offset: number;
  }): Promise<DeadLetter[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM dead_letters WHERE $1::text IS NULL OR reason = $1
       ORDER BY id DESC LIMIT $2 OFFSET $3`,
      [filter.reason ?? null, filter.limit, filter.offset],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      receivedAt: Number(r.received_at),
      source: r.source,
      reason: r.reason,
      detail: r.detail,
      ...(r.device_id !== null && { deviceId: r.device_id }),
      ...(r.topic !== null && { topic: r.topic }),
      ...(r.payload !== null && { payload: r.payload }),
    }));
  }

  async count(reason?: DeadLetterReason): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM dead_letters WHERE $1::text IS NULL OR reason = $1',
      [reason ?? null],
    );
    return Number(rows[0]?.n ?? 0);
  }
}
