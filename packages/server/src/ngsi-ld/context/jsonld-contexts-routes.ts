import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CityError } from '../../core/index.js';
import type { ContextRegistry } from './context-registry.js';
import { checkContextDocument } from './context-registry.js';
import type { LdContextResolver } from './context-resolver.js';
import type { ContextInfo, ContextKind, StoredContext } from './types.js';

const KINDS: readonly ContextKind[] = ['Hosted', 'Cached', 'ImplicitlyCreated'];

function flag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new CityError('BadRequestData', `${name} must be true or false`);
}

function absoluteUrl(request: FastifyRequest, ctx: StoredContext): string {
  if (ctx.kind === 'Cached') return ctx.url;
  return `${request.protocol}://${request.headers.host ?? 'localhost'}${ctx.url}`;
}

function details(request: FastifyRequest, info: ContextInfo): Record<string, unknown> {
  return {
    URL: absoluteUrl(request, info),
    localId: info.localId,
    kind: info.kind,
    createdAt: info.createdAt,
    ...(info.lastUsage ? { lastUsage: info.lastUsage } : {}),
    numberOfHits: info.numberOfHits,
    ...(info.origin ? { extraInfo: { origin: info.origin } } : {}),
  };
}

interface ListQuery {
  details?: string;
  kind?: string;
}
interface OneQuery {
  details?: string;
  reload?: string;
}
interface PostQuery {
  url?: string;
}
interface IdParams {
  contextId: string;
}

/**
 * The /jsonldContexts API (clauses 5.13, 6.31, 6.32): list, add (Hosted), serve and delete
 * the contexts the broker holds. Extension: `POST /jsonldContexts?url=<remote URL>` registers
 * an operator's local copy of a remote context under that URL (kind Cached): the broker then
 * resolves the URL to that copy and never fetches it.
 */
export function jsonldContextsRoutes(
  app: FastifyInstance,
  registry: ContextRegistry,
  resolver: LdContextResolver,
): void {
  const find = async (id: string): Promise<StoredContext> => {
    const ctx = await registry.find(id);
    if (!ctx) throw new CityError('ResourceNotFound', `no @context ${id} is held`);
    return ctx;
  };

  app.get<{ Querystring: ListQuery }>(
    '/jsonldContexts',
    {
      schema: { tags: ['NGSI-LD'], summary: 'List the @contexts the broker holds (clause 5.13.3)' },
    },
    async (request) => {
      const { kind } = request.query;
      if (kind !== undefined && !KINDS.includes(kind as ContextKind))
        throw new CityError('BadRequestData', `kind must be one of ${KINDS.join(', ')}`);
      const all = (await registry.list()).filter((c) => kind === undefined || c.kind === kind);
      return flag(request.query.details, 'details')
        ? all.map((c) => details(request, registry.info(c)))
        : all.map((c) => absoluteUrl(request, c));
    },
  );

  app.post<{ Querystring: PostQuery }>(
    '/jsonldContexts',
    {
      schema: {
        tags: ['NGSI-LD'],
        summary: 'Add an @context to host, or (?url=) a local copy of a remote one (clause 5.13.2)',
      },
    },
    async (request, reply) => {
      const document = checkContextDocument(request.body);
      await resolver.check(document['@context']);
      const url = request.query.url;
      const stored =
        url === undefined ? await registry.host(document) : await registry.register(url, document);
      return reply
        .code(201)
        .header('Location', `${registry.hostedPath}/${encodeURIComponent(stored.localId)}`)
        .send();
    },
  );

  app.get<{ Params: IdParams; Querystring: OneQuery }>(
    '/jsonldContexts/:contextId',
    { schema: { tags: ['NGSI-LD'], summary: 'Serve a held @context (clause 5.13.4)' } },
    async (request, reply) => {
      const ctx = await find(request.params.contextId);
      if (flag(request.query.details, 'details')) return details(request, registry.info(ctx));
      return reply.type('application/ld+json').send(ctx.document);
    },
  );

  app.delete<{ Params: IdParams; Querystring: OneQuery }>(
    '/jsonldContexts/:contextId',
    {
      schema: {
        tags: ['NGSI-LD'],
        summary: 'Delete a held @context, or reload a cached one (clause 5.13.5)',
      },
    },
    async (request, reply) => {
      await registry.remove(request.params.contextId, flag(request.query.reload, 'reload'));
      return reply.code(204).send();
    },
  );
}
