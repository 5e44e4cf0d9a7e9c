export { isPurpose, readAccess, type GrantRule, type ReadAccess } from './read-access.js';
export { AccessSession, ReadPolicy, type ReadPolicyOptions } from './read-policy.js';
export {
  queryAttributes,
  ReadScope,
  typesOf,
  WRITER_ROLES,
  type NameExpander,
  type Party,
  type ResolveNames,
  type ScopeRule,
  type TypeAccess,
} from './read-scope.js';
