export {
  isPurpose,
  readAccess,
  rowFilterOf,
  visibleEntity,
  type GrantRule,
  type ReadAccess,
} from './read-access.js';
