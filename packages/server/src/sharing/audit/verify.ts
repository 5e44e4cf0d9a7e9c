import type { KeyObject } from 'node:crypto';
import type { AuditCheckpoint, AuditRecord, AuditStore } from '../../store/index.js';
import { GENESIS, linkHash } from './chain.js';
import { checkpointSignedBy } from './signing-key.js';

/** What was done to the chain, at the first record it shows. */
export type AuditProblemKind =
  | 'edited'
  | 'removed'
  | 'inserted'
  | 'reordered'
  /** Consistent, but not the chain a checkpoint signed: rewritten from some record on. */
  | 'rewritten'
  /** A checkpoint that a trusted key did not sign. */
  | 'forged-checkpoint';

export interface AuditProblem {
  kind: AuditProblemKind;
  /** The first record (seq as stored) that shows it. */
  seq: number;
  detail: string;
}

export interface AuditVerification {
  ok: boolean;
  /** Records read. */
  records: number;
  /** The last record as stored. */
  head?: { seq: number; hash: string };
  /** Checkpoints whose signature a trusted key verified and whose hash the chain matches. */
  checkpointsVerified: number;
  /** Checkpoints by keys not in the trusted list (not checked). */
  checkpointsUnknownKey: number;
  problem?: AuditProblem;
}

export interface VerifyOptions {
  /** Public keys trusted to sign checkpoints, by key id (see `trustedKeys`). */
  keys: ReadonlyMap<string, KeyObject>;
  /** Records read at a time (default 5,000). */
  pageSize?: number;
  /** Called after every page with the records read so far. */
  progress?: (records: number) => void;
}

/** How far around its place a moved record's original place is looked for. */
const MOVE_WINDOW = 64;

async function* allRecords(audit: AuditStore, pageSize: number): AsyncGenerator<AuditRecord[]> {
  let from = 1;
  for (;;) {
    const page = await audit.read(from, pageSize);
    if (page.length === 0) return;
    yield page;
    from = page.at(-1)!.seq + 1;
  }
}

/** The place at which a record's hash holds, near `seq`; undefined when none (edited). */
function placeOf(r: AuditRecord): number | undefined {
  for (let d = 0; d <= MOVE_WINDOW; d++) {
    for (const s of d === 0 ? [r.seq] : [r.seq - d, r.seq + d])
      if (s > 0 && linkHash(r.prevHash, s, r.entry) === r.hash) return s;
  }
  return undefined;
}

/**
 * Names what happened at the first record `r` that does not extend `prev`. `storedAt` finds
 * the stored place of the record with a given hash.
 */
function classify(
  r: AuditRecord,
  prev: { seq: number; hash: string },
  storedAt: (hash: string) => number | undefined,
): AuditProblem {
  const place = placeOf(r);
  if (place === undefined)
    return {
      kind: 'edited',
      seq: r.seq,
      detail: `record ${r.seq} no longer matches its hash: its content was changed`,
    };
  const predecessor = r.prevHash === GENESIS ? 0 : storedAt(r.prevHash);
  if (predecessor !== undefined && predecessor > r.seq)
    return {
      kind: 'reordered',
      seq: r.seq,
      detail: `record ${r.seq} is stored before record ${predecessor}, which it follows in the chain`,
    };
  if (place === r.seq) {
    if (r.seq > prev.seq + 1)
      return {
        kind: 'removed',
        seq: prev.seq + 1,
        detail: `records ${prev.seq + 1}..${r.seq - 1} were removed`,
      };
    if (predecessor !== undefined && predecessor !== prev.seq)
      return {
        kind: 'reordered',
        seq: r.seq,
        detail: `record ${r.seq} follows record ${predecessor} in the chain, not ${prev.seq}`,
      };
    return {
      kind: 'edited',
      seq: prev.seq,
      detail: `record ${prev.seq} was replaced: its hash is not the one record ${r.seq} names`,
    };
  }
  if (place < r.seq) {
    const first = (predecessor ?? place - 1) + 1;
    const count = r.seq - place;
    return {
      kind: 'inserted',
      seq: first,
      detail: `${count} record(s) from ${first} were inserted: record ${r.seq} was ${place} in the chain`,
    };
  }
  return {
    kind: 'removed',
    seq: r.seq,
    detail: `${place - r.seq} record(s) were removed before record ${r.seq} (it was ${place}), and the rest renumbered`,
  };
}

/**
 * Proves the audit chain intact, or names the first record that was edited, removed,
 * inserted or reordered. The chain is read twice: once to index every record's hash (so a
 * moved record can be placed), once to check each link; then every checkpoint is checked
 * against its signature and against the chain.
 */
export async function verifyAuditChain(
  audit: AuditStore,
  options: VerifyOptions,
): Promise<AuditVerification> {
  const pageSize = options.pageSize ?? 5000;
  // Hash prefixes are enough to place a record: 64 bits, and a hit is confirmed by hashing.
  const index = new Map<string, number>();
  for await (const page of allRecords(audit, pageSize))
    for (const r of page) index.set(r.hash.slice(0, 16), r.seq);
  const storedAt = (hash: string) => index.get(hash.slice(0, 16));

  const checkpoints = await audit.checkpoints();
  const result: AuditVerification = {
    ok: true,
    records: 0,
    checkpointsVerified: 0,
    checkpointsUnknownKey: 0,
  };
  const fail = (problem: AuditProblem): AuditVerification => ({
    ...result,
    ok: false,
    problem,
  });

  // Signatures first: a forged checkpoint must not vouch for anything.
  const signed = new Map<number, AuditCheckpoint>();
  for (const c of checkpoints) {
    const key = options.keys.get(c.keyId);
    if (!key) {
      result.checkpointsUnknownKey++;
      continue;
    }
    if (!checkpointSignedBy(c, key))
      return fail({
        kind: 'forged-checkpoint',
        seq: c.seq,
        detail: `the checkpoint at record ${c.seq} is not signed by key ${c.keyId}`,
      });
    signed.set(c.seq, c);
  }

  let prev = { seq: 0, hash: GENESIS };
  let lastGood = 0;
  for await (const page of allRecords(audit, pageSize)) {
    for (const r of page) {
      const links =
        r.seq === prev.seq + 1 &&
        r.prevHash === prev.hash &&
        linkHash(r.prevHash, r.seq, r.entry) === r.hash;
      if (!links) return fail(classify(r, prev, storedAt));
      const checkpoint = signed.get(r.seq);
      if (checkpoint) {
        if (checkpoint.hash !== r.hash)
          return fail({
            kind: 'rewritten',
            seq: lastGood + 1,
            detail: `records ${lastGood + 1}..${r.seq} are not the ones signed at record ${r.seq}: the chain was rewritten there`,
          });
        result.checkpointsVerified++;
        lastGood = r.seq;
      }
      prev = { seq: r.seq, hash: r.hash };
      result.records++;
    }
    options.progress?.(result.records);
  }
  if (prev.seq > 0) result.head = prev;
  const beyond = [...signed.keys()].filter((seq) => seq > prev.seq);
  if (beyond.length > 0)
    return fail({
      kind: 'removed',
      seq: prev.seq + 1,
      detail: `the chain ends at record ${prev.seq}, but record ${Math.max(...beyond)} was signed: the records after ${prev.seq} were removed`,
    });
  return result;
}
