import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { CityError, parseAttribute, type Entity } from '../../core/index.js';
import {
  instancesOf,
  memberOf,
  sameDataset,
  setMember,
  stampNewEntity,
} from '../attribute-instances.js';
import { expandEntity } from '../context/index.js';
import { writeAttributes } from '../entity-ops.js';
import type { NgsiLdOptions } from '../ngsi-ld-options.js';
import { requireEntityId } from '../params.js';
import { idPathSegment, nowIso, requestScope, type RequestScope } from '../request-scope.js';
import { AttributeIdParams, consumes, EntityIdParams, problemResponses, tags } from '../schemas.js';
import {
  latestInstances,
  readTemporalAttributes,
  readTemporalEntity,
  toHistory,
  withoutSystemMembers,
  type InstanceMap,
} from './temporal-body.js';
import { hasHistory, typeFromUrn } from './temporal-read.js';

const InstanceParams = Type.Object({
  id: Type.String({ description: 'Entity id (a URI)' }),
  attrId: Type.String({ description: 'Attribute name' }),
  instanceId: Type.String({ description: 'instanceId, as a temporal read shows it' }),
});
const DeleteAttrQuery = Type.Object({
  datasetId: Type.Optional(Type.String({ description: 'Delete only this datasetId' })),
  deleteAll: Type.Optional(Type.Boolean({ description: 'Delete every datasetId' })),
});
const body = (description: string) => ({ description, type: 'object', additionalProperties: true });
const nothing = (description: string) => Type.Null({ description });
const notFound = (id: string) => new CityError('ResourceNotFound', `entity ${id} not found`);

/**
 * Refuses a history write the caller may not make (the sharing policy): judged on the entity's
 * current state, or for one deleted since on its id and type (`type`: the one the body gives).
 */
async function checkHistoryWrite(
  scope: RequestScope,
  id: string,
  type?: string | string[],
): Promise<void> {
  if (scope.access.unrestricted) return;
  const current = await scope.store.entities.get(id);
  const known = current?.type ?? type ?? typeFromUrn(id);
  scope.access.checkWrite(
    current ?? (known === undefined ? undefined : { id, type: known }),
    type === undefined ? undefined : { id, type },
  );
}

/** Appends instances to the history, then lets the latest of them become the current state. */
async function appendInstances(
  scope: RequestScope,
  id: string,
  type: string | string[] | undefined,
  attrs: InstanceMap,
): Promise<void> {
  const now = Date.now();
  await scope.store.temporal.append(toHistory(id, attrs, now));
  const iso = new Date(now).toISOString();
  await scope.writeOne(id, (current) => {
    const latest = latestInstances(attrs, current, now);
    if (!current)
      return type === undefined ? undefined : stampNewEntity({ id, type, ...latest }, iso);
    if (Object.keys(latest).length === 0) return undefined;
    return writeAttributes(current, latest, { mode: 'append', now: iso }).entity;
  });
}

/** Removes an attribute (one datasetId, or all) from the current state; undefined when absent. */
function withoutAttribute(
  current: Entity,
  attr: string,
  datasetId: string | undefined,
  all: boolean,
): Entity | undefined {
  const instances = instancesOf(current[attr]);
  const kept = all ? [] : instances.filter((i) => !sameDataset(i, datasetId));
  if (kept.length === instances.length) return undefined;
  const next: Entity = { ...current, modifiedAt: nowIso() };
  setMember(next, attr, memberOf(kept));
  return next;
}

