import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { CityError } from '../core/index.js';
import { sendNgsi } from './media-type.js';
import type { NgsiLdOptions } from './ngsi-ld-options.js';
import { requireEntityId } from './params.js';
import { EntityBody, EntityIdParams, problemResponses, produces, tags } from './schemas.js';
import {
  parseTemporalQuery,
  parseTemporalRepresentation,
  renderTemporal,
  type TemporalParams,
} from './temporal-query.js';

const TemporalQuery = Type.Object({
  attrs: Type.Optional(Type.String({ description: 'Comma-separated attribute names' })),
  timerel: Type.Optional(
    Type.Union([Type.Literal('before'), Type.Literal('after'), Type.Literal('between')], {
      description:
        'before: observedAt < timeAt; after: observedAt >= timeAt; between: timeAt <= observedAt < endTimeAt',
    }),
  ),
  timeAt: Type.Optional(Type.String({ description: 'ISO 8601 date-time; needed with timerel' })),
  endTimeAt: Type.Optional(
    Type.String({ description: 'ISO 8601 date-time; needed with timerel=between' }),
  ),
  timeproperty: Type.Optional(
    Type.Literal('observedAt', { description: 'Only observedAt is kept in the series' }),
  ),
  lastN: Type.Optional(
    Type.Integer({ minimum: 1, description: 'Only the last N instances of each attribute' }),
  ),
  options: Type.Optional(Type.String({ description: 'temporalValues for [value, time] pairs' })),
  format: Type.Optional(Type.String({ description: 'temporalValues or normalized' })),
});

/** URNs of the form urn:ngsi-ld:<Type>:<local id> name their type. */
function typeFromUrn(id: string): string | undefined {
  return /^urn:ngsi-ld:([^:]+):./.exec(id)?.[1];
}

/** GET /temporal/entities/{id}: the time series of one entity (clause 5.7.3). */
export function temporalRoutes(app: FastifyInstance, { store }: NgsiLdOptions): void {
  app.get<{ Params: Static<typeof EntityIdParams>; Querystring: Static<typeof TemporalQuery> }>(
    '/temporal/entities/:id',
    {
      schema: {
        tags,
        summary: 'Retrieve the temporal evolution of an entity',
        description:
          'The observed values of the entity attributes over time, oldest first. Normalized: <attr>: [{type, value, observedAt}, ...]; options=temporalValues: <attr>: {type, values: [[value, observedAt], ...]}.',
        produces,
        params: EntityIdParams,
        querystring: TemporalQuery,
        response: { 200: EntityBody, ...problemResponses },
      },
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      const params = request.query as TemporalParams;
      const seriesQuery = parseTemporalQuery(id, params);
      const representation = parseTemporalRepresentation(params);
      const entity = await store.entities.get(id);
      // An entity deleted through the API may leave its series behind; it is still readable.
      const type =
        entity?.type ?? ((await store.series.countFor(id)) > 0 ? typeFromUrn(id) : undefined);
      if (type === undefined) throw new CityError('ResourceNotFound', `entity ${id} not found`);
      const points = await store.series.read(seriesQuery);
      return sendNgsi(request, reply, renderTemporal({ id, type }, points, representation, entity));
    },
  );
}
