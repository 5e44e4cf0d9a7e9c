import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';

/**
 * SQLSTATEs after which a transaction is simply run again: serialization failure, deadlock, and
 * a unique violation on the entity key (another node created the same entity first; the retry
 * sees it and runs the mutation on it).
 */
function retryable(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return (
    e.code === '40001' ||
    e.code === '40P01' ||
    (e.code === '23505' && e.constraint === 'entities_pkey')
  );
}

const MAX_ATTEMPTS = 10;

/**
 * Runs `work` in a transaction on a pooled connection, committed when it returns, rolled back
 * when it throws; retried from the start (work included) on a retryable conflict between nodes.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  logger?: Logger,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => {
        broken = e;
      });
      if (!retryable(err) || attempt >= MAX_ATTEMPTS) throw err;
      logger?.debug({ err, attempt }, 'retrying a PostgreSQL transaction after a conflict');
    } finally {
      client.release(broken);
    }
    // Back off a little, at random, so that the conflicting transactions do not meet again.
    await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
  }
}
