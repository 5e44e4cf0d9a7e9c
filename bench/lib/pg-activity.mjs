// What the backends of one PostgreSQL database are doing, sampled from pg_stat_activity:
// running, waiting on a lock (hot rows), on I/O or WAL (fsync), or idle between a node's
// queries. Tells whether PostgreSQL itself is what commits wait for.
import pg from 'pg';

/** Samples every `intervalMs` until stop(); stop() answers mean backends per state. */
export async function sampleActivity({ adminUrl, database, intervalMs = 250 }) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const totals = new Map();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const { rows } = await client.query(
          `SELECT state, wait_event_type, wait_event, count(*)::int AS n FROM pg_stat_activity
            WHERE datname = $1 AND pid <> pg_backend_pid() GROUP BY 1, 2, 3`,
          [database],
        );
        samples++;
        for (const r of rows) {
          // "active" with no wait event is on a CPU; "idle" waits for the node's next query.
          const key =
            r.state === 'active'
              ? r.wait_event_type
                ? `waiting: ${r.wait_event_type}/${r.wait_event}`
                : 'running'
              : r.state === 'idle in transaction'
                ? 'in transaction, waiting for the node'
                : (r.state ?? 'unknown');
          totals.set(key, (totals.get(key) ?? 0) + r.n);
        }
      } catch {
        // a sample lost: the next one counts
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await client.end().catch(() => {});
      const mean = Object.fromEntries(
        [...totals]
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => [k, Math.round((100 * n) / Math.max(1, samples)) / 100]),
      );
      return { samples, intervalMs, meanBackends: mean };
    },
  };
}
