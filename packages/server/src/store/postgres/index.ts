export { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
export { PostgresTenants, type PostgresTenantsOptions } from './postgres-tenants.js';
