export { Auditor, type AuditorOptions } from './auditor.js';
export { GENESIS, linkHash } from './chain.js';
export { AuditSigningKey, checkpointSignedBy, keyIdOf, trustedKeys } from './signing-key.js';
export {
  verifyAuditChain,
  type AuditProblem,
  type AuditProblemKind,
  type AuditVerification,
  type VerifyOptions,
} from './verify.js';
