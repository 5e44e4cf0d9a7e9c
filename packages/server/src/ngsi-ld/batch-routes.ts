import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import {
  CityError,
  toCityError,
  toProblem,
  type Entity,
  type ProblemDetails,
} from '../core/index.js';
import type { EntityMutation, EntityWrite } from '../store/index.js';
import { attributesOf, stampNewEntity } from './attribute-instances.js';
import { itemContext, requestContext, type LdContext } from './context/index.js';
import { readEntity, readFragment } from './entity-input.js';
import { mergeEntity, replaceEntity } from './entity-merge.js';
import { writeAttributes } from './entity-ops.js';
import type { NgsiLdOptions } from './ngsi-ld-options.js';
import { parseOptions, requireEntityId } from './params.js';
import { nowIso, requestScope, requireAddressable } from './request-scope.js';
import { requestTenant } from './tenant.js';
import {
  BatchOperationResult,
  BatchRequestBody,
  consumes,
  problemResponses,
  tags,
} from './schemas.js';

/** One entity of a batch that failed before or during its write. */
interface BatchError {
  entityId: string;
  error: ProblemDetails;
}

/** Turns each item of a batch into a write (names in the item's @context); a bad item fails alone. */
type Prepare = (item: unknown, ctx: LdContext, now: string) => EntityWrite;

const notFound = (id: string) => new CityError('ResourceNotFound', `entity ${id} not found`);
const OptionsQuery = Type.Object({
  options: Type.Optional(
    Type.String({ description: 'replace|update (upsert), noOverwrite (update)' }),
  ),
});
type Query = Static<typeof OptionsQuery>;

function itemId(item: unknown): string {
  if (typeof item === 'string') return item;
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : '';
}

/** Runs a batch: reads every item, writes the readable ones in ONE store call. */
async function runBatch(
  request: FastifyRequest,
  options: NgsiLdOptions,
  create: boolean,
  prepare: Prepare,
) {
  const items = request.body;
  if (!Array.isArray(items) || items.length === 0)
    throw new CityError('BadRequestData', 'a batch body must be a non-empty JSON array');
  // A malformed tenant or @context fails the whole request; so does an unknown tenant, except
  // for creations, which make the tenant but only when there is something to write.
  requestTenant(request);
  await requestContext(request);
  const existing = create ? undefined : await requestScope(request, options, false);
  const now = nowIso();
  const errors: BatchError[] = [];
  const writes: EntityWrite[] = [];
  for (const item of items) {
    try {
      writes.push(prepare(item, await itemContext(request, item), now));
    } catch (err) {
      errors.push({ entityId: itemId(item), error: toProblem(toCityError(err)) });
    }
  }
  const scope =
    existing ?? (writes.length > 0 ? await requestScope(request, options, true) : undefined);
  const results = scope ? await scope.write(writes) : [];
  const success: string[] = [];
  const created: string[] = [];
  for (const r of results) {
    if (r.error) errors.push({ entityId: r.id, error: toProblem(r.error) });
    else {
      success.push(r.id);
      if (!r.before && r.after) created.push(r.id);
    }
  }
  return { success, errors, created };
}

/** 207 with a BatchOperationResult when some failed; otherwise `ok`. */
function answer(
  reply: FastifyReply,
  outcome: { success: string[]; errors: BatchError[] },
  ok: () => FastifyReply,
): FastifyReply {
  if (outcome.errors.length > 0)
    return reply.code(207).send({ success: outcome.success, errors: outcome.errors });
  return ok();
}

const withEntity =
  (id: string, fn: (current: Entity) => Entity | null | undefined): EntityMutation =>
  (current) => {
    if (!current) throw notFound(id);
    return fn(current);
  };

