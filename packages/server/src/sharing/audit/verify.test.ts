import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../store/index.js';
import { SqliteStore } from '../../store/sqlite/index.js';
import { Auditor } from './auditor.js';
import { linkHash } from './chain.js';
import { AuditSigningKey, trustedKeys } from './signing-key.js';
import { verifyAuditChain, type AuditVerification } from './verify.js';

const entry = (n: number): AuditEntry => ({
  at: Date.UTC(2026, 10, 24) + n * 1000,
  actor: `analyst-${n % 3}`,
  organisation: 'public-security',
  purpose: 'epidemic-control',
  grants: ['grant-health-to-police'],
  action: 'entity.query',
  resource: 'FeverClinicVisit',
  owner: 'health-commission',
  result: n % 7 === 0 ? 'deny' : 'allow',
  records: n % 7 === 0 ? 0 : n * 3,
});

interface Row {
  seq: number;
  at: number;
  owner: string | null;
  entry: string;
  prev_hash: string;
  hash: string;
}

describe('the audit chain, tampered with in its SQLite file', () => {
  let dir: string;
  let file: string;
  let store: SqliteStore;
  let key: AuditSigningKey;
  let raw: Database.Database;

  const verify = (keys = trustedKeys([key.publicPem()])): Promise<AuditVerification> =>
    verifyAuditChain(store.audit, { keys, pageSize: 7 });
  const row = (seq: number) =>
    raw.prepare('SELECT * FROM audit WHERE seq = ?').get(seq) as Row | undefined;
  const put = (r: Row) =>
    raw
      .prepare(
        'INSERT INTO audit (seq, at, owner, entry, prev_hash, hash) VALUES (@seq, @at, @owner, @entry, @prev_hash, @hash)',
      )
      .run(r);
  const renumber = (from: number, by: number) => {
    const seqs = (raw.prepare('SELECT seq FROM audit WHERE seq >= ?').all(from) as Row[])
      .map((r) => r.seq)
      .sort((a, b) => (by > 0 ? b - a : a - b));
    for (const seq of seqs)
      raw.prepare('UPDATE audit SET seq = ? WHERE seq = ?').run(seq + by, seq);
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cb-audit-'));
    file = join(dir, 'citybrain.db');
    store = new SqliteStore({ file });
    key = AuditSigningKey.loadOrCreate(join(dir, 'audit-ed25519.pem'));
    const auditor = new Auditor({
      store: store.audit,
      key,
      logger: pino({ level: 'silent' }),
      checkpointEvery: 10,
    });
    for (let n = 1; n <= 30; n++) await auditor.record(entry(n));
    await auditor.close();
    raw = new Database(file);
  });
  afterEach(async () => {
    raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('proves an untouched chain intact, checkpoints included', async () => {
    const result = await verify();
    expect(result).toMatchObject({ ok: true, records: 30, checkpointsVerified: 3 });
    expect(result.head?.seq).toBe(30);
    expect(result.problem).toBeUndefined();
  });

  it('names a record whose content was edited', async () => {
    raw.prepare(`UPDATE audit SET entry = json_set(entry, '$.records', 0) WHERE seq = 12`).run();
    expect((await verify()).problem).toMatchObject({ kind: 'edited', seq: 12 });
  });

  it('names a record edited by someone who also recomputed its hash', async () => {
    const r = row(12)!;
    const forged = { ...(JSON.parse(r.entry) as AuditEntry), purpose: 'public-service' };
    raw
      .prepare('UPDATE audit SET entry = ?, hash = ? WHERE seq = 12')
      .run(JSON.stringify(forged), linkHash(r.prev_hash, 12, forged));
    expect((await verify()).problem).toMatchObject({ kind: 'edited', seq: 12 });
  });

  it('names a removed record, and one removed with the rest renumbered', async () => {
    raw.prepare('DELETE FROM audit WHERE seq = 12').run();
    expect((await verify()).problem).toMatchObject({ kind: 'removed', seq: 12 });
    renumber(13, -1);
    expect((await verify()).problem).toMatchObject({ kind: 'removed', seq: 12 });
  });

  it('names an inserted record, even one with a valid hash and the rest renumbered', async () => {
    const before = row(11)!;
    const forged = { ...entry(99), actor: 'nobody-saw-this' };
    renumber(12, +1);
    put({
      seq: 12,
      at: forged.at,
      owner: forged.owner ?? null,
      entry: JSON.stringify(forged),
      prev_hash: before.hash,
      hash: linkHash(before.hash, 12, forged),
    });
    expect((await verify()).problem).toMatchObject({ kind: 'inserted', seq: 12 });
  });

  it('names records that were reordered', async () => {
    const a = row(12)!;
    const b = row(13)!;
    raw.prepare('DELETE FROM audit WHERE seq IN (12, 13)').run();
    put({ ...b, seq: 12 });
    put({ ...a, seq: 13 });
    expect((await verify()).problem).toMatchObject({ kind: 'reordered', seq: 12 });
  });

  it('notices records removed from the end, past a signed checkpoint', async () => {
    raw.prepare('DELETE FROM audit WHERE seq > 25').run();
    expect((await verify()).problem).toMatchObject({ kind: 'removed', seq: 26 });
  });

  it('notices a chain rewritten consistently from some record on', async () => {
    let prevHash = row(11)!.hash;
    for (let seq = 12; seq <= 30; seq++) {
      const r = row(seq)!;
      const e = JSON.parse(r.entry) as AuditEntry;
      if (seq === 12) e.records = 0;
      const hash = linkHash(prevHash, seq, e);
      raw
        .prepare('UPDATE audit SET entry = ?, prev_hash = ?, hash = ? WHERE seq = ?')
        .run(JSON.stringify(e), prevHash, hash, seq);
      prevHash = hash;
    }
    const { problem } = await verify();
    expect(problem).toMatchObject({ kind: 'rewritten', seq: 11 });
    expect(problem?.detail).toContain('11..20');
  });

  it('refuses a checkpoint its key did not sign, and counts checkpoints of unknown keys', async () => {
    expect(await verify(new Map())).toMatchObject({
      ok: true,
      checkpointsVerified: 0,
      checkpointsUnknownKey: 3,
    });
    raw.prepare(`UPDATE audit_checkpoints SET hash = ? WHERE seq = 20`).run('f'.repeat(64));
    expect((await verify()).problem).toMatchObject({ kind: 'forged-checkpoint', seq: 20 });
  });
});

describe('Auditor', () => {
  it('groups concurrent decisions into few appends, one valid chain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-auditor-'));
    const store = new SqliteStore({ file: join(dir, 'citybrain.db') });
    try {
      const key = AuditSigningKey.loadOrCreate(join(dir, 'key.pem'));
      let appends = 0;
      const append = store.audit.append.bind(store.audit);
      store.audit.append = (entries, link) => {
        appends++;
        return append(entries, link);
      };
      const auditor = new Auditor({ store: store.audit, key, logger: pino({ level: 'silent' }) });
      await Promise.all(Array.from({ length: 500 }, (_, n) => auditor.record(entry(n))));
      await auditor.close();
      expect(appends).toBeLessThan(10);
      const result = await verifyAuditChain(store.audit, {
        keys: trustedKeys([key.publicPem()]),
      });
      expect(result).toMatchObject({ ok: true, records: 500, checkpointsVerified: 1 });
      // The same key file signs again after a restart.
      expect(AuditSigningKey.loadOrCreate(join(dir, 'key.pem')).keyId).toBe(key.keyId);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
