export type * from './port.js';
export {
  PostgresStore,
  PostgresTenants,
  type PostgresStoreOptions,
  type PostgresTenantsOptions,
} from './postgres/index.js';
