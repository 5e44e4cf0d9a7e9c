export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export { SqliteTenants, type SqliteTenantsOptions } from './sqlite-tenants.js';
