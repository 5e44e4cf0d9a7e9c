import type { Entity } from '../../core/index.js';

/**
 * A resolved JSON-LD @context (the client's, with the NGSI-LD core context applied last).
 * It maps between the terms a client uses and citybrain's canonical names: a name compacted
 * against the core context alone (`temperature` for the default vocabulary, core terms such
 * as `location` by their core name, anything else as a full IRI).
 */
export interface LdContext {
  /** True when only the core context applies (no user context). */
  readonly coreOnly: boolean;
  /**
   * The context to give back in responses: the URL list for a `Link` header
   * (application/json) or the value of the `@context` member (application/ld+json).
   */
  readonly responseContext: string | unknown[] | Record<string, unknown>;
  /** The `Link` header value that names this context (core context URL when coreOnly). */
  readonly linkHeader: string;
  /** A term, compact IRI or IRI as a client wrote it → canonical name. */
  expand(term: string): string;
  /** A canonical name → the term this context uses for it (or the IRI when it has none). */
  compact(name: string): string;
}

/** Resolves @context values to LdContexts, caching what it fetches. */
export interface ContextResolver {
  /**
   * Resolves a @context as found in a `Link` header or a body: a URL, an object, or a list of
   * them; undefined gives the core context. Throws LdContextNotAvailable (503) when a remote
   * context cannot be had, BadRequestData when it is not a valid JSON-LD context.
   */
  resolve(context: unknown): Promise<LdContext>;
}

/** Converts an entity as a client wrote it (normalized or keyValues names) to canonical names. */
export type ExpandEntity = (
  raw: Record<string, unknown>,
  ctx: LdContext,
) => Record<string, unknown>;

/** Converts a canonical entity's names to the client's context. */
export type CompactEntity = (entity: Entity, ctx: LdContext) => Record<string, unknown>;

/** How the broker came to hold a context (clause 5.13). */
export type ContextKind = 'Hosted' | 'Cached' | 'ImplicitlyCreated';

/** A context document the broker holds, as kept in the `jsonldContexts` collection. */
export interface StoredContext {
  /** The broker's local identifier (the last segment of /jsonldContexts/{id}). */
  localId: string;
  /**
   * The URL clients use: the origin URL for Cached contexts, the path
   * `/ngsi-ld/v1/jsonldContexts/{localId}` for Hosted and ImplicitlyCreated ones.
   */
  url: string;
  kind: ContextKind;
  /** ISO 8601. */
  createdAt: string;
  /** The JSON-LD document (an object with `@context`). */
  document: Record<string, unknown>;
  /** For Cached: fetched from its URL, or registered by an operator under that URL. */
  origin?: 'fetched' | 'registered' | 'preloaded' | 'core';
}

/** A stored context with its usage (clause 5.13.3 details). */
export interface ContextInfo extends StoredContext {
  /** ISO 8601; absent when never used since start. */
  lastUsage?: string;
  numberOfHits: number;
}
