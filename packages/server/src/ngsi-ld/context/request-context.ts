import type { FastifyRequest } from 'fastify';
import { CityError } from '../../core/index.js';
import { JSONLD_CONTEXT_REL } from './context-resolver.js';
import { isContextLink, parseLinkHeader } from './link-header.js';
import type { ContextResolver, LdContext } from './types.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The NGSI-LD plugin's @context resolver (set by installContextHandling). */
    ngsiLdContextResolver?: ContextResolver;
  }
}

const cache = new WeakMap<FastifyRequest, Promise<LdContext>>();

/** The media type of a request body, lower-cased, without parameters. */
export function bodyMediaType(request: FastifyRequest): string | undefined {
  const raw = request.headers['content-type'];
  return raw === undefined ? undefined : (raw.split(';')[0] ?? '').trim().toLowerCase();
}

/** The context URL named by the request's Link header, if any (clause 6.3.5). */
export function linkedContext(request: FastifyRequest): string | undefined {
  const raw = request.headers.link;
  if (raw === undefined) return undefined;
  const header = Array.isArray(raw) ? raw.join(', ') : raw;
  const urls = parseLinkHeader(header)
    .filter((l) => isContextLink(l, JSONLD_CONTEXT_REL))
    .map((l) => l.target);
  if (urls.length > 1)
    throw new CityError(
      'BadRequestData',
      'a request may carry only one JSON-LD context Link header',
    );
  const url = urls[0];
  if (url !== undefined && !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(url))
    throw new CityError(
      'BadRequestData',
      `the JSON-LD context Link must be an absolute URL: ${url}`,
    );
  return url;
}

const hasContext = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && '@context' in v;

/**
 * Where a request's @context comes from (clause 6.3.5): the body's `@context` for
 * application/ld+json (then a Link header is an error, and so is a missing `@context`);
 * otherwise the Link header (a body `@context` is then an error); the core context when
 * neither. For a list body (batch operations) this is the first item's context.
 */
export function contextSource(request: FastifyRequest): unknown {
  const body = request.body;
  const hasBody = body !== undefined && body !== null;
  const items: unknown[] = Array.isArray(body) ? body : hasBody ? [body] : [];
  if (hasBody && bodyMediaType(request) === 'application/ld+json') {
    if (linkedContext(request) !== undefined)
      throw new CityError(
        'BadRequestData',
        'an application/ld+json request carries its @context in the body, not in a Link header',
      );
    if (items.length === 0) return undefined;
    const missing = items.findIndex((i) => !hasContext(i));
    if (missing >= 0)
      throw new CityError(
        'BadRequestData',
        Array.isArray(body)
          ? `item ${missing} of an application/ld+json body has no "@context"`
          : 'an application/ld+json body must carry an "@context"',
      );
    return (items[0] as Record<string, unknown>)['@context'];
  }
  if (items.some(hasContext))
    throw new CityError(
      'BadRequestData',
      'an application/json body must not carry "@context": send it in a Link header, or send application/ld+json',
    );
  return linkedContext(request);
}

function resolverOf(request: FastifyRequest): ContextResolver {
  const resolver = request.server.ngsiLdContextResolver;
  if (!resolver)
    throw new CityError(
      'InternalError',
      'NGSI-LD @context handling is not installed: call installContextHandling(app, options) in the plugin',
    );
  return resolver;
}

/** The resolved @context of a request (cached on the request). */
export function requestContext(request: FastifyRequest): Promise<LdContext> {
  let ctx = cache.get(request);
  if (!ctx) {
    try {
      ctx = resolverOf(request).resolve(contextSource(request));
    } catch (err) {
      ctx = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    // Callers await it; keep an unobserved rejection from being reported twice.
    ctx.catch(() => undefined);
    cache.set(request, ctx);
  }
  return ctx;
}

/**
 * The @context of one item of a batch body: its own `@context` for application/ld+json,
 * the request's (Link header) otherwise. Call requestContext first to validate the request.
 */
export async function itemContext(request: FastifyRequest, item: unknown): Promise<LdContext> {
  if (bodyMediaType(request) === 'application/ld+json' && hasContext(item))
    return resolverOf(request).resolve((item as Record<string, unknown>)['@context']);
  return requestContext(request);
}

/** Resolves any @context value with the plugin's resolver (e.g. a subscription's jsonldContext). */
export function resolveContext(request: FastifyRequest, context: unknown): Promise<LdContext> {
  return resolverOf(request).resolve(context);
}
