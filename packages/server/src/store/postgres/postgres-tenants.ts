import { createHash } from 'node:crypto';
import pg from 'pg';
import { CityError } from '../../core/index.js';
import type { Store, TenantStores } from '../port.js';
import { quoteIdent } from './migrations.js';
import { PostgresStore } from './postgres-store.js';

/** Options of the per-tenant PostgreSQL schemas. */
export interface PostgresTenantsOptions {
  /** The node's main store: the default tenant; its schema holds the tenant registry. */
  default: PostgresStore;
  /** Most connections each tenant's store opens (default 4; idle ones are closed). */
  pool?: number;
}

const MAX_TENANT = 200;

/**
 * The schema of a tenant: the default schema's name, `_t_`, and a hash of the tenant's name, so
 * that any name (long, any characters) maps to a valid identifier and every node derives the same
 * one. The name itself is only ever a bound parameter.
 */
function tenantSchema(base: string, tenant: string): string {
  const hash = createHash('sha256').update(tenant).digest('hex').slice(0, 20);
  return `${base.slice(0, 40)}_t_${hash}`;
}

/**
 * NGSI-LD tenants on PostgreSQL (clause 4.14): each tenant is a schema of its own, made on its
 * first write and recorded in the default schema's `tenants` table, which every node reads.
 */
export class PostgresTenants implements TenantStores {
  readonly default: Store;
  private readonly base: PostgresStore;
  private readonly opened = new Map<string, Promise<PostgresStore>>();
  private readonly registry: pg.Pool;

  constructor(private readonly options: PostgresTenantsOptions) {
    this.base = options.default;
    this.default = options.default;
    const { url, schema } = this.base.options;
    this.registry = new pg.Pool({
      connectionString: url,
      max: 2,
      options: `-c search_path=${quoteIdent(schema)}`,
    });
    this.registry.on('error', (err) =>
      this.base.options.logger?.warn({ err }, 'idle PostgreSQL connection failed'),
    );
  }

  async get(tenant: string | undefined, create: boolean): Promise<Store | undefined> {
    if (tenant === undefined) return this.default;
    if (tenant.length === 0 || tenant.length > MAX_TENANT)
      throw new CityError(
        'BadRequestData',
        `a tenant name must have 1 to ${MAX_TENANT} characters`,
      );
    const hit = this.opened.get(tenant);
    if (hit) return hit;
    let schema = await this.lookup(tenant);
    if (schema === undefined) {
      if (!create) return undefined;
      schema = tenantSchema(this.base.options.schema, tenant);
      // Nodes creating the same tenant at once derive the same schema: one insert wins.
      // No conflict target: the racing insert may trip over the schema's unique key first.
      await this.registry.query(
        'INSERT INTO tenants (name, schema) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [tenant, schema],
      );
      schema = await this.lookup(tenant);
      if (schema === undefined)
        throw new CityError(
          'InternalError',
          `tenant ${JSON.stringify(tenant)} hashes to the schema of another tenant`,
        );
    }
    // A concurrent call may have started opening it meanwhile: share its store.
    const raced = this.opened.get(tenant);
    if (raced) return raced;
    const { url, logger } = this.base.options;
    const opening = PostgresStore.open({
      url,
      schema,
      pool: this.options.pool ?? 4,
      ...(logger && { logger }),
    });
    this.opened.set(tenant, opening);
    opening.catch(() => this.opened.delete(tenant));
    return opening;
  }

  private async lookup(tenant: string): Promise<string | undefined> {
    const { rows } = await this.registry.query<{ schema: string }>(
      'SELECT schema FROM tenants WHERE name = $1',
      [tenant],
    );
    return rows[0]?.schema;
  }

  async list(): Promise<string[]> {
    const { rows } = await this.registry.query<{ name: string }>(
      'SELECT name FROM tenants ORDER BY name',
    );
    return rows.map((r) => r.name);
  }

  /** The schemas of every tenant (for tooling and tests that drop them). */
  async schemas(): Promise<string[]> {
    const { rows } = await this.registry.query<{ schema: string }>('SELECT schema FROM tenants');
    return rows.map((r) => r.schema);
  }

  async close(): Promise<void> {
    const stores = await Promise.allSettled(this.opened.values());
    this.opened.clear();
    for (const s of stores) if (s.status === 'fulfilled') await s.value.close();
    await this.registry.end();
  }
}
