import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Auditor, AuditSigningKey } from '../../src/sharing/index.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { CLI } from '../helpers/start-server.js';

const run = promisify(execFile);

/** Runs `citybrain audit verify` on a data directory; resolves with its exit code and output. */
async function verify(dataDir: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [CLI, 'audit', 'verify', '--data', dataDir]);
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout + e.stderr };
  }
}

describe('citybrain audit verify', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cb-audit-cli-'));

  beforeAll(async () => {
    // What a node leaves behind: the chain in its store, the key in its data directory.
    const store = new SqliteStore({ file: join(dataDir, 'citybrain.db') });
    const auditor = new Auditor({
      store: store.audit,
      key: AuditSigningKey.loadOrCreate(join(dataDir, 'audit-ed25519.pem')),
      logger: pino({ level: 'silent' }),
      checkpointEvery: 5,
    });
    for (let n = 1; n <= 20; n++)
      await auditor.record({
        at: Date.UTC(2026, 10, 24, 8, n),
        actor: 'analyst-7',
        organisation: 'transport-bureau',
        purpose: 'traffic-management',
        grants: ['grant-police-to-transport'],
        action: 'temporal.read',
        resource: 'urn:ngsi-ld:TrafficFlowObserved:jinan-1',
        owner: 'public-security',
        result: 'allow',
        records: n,
      });
    await auditor.close();
    await store.close();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('says an untouched chain is intact, with its checkpoints, and exits 0', async () => {
    const { code, stdout } = await verify(dataDir);
    expect(code).toBe(0);
    expect(stdout).toContain('INTACT: 20 records');
    expect(stdout).toContain('4 checkpoint(s) verified');
  });

  it('names the first edited record and exits 1', async () => {
    const raw = new Database(join(dataDir, 'citybrain.db'));
    raw
      .prepare(`UPDATE audit SET entry = json_set(entry, '$.purpose', 'curiosity') WHERE seq = 9`)
      .run();
    raw.close();
    const { code, stdout } = await verify(dataDir);
    expect(code).toBe(1);
    expect(stdout).toContain('TAMPERED: edited at record 9');
  });
});
