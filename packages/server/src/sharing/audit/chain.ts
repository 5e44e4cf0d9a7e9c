import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditEntry } from '../../store/index.js';

/** The previous hash of the first record (the store's constant: it starts the chain). */
export { AUDIT_GENESIS as GENESIS } from '../../store/index.js';

/**
 * A record's hash: SHA-256 (hex) over the previous record's hash, the record's place and its
 * entry in RFC 8785 canonical JSON. Changing any entry, or moving, inserting or removing a
 * record, changes every hash after it.
 */
export function linkHash(prevHash: string, seq: number, entry: AuditEntry): string {
  return createHash('sha256')
    .update(`${prevHash}\n${seq}\n${canonicalize(entry) ?? ''}`)
    .digest('hex');
}
