import type { FastifyRequest } from 'fastify';
import type { Entity } from '../core/index.js';
import type { EntityQuery } from '../store/index.js';

/** What a caller may know of one entity type (discovery): all of it, or some attributes. */
export interface TypeVisibility {
  /** Undefined: every attribute and every row. */
  attributes?: ReadonlySet<string>;
  /** True when some rows are outside what may be read (counts must be queried). */
  filtered: boolean;
}

/**
 * What one caller may read, as the sharing policy decided it for a request (its principal,
 * stated purpose and tenant). Every read path narrows its store query with `restrict`, shows
 * each entity through `view`, and `record`s what it answered before answering.
 */
export interface AccessView {
  /** True when nothing is withheld (the operator, or no policy). */
  readonly unrestricted: boolean;
  /** The query narrowed to what may be read: rows outside are never read, counted or paged. */
  restrict(query: EntityQuery): EntityQuery;
  /** The entity as it may be seen (attributes outside the grants omitted); undefined: invisible. */
  view(entity: Entity): Entity | undefined;
  /** Forgets what `view` let through so far (an answer that ended up showing nothing). */
  discard(): void;
  /** What may be known of a type; undefined: the type does not exist for this caller. */
  typeVisibility(type: string): TypeVisibility | undefined;
  /** Throws (403, or 404 when it may not even be read) unless the caller may write the entity. */
  checkWrite(current: Entity | undefined, next: Entity | null | undefined): void;
  /**
   * Keeps the evidence of what was answered (who, purpose, grants, resource, records), durably,
   * before the answer goes out: what `view` let through and what `restrict` denied. `asked`
   * names the resource asked for by id, so that an answer of nothing is recorded too.
   */
  record(action: string, asked?: string): Promise<void>;
}

/** Decides what a request may read (the sharing policy); absent: everything is readable. */
export interface AccessGuard {
  /** The view of one request; throws 404 NonexistentTenant for a tenant the caller may not use. */
  open(request: FastifyRequest, tenant: string | undefined): Promise<AccessView>;
  /** The view of a subscription's owner, for each notification it sends. */
  forSubscriber(owner: SubscriptionOwner, tenant: string | undefined): Promise<AccessView>;
  /** What a subscription keeps of the request that created it. */
  ownerOf(request: FastifyRequest): SubscriptionOwner | undefined;
}

/** Who created a subscription, and for what purpose (its notifications are read in their name). */
export interface SubscriptionOwner {
  kind: 'operator' | 'user' | 'system';
  subject: string;
  organisation?: string;
  roles: string[];
  purpose?: string;
}

/** No policy: everything is readable and writable; nothing is recorded. */
export const OPEN_ACCESS: AccessView = {
  unrestricted: true,
  restrict: (query) => query,
  view: (entity) => entity,
  discard: () => undefined,
  typeVisibility: () => ({ filtered: false }),
  checkWrite: () => undefined,
  record: () => Promise.resolve(),
};