/** Batch operations (clauses 5.6.7–5.6.10, 5.6.20; HTTP binding 6.14–6.17, 6.31). */
export function batchRoutes(app: FastifyInstance, options: NgsiLdOptions): void {
  const route = (
    op: string,
    summary: string,
    description: string,
    handler: (
      request: FastifyRequest<{ Querystring: Query }>,
      reply: FastifyReply,
    ) => Promise<FastifyReply>,
  ) =>
    app.post<{ Querystring: Query }>(
      `/entityOperations/${op}`,
      {
        schema: {
          tags,
          summary,
          description,
          consumes,
          querystring: OptionsQuery,
          body: BatchRequestBody,
          response: {
            200: Type.Array(Type.String()),
            201: Type.Array(Type.String(), { description: 'Ids of the created entities' }),
            204: Type.Null({ description: 'Every entity written' }),
            207: BatchOperationResult,
            ...problemResponses,
          },
        },
      },
      handler,
    );

  const readNew = (item: unknown, ctx: LdContext): Entity => {
    const entity = readEntity(item, ctx);
    requireAddressable(app, entity.id);
    return entity;
  };

  route(
    'create',
    'Create entities',
    '201 with the ids when all were created; 207 otherwise.',
    async (request, reply) => {
      parseOptions(request.query.options, []);
      const outcome = await runBatch(request, options, true, (item, ctx, now) => {
        const entity = readNew(item, ctx);
        return {
          id: entity.id,
          mutate: (current) => {
            if (current) throw new CityError('AlreadyExists', `entity ${entity.id} already exists`);
            return stampNewEntity(entity, now);
          },
        };
      });
      return answer(reply, outcome, () => reply.code(201).send(outcome.success));
    },
  );

  route(
    'upsert',
    'Create or replace entities',
    'options=replace (default) replaces existing entities, options=update appends their attributes. 201 with the created ids when some were created, 204 when all existed; 207 on errors.',
    async (request, reply) => {
      const chosen = parseOptions(request.query.options, ['replace', 'update']);
      if (chosen.size > 1)
        throw new CityError('BadRequestData', 'options: replace or update, not both');
      const update = chosen.has('update');
      const outcome = await runBatch(request, options, true, (item, ctx, now) => {
        const entity = readNew(item, ctx);
        return {
          id: entity.id,
          mutate: (current) => {
            if (!current) return stampNewEntity(entity, now);
            if (!update) return replaceEntity(current, entity, now);
            const attrs = attributesOf(entity);
            return writeAttributes(current, attrs, { mode: 'append', now }).entity;
          },
        };
      });
      return answer(reply, outcome, () =>
        outcome.created.length > 0 ? reply.code(201).send(outcome.created) : reply.code(204).send(),
      );
    },
  );

  route(
    'update',
    'Update entities',
    'Appends the attributes of each (existing) entity; options=noOverwrite keeps existing ones. 204; 207 on errors.',
    async (request, reply) => {
      const noOverwrite = parseOptions(request.query.options, ['noOverwrite']).has('noOverwrite');
      const outcome = await runBatch(request, options, false, (item, ctx, now) => {
        const entity = readEntity(item, ctx);
        const { id } = entity;
        const attrs = attributesOf(entity);
        return {
          id,
          mutate: withEntity(id, (current) => {
            const result = writeAttributes(current, attrs, {
              mode: 'append',
              noOverwrite,
              now,
            });
            return result.updated.length > 0 ? result.entity : undefined;
          }),
        };
      });
      return answer(reply, outcome, () => reply.code(204).send());
    },
  );

  route(
    'delete',
    'Delete entities',
    'Body: entity ids. 204; 207 on errors.',
    async (request, reply) => {
      parseOptions(request.query.options, []);
      const outcome = await runBatch(request, options, false, (item) => {
        if (typeof item !== 'string')
          throw new CityError('BadRequestData', 'give entity ids as strings');
        const id = requireEntityId(item);
        return { id, mutate: withEntity(id, () => null) };
      });
      return answer(reply, outcome, () => reply.code(204).send());
    },
  );

  route(
    'merge',
    'Merge entities',
    'Merges each fragment into its existing entity (clause 5.6.20); the NGSI-LD Null deletes. 204; 207 on errors.',
    async (request, reply) => {
      parseOptions(request.query.options, []);
      const outcome = await runBatch(request, options, false, (item, ctx, now) => {
        const id = requireEntityId(itemId(item));
        const fragment = readFragment(item, ctx, id);
        return { id, mutate: withEntity(id, (current) => mergeEntity(current, fragment, now)) };
      });
      return answer(reply, outcome, () => reply.code(204).send());
    },
  );
}
