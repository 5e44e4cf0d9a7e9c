import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { CityError } from '../../core/index.js';
import type { Entity } from '../../core/index.js';
import type { EntityQuery } from '../../store/index.js';
import type { AccessView } from '../access.js';
import {
  buildEntityQuery,
  hasSelector,
  parsePage,
  runQueries,
  type PageParams,
  filtersFromParams,
} from '../entity-query.js';
import { sendNgsi } from '../media-type.js';
import type { NgsiLdOptions } from '../ngsi-ld-options.js';
import { requireEntityId, splitList } from '../params.js';
import { readQuery } from '../query-body.js';
import { requestScope, type RequestScope } from '../request-scope.js';
import { EntityIdParams, problemResponses, produces, tags } from '../schemas.js';
import { parseTemporalView, parseTemporalWindow } from './temporal-params.js';
import {
  hasHistory,
  readTemporalEntities,
  typeFromUrn,
  type HistoryRequest,
  type TemporalHead,
} from './temporal-read.js';

const text = (description: string) => Type.Optional(Type.String({ description }));

/** The temporal and representation parameters every temporal read takes. */
const TemporalQueryParams = {
  attrs: text('Comma-separated attribute names (all when absent)'),
  timerel: text('before (< timeAt), after (>= timeAt) or between (timeAt <= t < endTimeAt)'),
  timeAt: text('ISO 8601 date-time; needed with timerel'),
  endTimeAt: text('ISO 8601 date-time; needed with timerel=between'),
  timeproperty: text(
    'observedAt (default; createdAt for instances without it), createdAt or modifiedAt',
  ),
  lastN: text('Only the last N instances of each attribute (and datasetId)'),
  options: text('temporalValues, aggregatedValues, sysAttrs'),
  format: text('normalized, temporalValues or aggregatedValues'),
  aggrMethods: text(
    'With aggregatedValues: totalCount, distinctCount, sum, avg, min, max, stddev, sumsq',
  ),
  aggrPeriodDuration: text(
    'With aggregatedValues: ISO 8601 period such as PT1H or P1D (whole range when absent)',
  ),
};

const PageQuery = {
  limit: Type.Optional(
    Type.Integer({ minimum: 0, description: 'Entities per page (default 20, at most 1000)' }),
  ),
  offset: Type.Optional(Type.Integer({ minimum: 0, description: 'Entities to skip' })),
  count: Type.Optional(Type.Boolean({ description: 'true: the total is in NGSILD-Results-Count' })),
};

const RetrieveQuery = Type.Object(TemporalQueryParams);
const SelectQuery = Type.Object({
  type: text('Type expression: A,B or A|B (or), A;B (and), parentheses'),
  id: text('Comma-separated entity ids'),
  idPattern: text('Regular expression the id matches'),
  q: text('NGSI-LD query language over the current state'),
  scopeQ: text('Scope query'),
  georel: text('near;maxDistance==2000, within, contains, intersects, disjoint, equals, overlaps'),
  geometry: text('Point, LineString, Polygon …'),
  coordinates: text('GeoJSON coordinates, e.g. [2.35,48.85]'),
  geoproperty: text('GeoProperty the geo-query tests (location by default)'),
  ...TemporalQueryParams,
  ...PageQuery,
});
const QueryPostQuery = Type.Object({
  options: TemporalQueryParams.options,
  format: TemporalQueryParams.format,
  aggrMethods: TemporalQueryParams.aggrMethods,
  aggrPeriodDuration: TemporalQueryParams.aggrPeriodDuration,
  ...PageQuery,
});

const TemporalEntity = Type.Object(
  { id: Type.String(), type: Type.Union([Type.String(), Type.Array(Type.String())]) },
  { additionalProperties: true, description: 'A temporal entity (clause 4.5.7)' },
);

function historyRequest(raw: Static<typeof RetrieveQuery>, scope: RequestScope): HistoryRequest {
  const request: HistoryRequest = {
    window: parseTemporalWindow(raw),
    view: parseTemporalView(raw),
  };
  const attrs = splitList(raw.attrs)?.map((a) => scope.ctx.expand(a));
  if (attrs) request.attrs = attrs;
  return request;
}

/**
 * The head of a temporal entity as the caller may see it: its visible attributes, judged on the
 * current state (an entity deleted since, on its id and type alone); undefined when invisible.
 */
function visibleHead(
  access: AccessView,
  id: string,
  type: string | string[],
  current: Entity | undefined,
): TemporalHead | undefined {
  const probe = current ?? { id, type };
  const seen = access.view(probe);
  if (!seen) return undefined;
  if (seen === probe) return current ? { id, type, current } : { id, type };
  // Trimmed: only the history of the attributes left is shown.
  return { id, type, ...(current && { current: seen }), attributes: new Set(Object.keys(seen)) };
}

