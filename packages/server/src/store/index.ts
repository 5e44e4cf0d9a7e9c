export type * from './port.js';
export { AUDIT_GENESIS } from './audit-genesis.js';
export {
  PostgresStore,
  PostgresTenants,
  type PostgresStoreOptions,
  type PostgresTenantsOptions,
} from './postgres/index.js';
