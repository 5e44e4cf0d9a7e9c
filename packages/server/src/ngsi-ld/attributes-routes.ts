import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { CityError, type Entity } from '../core/index.js';
import { readAttribute, readAttributeFragment, readAttributes } from './entity-input.js';
import {
  deleteAttribute,
  patchAttribute,
  replaceAttribute,
  writeAttributes,
  type AttributeWriteOutcome,
} from './entity-ops.js';
import type { NgsiLdOptions } from './ngsi-ld-options.js';
import { parseOptions, requireEntityId } from './params.js';
import { nowIso, requestScope, type RequestScope } from './request-scope.js';
import {
  AttributeIdParams,
  AttributesRequestBody,
  consumes,
  EntityIdParams,
  problemResponses,
  tags,
  UpdateResult,
} from './schemas.js';

const AppendQuery = Type.Object({
  options: Type.Optional(
    Type.String({ description: 'noOverwrite: keep attributes that already exist' }),
  ),
});
const DeleteQuery = Type.Object({
  datasetId: Type.Optional(Type.String({ description: 'Delete only this instance' })),
  deleteAll: Type.Optional(Type.Boolean({ description: 'Delete every instance' })),
});

type Params = Static<typeof EntityIdParams>;
type AttrParams = Static<typeof AttributeIdParams>;
const notFound = (id: string) => new CityError('ResourceNotFound', `entity ${id} not found`);
const nothing = (what: string) => Type.Null({ description: what });

/** Runs an attribute write on one entity and gives back what it did. */
async function writeOutcome(
  scope: RequestScope,
  id: string,
  compute: (current: Entity) => AttributeWriteOutcome,
): Promise<AttributeWriteOutcome> {
  let outcome: AttributeWriteOutcome | undefined;
  await scope.writeOne(id, (current) => {
    if (!current) throw notFound(id);
    outcome = compute(current);
    return outcome.updated.length > 0 ? outcome.entity : undefined;
  });
  if (!outcome) throw new CityError('InternalError', `no outcome for ${id}`);
  return outcome;
}

/** 204 when every attribute was written, else 207 with an UpdateResult in the client's names. */
function answer(scope: RequestScope, outcome: AttributeWriteOutcome) {
  if (outcome.notUpdated.length === 0) return undefined;
  return {
    updated: outcome.updated.map((n) => scope.ctx.compact(n)),
    notUpdated: outcome.notUpdated.map((n) => ({
      ...n,
      attributeName: scope.ctx.compact(n.attributeName),
    })),
  };
}

/** Attribute operations (clauses 5.6.2–5.6.5, 5.6.19; HTTP binding 6.6, 6.7). */
export function attributesRoutes(app: FastifyInstance, options: NgsiLdOptions): void {
  const batchSchema = (summary: string, description: string, querystring?: typeof AppendQuery) => ({
    tags,
    summary,
    description,
    consumes,
    params: EntityIdParams,
    ...(querystring ? { querystring } : {}),
    body: AttributesRequestBody,
    response: {
      204: nothing('All attributes written'),
      207: UpdateResult,
      ...problemResponses,
    },
  });

  app.patch<{ Params: Params }>(
    '/entities/:id/attrs',
    {
      schema: batchSchema(
        'Update attributes of an entity',
        'Replaces the attribute instances (matched by datasetId) that the entity has; the NGSI-LD Null deletes one. 204 when all were updated; 207 with an UpdateResult naming the others.',
      ),
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      const scope = await requestScope(request, options, false);
      const attrs = readAttributes(request.body, scope.ctx);
      const now = nowIso();
      const outcome = await writeOutcome(scope, id, (current) =>
        writeAttributes(current, attrs, { mode: 'update', now }),
      );
      const result = answer(scope, outcome);
      return result ? reply.code(207).send(result) : reply.code(204).send();
    },
  );

  app.post<{ Params: Params; Querystring: Static<typeof AppendQuery> }>(
    '/entities/:id/attrs',
    {
      schema: batchSchema(
        'Append attributes to an entity',
        'Adds the attributes, replacing existing instances unless options=noOverwrite. 204, or 207 with an UpdateResult naming those kept.',
        AppendQuery,
      ),
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      const noOverwrite = parseOptions(request.query.options, ['noOverwrite']).has('noOverwrite');
      const scope = await requestScope(request, options, false);
      const attrs = readAttributes(request.body, scope.ctx);
      const now = nowIso();
      const outcome = await writeOutcome(scope, id, (current) =>
        writeAttributes(current, attrs, { mode: 'append', noOverwrite, now }),
      );
      const result = answer(scope, outcome);
      return result ? reply.code(207).send(result) : reply.code(204).send();
    },
  );

  app.patch<{ Params: AttrParams }>(
    '/entities/:id/attrs/:attrId',
    {
      schema: {
        tags,
        summary: 'Partially update an attribute',
        description:
          'Merges the fragment into the attribute instance named by its datasetId (default instance without). 204; 404 when the entity or instance is absent.',
        consumes,
        params: AttributeIdParams,
        body: AttributesRequestBody,
        response: { 204: nothing('Updated'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      const scope = await requestScope(request, options, false);
      const name = scope.ctx.expand(request.params.attrId);
      const fragment = readAttributeFragment(request.body, request.params.attrId, scope.ctx);
      const now = nowIso();
      await scope.writeOne(id, (current) => {
        if (!current) throw notFound(id);
        return patchAttribute(current, name, fragment, now);
      });
      return reply.code(204).send();
    },
  );

  app.put<{ Params: AttrParams }>(
    '/entities/:id/attrs/:attrId',
    {
      schema: {
        tags,
        summary: 'Replace an attribute',
        description:
          'Replaces the attribute instance named by the body’s datasetId (default instance without). 204; 404 when the entity or instance is absent.',
        consumes,
        params: AttributeIdParams,
        body: AttributesRequestBody,
        response: { 204: nothing('Replaced'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      const scope = await requestScope(request, options, false);
      const name = scope.ctx.expand(request.params.attrId);
      const attr = readAttribute(request.body, request.params.attrId, scope.ctx);
      const now = nowIso();
      await scope.writeOne(id, (current) => {
        if (!current) throw notFound(id);
        return replaceAttribute(current, name, attr, now);
      });
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: AttrParams; Querystring: Static<typeof DeleteQuery> }>(
    '/entities/:id/attrs/:attrId',
    {
      schema: {
        tags,
        summary: 'Delete an attribute',
        description:
          'Deletes the default instance, the instance of datasetId, or every instance with deleteAll=true. 204; 404 when there is none.',
        params: AttributeIdParams,
        querystring: DeleteQuery,
        response: { 204: nothing('Deleted'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      const scope = await requestScope(request, options, false);
      const name = scope.ctx.expand(request.params.attrId);
      const { datasetId, deleteAll } = request.query;
      if (datasetId !== undefined && deleteAll)
        throw new CityError('BadRequestData', 'give datasetId or deleteAll=true, not both');
      const now = nowIso();
      await scope.writeOne(id, (current) => {
        if (!current) throw notFound(id);
        return deleteAttribute(current, name, {
          ...(datasetId === undefined ? {} : { datasetId }),
          deleteAll: deleteAll === true,
          now,
        });
      });
      return reply.code(204).send();
    },
  );
}
