import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CityError } from '../../core/index.js';
import type { Store, TenantStores } from '../port.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';

/** Options of the per-tenant SQLite files. */
export interface SqliteTenantsOptions {
  /** The node's main store: the default tenant. */
  default: Store;
  /** Folder of the tenants' files, one `<tenant>.sqlite` each. */
  dir: string;
  synchronous?: SqliteStoreOptions['synchronous'];
  mmapSize?: SqliteStoreOptions['mmapSize'];
}

const SUFFIX = '.sqlite';
const MAX_TENANT = 200;

/** The file name of a tenant: percent-encoded, so no tenant name can reach outside `dir`. */
function tenantFile(tenant: string): string {
  if (tenant.length === 0 || tenant.length > MAX_TENANT)
    throw new CityError('BadRequestData', `a tenant name must have 1 to ${MAX_TENANT} characters`);
  return encodeURIComponent(tenant) + SUFFIX;
}

/** NGSI-LD tenants on the embedded store: each tenant is a SQLite file of its own, so isolation is physical. */
export class SqliteTenants implements TenantStores {
  readonly default: Store;
  private readonly open = new Map<string, Store>();

  constructor(private readonly options: SqliteTenantsOptions) {
    this.default = options.default;
  }

  async get(tenant: string | undefined, create: boolean): Promise<Store | undefined> {
    if (tenant === undefined) return this.default;
    const hit = this.open.get(tenant);
    if (hit) return hit;
    const file = join(this.options.dir, tenantFile(tenant));
    if (!create && !existsSync(file)) return undefined;
    mkdirSync(this.options.dir, { recursive: true });
    const store = new SqliteStore({
      file,
      synchronous: this.options.synchronous ?? 'full',
      mmapSize: this.options.mmapSize,
    });
    this.open.set(tenant, store);
    return store;
  }

  async list(): Promise<string[]> {
    if (!existsSync(this.options.dir)) return [];
    return readdirSync(this.options.dir)
      .filter((f) => f.endsWith(SUFFIX))
      .map((f) => decodeURIComponent(f.slice(0, -SUFFIX.length)))
      .sort();
  }

  async close(): Promise<void> {
    for (const store of this.open.values()) await store.close();
    this.open.clear();
  }
}