/** Selects entities with the entity store, then answers their history as one page. */
async function answerPage(
  request: FastifyRequest,
  reply: FastifyReply,
  scope: RequestScope,
  queries: readonly EntityQuery[],
  page: Required<PageParams>,
  history: HistoryRequest,
): Promise<FastifyReply> {
  const { access } = scope;
  const result = await runQueries(
    scope.store.entities,
    queries.map((q) => access.restrict(q)),
    page,
  );
  if (result.count !== undefined) void reply.header('NGSILD-Results-Count', result.count);
  const heads = result.entities.flatMap((e) => visibleHead(access, e.id, e.type, e) ?? []);
  const body = await readTemporalEntities(scope.store, heads, history, scope.ctx);
  await access.record('temporal.query');
  return sendNgsi(request, reply, body, scope.ctx);
}

/** Temporal retrieval and query (clauses 5.7.3, 5.7.4; 6.18.3.2, 6.19.3.1, 6.24). */
export function temporalReadRoutes(app: FastifyInstance, options: NgsiLdOptions): void {
  app.get<{ Params: Static<typeof EntityIdParams>; Querystring: Static<typeof RetrieveQuery> }>(
    '/temporal/entities/:id',
    {
      schema: {
        tags,
        summary: 'Retrieve the temporal evolution of an entity',
        description:
          'Every attribute instance (ingest observations included), oldest first, with its instanceId; options=temporalValues gives [value, time] pairs, options=aggregatedValues with aggrMethods (and aggrPeriodDuration) gives [value, start, end] per period.',
        produces,
        params: EntityIdParams,
        querystring: RetrieveQuery,
        response: { 200: TemporalEntity, ...problemResponses },
      },
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      const scope = await requestScope(request, options, false);
      const history = historyRequest(request.query, scope);
      const current = await scope.store.entities.get(id);
      // History outlives an entity deleted through /entities; it stays readable here.
      const type =
        current?.type ?? ((await hasHistory(scope.store, id)) ? typeFromUrn(id) : undefined);
      const head = type === undefined ? undefined : visibleHead(scope.access, id, type, current);
      await scope.access.record('temporal.read', id);
      // An entity the caller may not read is answered as one that does not exist.
      if (!head) throw new CityError('ResourceNotFound', `entity ${id} not found`);
      const [body] = await readTemporalEntities(scope.store, [head], history, scope.ctx);
      return sendNgsi(request, reply, body ?? { id, type }, scope.ctx);
    },
  );

  app.get<{ Querystring: Static<typeof SelectQuery> }>(
    '/temporal/entities',
    {
      schema: {
        tags,
        summary: 'Query the temporal evolution of entities',
        description:
          'Entities are selected on their current state (type, id, idPattern, attrs, q, scopeQ, geo-query), ordered by id and paged; each comes with its history in the time window.',
        produces,
        querystring: SelectQuery,
        response: { 200: Type.Array(TemporalEntity), ...problemResponses },
      },
    },
    async (request, reply) => {
      const raw = request.query;
      const filters = filtersFromParams(raw);
      if (!hasSelector(filters))
        throw new CityError(
          'BadRequestData',
          'a temporal query needs type, id, idPattern, attrs, q, scopeQ or a geo-query',
        );
      const page = parsePage(raw);
      const scope = await requestScope(request, options, false);
      const history = historyRequest(raw, scope);
      const query = buildEntityQuery(filters, scope.ctx, page);
      return answerPage(request, reply, scope, [query], page, history);
    },
  );

  app.post<{ Querystring: Static<typeof QueryPostQuery> }>(
    '/temporal/entityOperations/query',
    {
      schema: {
        tags,
        summary: 'Query the temporal evolution of entities with a Query body',
        description:
          'Body: {type: "Query", entities: [{id|idPattern|type}], attrs, q, geoQ, scopeQ, temporalQ: {timerel, timeAt, endTimeAt, timeproperty, lastN}}; paging and representation in the URL.',
        produces,
        querystring: QueryPostQuery,
        response: { 200: Type.Array(TemporalEntity), ...problemResponses },
      },
    },
    async (request, reply) => {
      const raw = request.body;
      const { temporalQ, ...rest } =
        typeof raw === 'object' && raw !== null && !Array.isArray(raw)
          ? (raw as Record<string, unknown>)
          : { temporalQ: undefined };
      if (temporalQ !== undefined && (typeof temporalQ !== 'object' || temporalQ === null))
        throw new CityError('BadRequestData', 'Query: temporalQ must be an object');
      const body = readQuery(typeof raw === 'object' ? rest : raw);
      const page = parsePage(request.query);
      const scope = await requestScope(request, options, false);
      const history: HistoryRequest = {
        window: parseTemporalWindow(temporalQ ?? {}),
        view: parseTemporalView(request.query),
      };
      if (body.attrs) history.attrs = body.attrs.map((a) => scope.ctx.expand(a));
      const queries = body.selectors.map((f) => buildEntityQuery(f, scope.ctx, page));
      return answerPage(request, reply, scope, queries, page, history);
    },
  );
}
