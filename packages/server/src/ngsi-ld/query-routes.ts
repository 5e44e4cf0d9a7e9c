import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from 'typebox';
import { CityError } from '../core/index.js';
import type { EntityQuery } from '../store/index.js';
import {
  buildEntityQuery,
  DEFAULT_LIMIT,
  hasSelector,
  MAX_LIMIT,
  parsePage,
  runQueries,
  type PageParams,
  filtersFromParams,
} from './entity-query.js';
import { negotiateMediaType } from './media-type.js';
import type { NgsiLdOptions } from './ngsi-ld-options.js';
import { readQuery } from './query-body.js';
import {
  parseRenderOptions,
  renderEntities,
  setRepresentationHeaders,
  type RenderOptions,
} from './render.js';
import { requestScope, type RequestScope } from './request-scope.js';
import {
  consumes,
  EntitiesOrFeatures,
  problemResponses,
  produces,
  RepresentationQuery,
  tags,
} from './schemas.js';

const text = (description: string) => Type.Optional(Type.String({ description }));

const PageQuery = {
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
};

const QueryEntitiesQuery = Type.Object({
  type: text('Type expression: A,B or A|B (or), A;B (and), parentheses'),
  id: text('Comma-separated entity ids (ORed)'),
  idPattern: text('Regular expression the id matches'),
  q: text('NGSI-LD query language, e.g. no2>40;airQualityLevel=="poor"'),
  scopeQ: text('Scope query, e.g. /Madrid/#'),
  georel: text('near;maxDistance==2000, within, contains, intersects, disjoint, equals, overlaps'),
  geometry: text('Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon'),
  coordinates: text('GeoJSON coordinates of the geometry, e.g. [2.35,48.85]'),
  geoproperty: text('GeoProperty the geo-query tests (location by default)'),
  local: Type.Optional(Type.Boolean({ description: 'Only local entities (always, here)' })),
  csf: text('Context source filter (not supported: 501)'),
  ...PageQuery,
  ...RepresentationQuery,
});
type QueryParams = Static<typeof QueryEntitiesQuery>;

const QueryBatchQuery = Type.Object({ ...PageQuery, ...RepresentationQuery });

/** Answers a page of entities: rendered and counted (an array, or a GeoJSON FeatureCollection). */
async function answerQuery(
  reply: FastifyReply,
  scope: RequestScope,
  queries: readonly EntityQuery[],
  page: Required<PageParams>,
  render: RenderOptions,
): Promise<FastifyReply> {
  const { access } = scope;
  const result = await runQueries(
    scope.store.entities,
    queries.map((q) => access.restrict(q)),
    page,
  );
  const entities = access.unrestricted
    ? result.entities.map((e) => access.view(e) ?? e)
    : result.entities.flatMap((e) => access.view(e) ?? []);
  await access.record('entity.query');
  if (result.count !== undefined) void reply.header('NGSILD-Results-Count', result.count);
  return setRepresentationHeaders(reply, render).send(renderEntities(entities, render));
}

/** Query entities (clause 5.7.2; GET /entities, POST /entityOperations/query, 6.4.3.2, 6.23). */
export function queryRoutes(app: FastifyInstance, options: NgsiLdOptions): void {
  app.get<{ Querystring: QueryParams }>(
    '/entities',
    {
      schema: {
        tags,
        summary: 'Query entities',
        description:
          'Entities matching every filter, ordered by id. Needs at least one of type, id, idPattern, attrs, q, scopeQ, a geo-query or local=true (400 otherwise). Accept: application/geo+json answers a FeatureCollection.',
        produces: [...produces, 'application/geo+json'],
        querystring: QueryEntitiesQuery,
        response: { 200: EntitiesOrFeatures, ...problemResponses },
      },
    },
    async (request, reply) => {
      const raw = request.query;
      if (raw.csf !== undefined)
        throw new CityError('OperationNotSupported', 'csf is not supported: no context sources');
      const filters = filtersFromParams(raw);
      if (raw.local !== undefined) filters.local = raw.local;
      if (!hasSelector(filters))
        throw new CityError(
          'BadRequestData',
          'a query needs type, id, idPattern, attrs, q, scopeQ, a geo-query or local=true',
        );
      const page = parsePage(raw);
      const mediaType = negotiateMediaType(request.headers.accept, true);
      const scope = await requestScope(request, options, false);
      const render = parseRenderOptions(raw, scope.ctx, mediaType);
      const query = buildEntityQuery(filters, scope.ctx, page);
      return answerQuery(reply, scope, [query], page, render);
    },
  );

  app.post<{ Querystring: Static<typeof QueryBatchQuery> }>(
    '/entityOperations/query',
    {
      schema: {
        tags,
        summary: 'Query entities with a Query body',
        description:
          'POST form of the entity query (clause 5.7.2, 6.23): body {type: "Query", entities: [{id, idPattern, type}], attrs, q, geoQ, scopeQ, lang}; several entity selectors are ORed.',
        consumes,
        produces: [...produces, 'application/geo+json'],
        querystring: QueryBatchQuery,
        body: { description: 'An NGSI-LD Query (clause 5.2.23)' },
        response: { 200: EntitiesOrFeatures, ...problemResponses },
      },
    },
    async (request, reply) => {
      const page = parsePage(request.query);
      const mediaType = negotiateMediaType(request.headers.accept, true);
      const scope = await requestScope(request, options, false);
      const body = readQuery(request.body);
      const render = parseRenderOptions(
        {
          ...request.query,
          ...(body.lang === undefined ? {} : { lang: body.lang }),
          ...(body.attrs === undefined ? {} : { attrs: body.attrs.join(',') }),
        },
        scope.ctx,
        mediaType,
      );
      const queries = body.selectors.map((f) => buildEntityQuery(f, scope.ctx, page));
      return answerQuery(reply, scope, queries, page, render);
    },
  );
}
