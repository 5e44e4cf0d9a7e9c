import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { CityError, parseEntity } from '../core/index.js';
import { publishEntityChange } from './entity-events.js';
import { sendNgsi } from './media-type.js';
import type { NgsiLdOptions } from './ngsi-ld-options.js';
import { parseRepresentation, requireEntityId, splitList } from './params.js';
import { renderEntity } from './render.js';
import {
  consumes,
  EntityBody,
  EntityIdParams,
  EntityRequestBody,
  problemResponses,
  produces,
  RepresentationQuery,
  tags,
} from './schemas.js';

const RetrieveQuery = Type.Object(RepresentationQuery);

/** An entity id as a URL path segment: ':' stays readable, '/', '?', '#' and the like are escaped. */
export function idPathSegment(id: string): string {
  return encodeURIComponent(id).replace(/%3A/gi, ':');
}

/** The longest path parameter the router matches (Fastify's maxParamLength, 100 by default). */
function maxIdLength(app: FastifyInstance): number {
  const config = app.initialConfig;
  return config.routerOptions?.maxParamLength ?? config.maxParamLength ?? 100;
}

/** POST /entities, GET /entities/{id}, DELETE /entities/{id} (GS CIM 009 clauses 5.6.1, 5.7.1, 5.6.6). */
export function entitiesRoutes(app: FastifyInstance, { store, bus }: NgsiLdOptions): void {
  app.post(
    '/entities',
    {
      schema: {
        tags,
        summary: 'Create an entity',
        description:
          'Creates an entity given in normalized form. 201 with Location; 409 AlreadyExists when the id is taken; 400 BadRequestData when the entity is invalid.',
        consumes,
        body: EntityRequestBody,
        response: { 201: Type.Null({ description: 'Created' }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const entity = parseEntity(request.body);
      const segment = idPathSegment(entity.id);
      // An entity the router cannot address could never be read, patched or deleted.
      if (segment.length > maxIdLength(app))
        throw new CityError(
          'BadRequestData',
          `entity id is ${segment.length} characters long in a URL; this server addresses ids of up to ${maxIdLength(app)}`,
        );
      await store.entities.create(entity);
      await publishEntityChange(bus, 'created', entity);
      return reply.code(201).header('Location', `${app.prefix}/entities/${segment}`).send();
    },
  );

  app.get<{ Params: Static<typeof EntityIdParams>; Querystring: Static<typeof RetrieveQuery> }>(
    '/entities/:id',
    {
      schema: {
        tags,
        summary: 'Retrieve an entity',
        description:
          'The entity in normalized form, or keyValues with options=keyValues; attrs picks attributes. Accept: application/ld+json adds the core @context.',
        produces,
        params: EntityIdParams,
        querystring: RetrieveQuery,
        response: { 200: EntityBody, ...problemResponses },
      },
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      const representation = parseRepresentation(request.query);
      const attrs = splitList(request.query.attrs);
      const entity = await store.entities.get(id);
      if (!entity) throw new CityError('ResourceNotFound', `entity ${id} not found`);
      return sendNgsi(request, reply, renderEntity(entity, { representation, attrs }));
    },
  );

  app.delete<{ Params: Static<typeof EntityIdParams> }>(
    '/entities/:id',
    {
      schema: {
        tags,
        summary: 'Delete an entity',
        params: EntityIdParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      // Read first: the deletion event names the entity's type.
      const entity = await store.entities.get(id);
      if (!entity || !(await store.entities.delete(id)))
        throw new CityError('ResourceNotFound', `entity ${id} not found`);
      await publishEntityChange(bus, 'deleted', entity);
      return reply.code(204).send();
    },
  );
}