/** Temporal writes (clauses 5.6.11–5.6.19; 6.18–6.22). */
export function temporalWriteRoutes(app: FastifyInstance, options: NgsiLdOptions): void {
  app.post(
    '/temporal/entities',
    {
      schema: {
        tags,
        summary: 'Create or update a temporal entity',
        description:
          'Body: {id, type, <attr>: [instances]}. 201 when the entity is new, 204 when instances were added to an existing one. The latest instance of each attribute (and datasetId) becomes the current state.',
        consumes,
        body: body('A temporal entity: each attribute a list of instances'),
        response: { 201: nothing('Created'), 204: nothing('Updated'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const scope = await requestScope(request, options, true);
      const entity = readTemporalEntity(request.body, scope.ctx);
      await checkHistoryWrite(scope, entity.id, entity.type);
      const existed =
        (await scope.store.entities.get(entity.id)) !== undefined ||
        (await hasHistory(scope.store, entity.id));
      await appendInstances(scope, entity.id, entity.type, entity.attrs);
      if (existed) return reply.code(204).send();
      return reply
        .code(201)
        .header('Location', `/ngsi-ld/v1/temporal/entities/${idPathSegment(entity.id)}`)
        .send();
    },
  );

  app.delete<{ Params: Static<typeof EntityIdParams> }>(
    '/temporal/entities/:id',
    {
      schema: {
        tags,
        summary: 'Delete a temporal entity',
        description: 'Deletes the history and the current state of the entity.',
        params: EntityIdParams,
        response: { 204: nothing('Deleted'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      const scope = await requestScope(request, options, false);
      await checkHistoryWrite(scope, id);
      const removed = await scope.store.temporal.deleteEntity(id);
      const result = await scope.writeOne(id, (current) => (current ? null : undefined));
      if (removed === 0 && !result.before) throw notFound(id);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof EntityIdParams> }>(
    '/temporal/entities/:id/attrs',
    {
      schema: {
        tags,
        summary: 'Add attribute instances to a temporal entity',
        consumes,
        params: EntityIdParams,
        body: body('Attributes, each a list of instances'),
        response: { 204: nothing('Appended'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      const scope = await requestScope(request, options, false);
      const attrs = readTemporalAttributes(request.body, scope.ctx);
      await checkHistoryWrite(scope, id);
      const current = await scope.store.entities.get(id);
      if (!current && !(await hasHistory(scope.store, id))) throw notFound(id);
      await appendInstances(scope, id, undefined, attrs);
      return reply.code(204).send();
    },
  );

  app.delete<{
    Params: Static<typeof AttributeIdParams>;
    Querystring: Static<typeof DeleteAttrQuery>;
  }>(
    '/temporal/entities/:id/attrs/:attrId',
    {
      schema: {
        tags,
        summary: 'Delete an attribute of a temporal entity',
        description:
          'The default instance, one datasetId, or all with deleteAll=true: history and current state.',
        params: AttributeIdParams,
        querystring: DeleteAttrQuery,
        response: { 204: nothing('Deleted'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      const scope = await requestScope(request, options, false);
      const attr = scope.ctx.expand(request.params.attrId);
      const { datasetId, deleteAll = false } = request.query;
      await checkHistoryWrite(scope, id);
      const removed = await scope.store.temporal.deleteAttribute(id, attr, datasetId, deleteAll);
      const result = await scope.writeOne(id, (current) =>
        current ? withoutAttribute(current, attr, datasetId, deleteAll) : undefined,
      );
      if (removed === 0 && !result.changed)
        throw new CityError(
          'ResourceNotFound',
          `entity ${id} has no attribute ${request.params.attrId}`,
        );
      return reply.code(204).send();
    },
  );

  app.patch<{ Params: Static<typeof InstanceParams> }>(
    '/temporal/entities/:id/attrs/:attrId/:instanceId',
    {
      schema: {
        tags,
        summary: 'Modify an attribute instance',
        description:
          'Replaces the instance; a new observedAt moves it (and gives it a new instanceId).',
        consumes,
        params: InstanceParams,
        body: body('The attribute instance in normalized form'),
        response: { 204: nothing('Modified'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { id, attrId, instanceId } = request.params;
      requireEntityId(id);
      const scope = await requestScope(request, options, false);
      const attr = scope.ctx.expand(attrId);
      // Expanded as a member of an entity so that sub-attribute names are expanded too.
      const expanded = expandEntity({ id, type: 'T', [attrId]: request.body }, scope.ctx)[attr];
      if (typeof expanded !== 'object' || expanded === null || Array.isArray(expanded))
        throw new CityError('BadRequestData', 'the body must be one attribute instance object');
      const attribute = parseAttribute(
        withoutSystemMembers(expanded as Record<string, unknown>),
        attrId,
      );
      await checkHistoryWrite(scope, id);
      if (!(await scope.store.temporal.updateInstance(id, attr, instanceId, attribute)))
        throw new CityError('ResourceNotFound', `${attrId} of ${id} has no instance ${instanceId}`);
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: Static<typeof InstanceParams> }>(
    '/temporal/entities/:id/attrs/:attrId/:instanceId',
    {
      schema: {
        tags,
        summary: 'Delete an attribute instance',
        params: InstanceParams,
        response: { 204: nothing('Deleted'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { id, attrId, instanceId } = request.params;
      requireEntityId(id);
      const scope = await requestScope(request, options, false);
      const attr = scope.ctx.expand(attrId);
      await checkHistoryWrite(scope, id);
      if (!(await scope.store.temporal.deleteInstance(id, attr, instanceId)))
        throw new CityError('ResourceNotFound', `${attrId} of ${id} has no instance ${instanceId}`);
      return reply.code(204).send();
    },
  );
}
