import type { FastifyInstance } from 'fastify';
import type { NgsiLdOptions } from '../ngsi-ld-options.js';
import { ContextRegistry } from './context-registry.js';
import { LdContextResolver } from './context-resolver.js';
import type { FetchLimits } from './context-fetch.js';
import { jsonldContextsRoutes } from './jsonld-contexts-routes.js';
import type { StoredContext } from './types.js';

export type {
  CompactEntity,
  ContextInfo,
  ContextKind,
  ContextResolver,
  ExpandEntity,
  LdContext,
  StoredContext,
} from './types.js';
export {
  CORE_CONTEXT,
  CORE_CONTEXT_URL,
  CORE_CONTEXT_URLS,
  DEFAULT_VOCAB,
  isCoreContextUrl,
} from './core-context.js';
export { ContextRegistry, type ContextRegistryOptions } from './context-registry.js';
export { contextLink, JSONLD_CONTEXT_REL, LdContextResolver } from './context-resolver.js';
export type { FetchLimits } from './context-fetch.js';
export {
  compactAttributeName,
  compactAttributeValue,
  compactEntity,
  expandAttributeName,
  expandAttributes,
  expandAttributeValue,
  expandEntity,
} from './entity-names.js';
export { expandConcise, expandConciseAttributes, expandConciseAttribute } from './concise.js';
export {
  bodyMediaType,
  contextSource,
  itemContext,
  linkedContext,
  requestContext,
  resolveContext,
} from './request-context.js';
export { parseLinkHeader, type Link } from './link-header.js';

/** Extra knobs of @context handling beside the plugin options (tests, operators). */
export interface ContextHandlingOptions {
  fetchLimits?: FetchLimits;
  /** Distinct @context values kept resolved (default 1000). */
  cacheSize?: number;
}

/**
 * Installs @context handling on the plugin's (encapsulated) instance: a resolver (core context
 * built in, `preloadedContexts` never fetched, hosted contexts in the default tenant's
 * `jsonldContexts` collection, other URLs fetched once when `fetchContexts` is not false) and
 * the /jsonldContexts routes. Routes then call `requestContext(request)`.
 */
export function installContextHandling(
  app: FastifyInstance,
  options: NgsiLdOptions,
  extra: ContextHandlingOptions = {},
): LdContextResolver {
  const registry = new ContextRegistry({
    collection: options.tenants.default.collection<StoredContext>('jsonldContexts'),
    ...(options.preloadedContexts ? { preloaded: options.preloadedContexts } : {}),
    fetchContexts: options.fetchContexts !== false,
    ...(extra.fetchLimits ? { fetchLimits: extra.fetchLimits } : {}),
    hostedPath: `${app.prefix}/jsonldContexts`,
  });
  const resolver = new LdContextResolver({
    registry,
    ...(extra.cacheSize ? { cacheSize: extra.cacheSize } : {}),
  });
  app.decorate('ngsiLdContextResolver', resolver);
  jsonldContextsRoutes(app, registry, resolver);
  return resolver;
}
