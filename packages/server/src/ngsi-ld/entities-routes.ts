import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { CityError, attributeNames, entityTypes, type Entity } from '../core/index.js';
import { stampNewEntity } from './attribute-instances.js';
import { requestContext } from './context/index.js';
import { readEntity, readFragment, requireObject } from './entity-input.js';
import { mergeEntity, replaceEntity } from './entity-merge.js';
import { negotiateMediaType } from './media-type.js';
import type { NgsiLdOptions } from './ngsi-ld-options.js';
import { requireEntityId, splitList } from './params.js';
import { parseRenderOptions, renderEntityJson, setRepresentationHeaders } from './render.js';
import { idPathSegment, nowIso, requestScope, requireAddressable } from './request-scope.js';
import { requestTenant } from './tenant.js';
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

export { idPathSegment } from './request-scope.js';

const RetrieveQuery = Type.Object({
  ...RepresentationQuery,
  type: Type.Optional(Type.String({ description: 'The entity must have one of these types' })),
});

type Params = Static<typeof EntityIdParams>;
const done = (kind: string) => Type.Null({ description: kind });
const notFound = (id: string) => new CityError('ResourceNotFound', `entity ${id} not found`);

/** Entity resource (clauses 5.6.1, 5.6.6, 5.6.17, 5.6.18, 5.7.1; HTTP binding 6.4, 6.5). */
export function entitiesRoutes(app: FastifyInstance, options: NgsiLdOptions): void {
  app.post(
    '/entities',
    {
      schema: {
        tags,
        summary: 'Create an entity',
        description:
          'Creates an entity given in normalized or concise form. 201 with Location; 409 AlreadyExists when the id is taken; 400 BadRequestData when the entity is invalid.',
        consumes,
        body: EntityRequestBody,
        response: { 201: done('Created'), ...problemResponses },
      },
    },
    async (request, reply) => {
      // Read the entity first: an invalid one must not create the tenant.
      requestTenant(request);
      const entity = readEntity(request.body, await requestContext(request));
      requireAddressable(app, entity.id);
      const scope = await requestScope(request, options, true);
      const now = nowIso();
      await scope.writeOne(entity.id, (current) => {
        if (current) throw new CityError('AlreadyExists', `entity ${entity.id} already exists`);
        return stampNewEntity(entity, now);
      });
      return reply
        .code(201)
        .header('Location', `${app.prefix}/entities/${idPathSegment(entity.id)}`)
        .send();
    },
  );

  app.get<{ Params: Params; Querystring: Static<typeof RetrieveQuery> }>(
    '/entities/:id',
    {
      schema: {
        tags,
        summary: 'Retrieve an entity',
        description:
          'The entity in normalized, concise (options=concise) or keyValues form; attrs/pick/omit select members, lang picks a language, options=sysAttrs adds createdAt/modifiedAt. Accept: application/ld+json puts the @context inline, application/geo+json answers a Feature.',
        produces: [...produces, 'application/geo+json'],
        params: EntityIdParams,
        querystring: RetrieveQuery,
        response: { 200: EntityBody, ...problemResponses },
      },
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      const mediaType = negotiateMediaType(request.headers.accept, true);
      const scope = await requestScope(request, options, false);
      const render = parseRenderOptions(request.query, scope.ctx, mediaType);
      const stored = await scope.store.entities.get(id);
      // An entity the caller may not read is answered as one that does not exist.
      const entity = stored && scope.access.view(stored);
      const types = splitList(request.query.type)?.map((t) => scope.ctx.expand(t));
      const refusal = !entity
        ? notFound(id)
        : types && !entityTypes(entity).some((t) => types.includes(t))
          ? new CityError('ResourceNotFound', `entity ${id} is not of type ${request.query.type}`)
          : render.attrs && !attributeNames(entity).some((a) => render.attrs?.includes(a))
            ? new CityError('ResourceNotFound', `entity ${id} has none of the requested attributes`)
            : undefined;
      if (refusal) scope.access.discard();
      await scope.access.record('entity.read', id);
      if (refusal || !entity) throw refusal ?? notFound(id);
      // Sent as text: the 200 schema documents the body but would re-walk every member.
      return setRepresentationHeaders(reply, render).send(renderEntityJson(entity, render));
    },
  );

  app.put<{ Params: Params }>(
    '/entities/:id',
    {
      schema: {
        tags,
        summary: 'Replace an entity',
        description:
          'Replaces every attribute (and the type) of an existing entity; createdAt stays. 204; 404 when absent.',
        consumes,
        params: EntityIdParams,
        body: EntityRequestBody,
        response: { 204: done('Replaced'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      const scope = await requestScope(request, options, false);
      const body = requireObject(request.body, 'an entity');
      if (body.id !== undefined && body.id !== id)
        throw new CityError(
          'BadRequestData',
          `the body's id ${JSON.stringify(body.id)} is not ${id}`,
        );
      const next = readEntity({ ...body, id }, scope.ctx);
      const now = nowIso();
      await scope.writeOne(id, (current) => {
        if (!current) throw notFound(id);
        return replaceEntity(current, next, now);
      });
      return reply.code(204).send();
    },
  );

  app.patch<{ Params: Params }>(
    '/entities/:id',
    {
      config: { mergePatch: true },
      schema: {
        tags,
        summary: 'Merge an entity',
        description:
          'Merges the fragment into the entity (clause 5.6.17): new attributes added, existing ones merged, attributes set to the NGSI-LD Null (urn:ngsi-ld:null, or JSON null with application/merge-patch+json) deleted. 204; 404 when absent.',
        consumes: [...consumes, 'application/merge-patch+json'],
        params: EntityIdParams,
        body: EntityRequestBody,
        response: { 204: done('Merged'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      const scope = await requestScope(request, options, false);
      const fragment = readFragment(request.body, scope.ctx, id);
      const now = nowIso();
      await scope.writeOne(id, (current) => {
        if (!current) throw notFound(id);
        return mergeEntity(current, fragment, now);
      });
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: Params }>(
    '/entities/:id',
    {
      schema: {
        tags,
        summary: 'Delete an entity',
        params: EntityIdParams,
        response: { 204: done('Deleted'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      const scope = await requestScope(request, options, false);
      await scope.writeOne(id, (current: Entity | undefined) => {
        if (!current) throw notFound(id);
        return null;
      });
      return reply.code(204).send();
    },
  );
}
