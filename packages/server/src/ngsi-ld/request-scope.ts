import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CityError } from '../core/index.js';
import type { EntityMutation, EntityWrite, EntityWriteResult, Store } from '../store/index.js';
import { OPEN_ACCESS, type AccessView } from './access.js';
import { requestContext, type LdContext } from './context/index.js';
import { publishEntityChanges } from './entity-events.js';
import type { NgsiLdOptions } from './ngsi-ld-options.js';
import { requestTenant, tenantStore } from './tenant.js';

/** What a route works with: the tenant's store, the request's @context, the tenant's name. */
export interface RequestScope {
  store: Store;
  ctx: LdContext;
  tenant: string | undefined;
  /** What the caller may read and write (the sharing policy). */
  access: AccessView;
  /** Writes durably, then announces every change on the bus; one store call. */
  write(writes: readonly EntityWrite[]): Promise<EntityWriteResult[]>;
  /** Writes one entity; the write's CityError is thrown. */
  writeOne(id: string, mutate: EntityMutation): Promise<EntityWriteResult>;
}

/** The current time as system attributes show it (ISO 8601, UTC). */
export function nowIso(): string {
  return new Date().toISOString();
}

/**
 * The scope of a request. Writes (`write` true) create the tenant on first use; reads of an
 * unknown tenant are 404 NonexistentTenant.
 */
export async function requestScope(
  request: FastifyRequest,
  options: NgsiLdOptions,
  write: boolean,
): Promise<RequestScope> {
  const tenant = requestTenant(request);
  // The policy first: a tenant the caller may not use does not exist for it.
  const access = options.access ? await options.access.open(request, tenant) : OPEN_ACCESS;
  const ctx = await requestContext(request);
  const store = await tenantStore(request, options.tenants, write);
  return new Scope(store, ctx, tenant, access, options);
}

class Scope implements RequestScope {
  constructor(
    readonly store: Store,
    readonly ctx: LdContext,
    readonly tenant: string | undefined,
    readonly access: AccessView,
    private readonly options: NgsiLdOptions,
  ) {}

  async write(writes: readonly EntityWrite[]): Promise<EntityWriteResult[]> {
    const access = this.access;
    // Each write is checked inside the store's transaction, against the entity as it is there.
    const checked = access.unrestricted
      ? writes
      : writes.map((w): EntityWrite => ({
          id: w.id,
          mutate: (current) => {
            access.checkWrite(current, undefined);
            const next = w.mutate(current);
            if (next) access.checkWrite(current, next);
            return next;
          },
        }));
    const results = await this.store.entities.write(checked);
    await publishEntityChanges(this.options.bus, results, this.tenant);
    return results;
  }

  async writeOne(id: string, mutate: EntityMutation): Promise<EntityWriteResult> {
    const [result] = await this.write([{ id, mutate }]);
    if (!result) throw new CityError('InternalError', `the store did not answer for ${id}`);
    if (result.error) throw result.error;
    return result;
  }
}

/** The longest path parameter the router matches (Fastify's maxParamLength, 100 by default). */
export function maxIdLength(app: FastifyInstance): number {
  const config = app.initialConfig;
  return config.routerOptions?.maxParamLength ?? config.maxParamLength ?? 100;
}

/** An entity id as a URL path segment: ':' stays readable, '/', '?', '#' and the like are escaped. */
export function idPathSegment(id: string): string {
  return encodeURIComponent(id).replace(/%3A/gi, ':');
}

/** Refuses an id the router could never address afterwards (400). */
export function requireAddressable(app: FastifyInstance, id: string): void {
  const segment = idPathSegment(id);
  if (segment.length > maxIdLength(app))
    throw new CityError(
      'BadRequestData',
      `entity id is ${segment.length} characters long in a URL; this server addresses ids of up to ${maxIdLength(app)}`,
    );
}
