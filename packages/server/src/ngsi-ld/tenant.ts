import type { FastifyRequest } from 'fastify';
import { CityError } from '../core/index.js';
import type { Store, TenantStores } from '../store/index.js';

const TENANT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The NGSI-LD tenant a request names (clause 6.3.14 `NGSILD-Tenant`), undefined for the default. */
export function requestTenant(request: FastifyRequest): string | undefined {
  const raw = request.headers['ngsild-tenant'];
  const name = Array.isArray(raw) ? raw[0] : raw;
  if (name === undefined || name === '') return undefined;
  if (!TENANT_NAME.test(name))
    throw new CityError(
      'BadRequestData',
      `NGSILD-Tenant ${JSON.stringify(name)} must be 1–64 letters, digits, '_' or '-'`,
    );
  return name;
}

/**
 * The store of the request's tenant. Writes create the tenant (`create`); reads of a tenant
 * that does not exist fail with NonexistentTenant (404).
 */
export async function tenantStore(
  request: FastifyRequest,
  tenants: TenantStores,
  create: boolean,
): Promise<Store> {
  const name = requestTenant(request);
  const store = await tenants.get(name, create);
  if (!store) throw new CityError('NonexistentTenant', `tenant ${name ?? ''} does not exist`);
  return store;
}
