import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  parseEntityQuery,
  type EntityQueryParams,
} from './entity-query.js';
import { sendNgsi } from './media-type.js';
import type { NgsiLdOptions } from './ngsi-ld-options.js';
import { renderEntity } from './render.js';
import { EntityBody, problemResponses, produces, RepresentationQuery, tags } from './schemas.js';

const QueryEntitiesQuery = Type.Object({
  type: Type.Optional(Type.String({ description: 'Comma-separated entity types (ORed)' })),
  id: Type.Optional(Type.String({ description: 'Comma-separated entity ids (ORed)' })),
  q: Type.Optional(
    Type.String({ description: 'NGSI-LD query language, e.g. no2>40;airQualityLevel=="poor"' }),
  ),
  limit: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: `Page size, default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT} (403 TooManyResults above); 0 only with count=true`,
    }),
  ),
  offset: Type.Optional(Type.Integer({ minimum: 0, description: 'Entities to skip' })),
  count: Type.Optional(
    Type.Boolean({ description: 'true: the total is in the NGSILD-Results-Count header' }),
  ),
  ...RepresentationQuery,
});

const EntityTypeList = Type.Object(
  {
    id: Type.String(),
    type: Type.Literal('EntityTypeList'),
    typeList: Type.Array(Type.String()),
  },
  { additionalProperties: true, description: 'The entity types present (clause 5.2.24)' },
);

/** A URI that is the same whenever the type list is: clients may cache on it. */
function typeListId(types: readonly string[]): string {
  const digest = createHash('sha256').update(types.join('\n')).digest('hex').slice(0, 16);
  return `urn:ngsi-ld:EntityTypeList:${digest}`;
}

/** GET /entities (query, clause 5.7.2) and GET /types (clause 5.7.5). */
export function queryRoutes(app: FastifyInstance, { store }: NgsiLdOptions): void {
  app.get(
    '/entities',
    {
      schema: {
        tags,
        summary: 'Query entities',
        description:
          'Entities matching all given filters, ordered by id. Needs at least one of type, id, attrs or q (400 otherwise). Geo-queries, idPattern, scopeQ and csf answer 501.',
        produces,
        querystring: QueryEntitiesQuery,
        response: { 200: Type.Array(EntityBody), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { query, render } = parseEntityQuery(
        request.query as EntityQueryParams & Record<string, unknown>,
      );
      const page = await store.entities.query(query);
      if (page.count !== undefined) void reply.header('NGSILD-Results-Count', page.count);
      return sendNgsi(
        request,
        reply,
        page.entities.map((e) => renderEntity(e, render)),
      );
    },
  );

  app.get(
    '/types',
    {
      schema: {
        tags,
        summary: 'List the entity types present',
        produces,
        response: { 200: EntityTypeList, ...problemResponses },
      },
    },
    async (request, reply) => {
      const typeList = await store.entities.types();
      return sendNgsi(request, reply, {
        id: typeListId(typeList),
        type: 'EntityTypeList',
        typeList,
      });
    },
  );
}
