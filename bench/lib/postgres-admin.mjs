// PostgreSQL housekeeping for the benchmarks: databases of their own on a shared server.
import pg from 'pg';

/** Runs one statement on the server of `adminUrl` (CREATE / DROP DATABASE cannot be pooled). */
export async function adminQuery(adminUrl, sql) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** `adminUrl` with another database. */
export function databaseUrl(adminUrl, database) {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The PostgreSQL settings that decide write and query speed, for the results. */
export async function postgresSettings(adminUrl) {
  const rows = await adminQuery(
    adminUrl,
    `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name IN ('server_version', 'shared_buffers',
      'synchronous_commit', 'fsync', 'wal_level', 'max_connections', 'work_mem', 'commit_delay',
      'max_wal_size', 'effective_cache_size', 'jit') ORDER BY name`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
}
