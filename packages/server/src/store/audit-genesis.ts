/** The previous hash of the audit chain's first record: 64 zeros. */
export const AUDIT_GENESIS = '0'.repeat(64);
