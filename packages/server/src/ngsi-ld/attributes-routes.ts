import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { CityError, parseAttributes, type Attribute } from '../core/index.js';
import { publishEntityChange } from './entity-events.js';
import type { NgsiLdOptions } from './ngsi-ld-options.js';
import { requireEntityId, splitList } from './params.js';
import {
  AttributesRequestBody,
  consumes,
  EntityIdParams,
  problemResponses,
  tags,
} from './schemas.js';

/** UpdateResult (GS CIM 009 clause 5.2.18): which attributes were written and which not, why. */
const UpdateResult = Type.Object(
  {
    updated: Type.Array(Type.String()),
    notUpdated: Type.Array(Type.Object({ attributeName: Type.String(), reason: Type.String() })),
  },
  { description: 'Some attributes were not written' },
);

const AppendQuery = Type.Object({
  options: Type.Optional(
    Type.String({ description: 'noOverwrite: keep attributes that already exist' }),
  ),
});

type Params = Static<typeof EntityIdParams>;

function requireSomeAttributes(body: unknown): Record<string, Attribute> {
  const attrs = parseAttributes(body);
  if (Object.keys(attrs).length === 0)
    throw new CityError('BadRequestData', 'the body names no attributes');
  return attrs;
}

/** PATCH and POST /entities/{id}/attrs: update existing attributes, append new ones (5.6.2, 5.6.3). */
export function attributesRoutes(app: FastifyInstance, { store, bus }: NgsiLdOptions): void {
  // Writes the attributes `skip` lets through; returns an UpdateResult when it refused some.
  const write = async (
    id: string,
    attrs: Record<string, Attribute>,
    skip: (exists: boolean) => string | undefined,
  ) => {
    const current = await store.entities.get(id);
    if (!current) throw new CityError('ResourceNotFound', `entity ${id} not found`);
    const chosen: Record<string, Attribute> = {};
    const notUpdated: { attributeName: string; reason: string }[] = [];
    for (const [name, attr] of Object.entries(attrs)) {
      const reason = skip(Object.hasOwn(current, name));
      if (reason === undefined) chosen[name] = attr;
      else notUpdated.push({ attributeName: name, reason });
    }
    const updated = Object.keys(chosen);
    if (updated.length > 0)
      await publishEntityChange(bus, 'updated', await store.entities.mergeAttributes(id, chosen));
    return notUpdated.length === 0 ? undefined : { updated, notUpdated };
  };

  app.patch<{ Params: Params }>(
    '/entities/:id/attrs',
    {
      schema: {
        tags,
        summary: 'Update attributes of an entity',
        description:
          'Replaces the named attributes that the entity already has. 204 when all were updated; 207 with an UpdateResult naming those the entity does not have (append them with POST .../attrs).',
        consumes,
        params: EntityIdParams,
        body: AttributesRequestBody,
        response: {
          204: Type.Null({ description: 'All attributes updated' }),
          207: UpdateResult,
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      const attrs = requireSomeAttributes(request.body);
      const result = await write(id, attrs, (existing) =>
        existing ? undefined : 'the entity has no such attribute; append it with POST',
      );
      return result ? reply.code(207).send(result) : reply.code(204).send();
    },
  );

  app.post<{ Params: Params; Querystring: Static<typeof AppendQuery> }>(
    '/entities/:id/attrs',
    {
      schema: {
        tags,
        summary: 'Append attributes to an entity',
        description:
          'Adds the attributes, replacing existing ones unless options=noOverwrite. 204, or 207 with an UpdateResult naming those kept.',
        consumes,
        params: EntityIdParams,
        querystring: AppendQuery,
        body: AttributesRequestBody,
        response: {
          204: Type.Null({ description: 'All attributes written' }),
          207: UpdateResult,
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const id = requireEntityId(request.params.id);
      const options = splitList(request.query.options) ?? [];
      const unknown = options.find((o) => o !== 'noOverwrite');
      if (unknown !== undefined)
        throw new CityError('BadRequestData', `options=${unknown} is not supported here`);
      const attrs = requireSomeAttributes(request.body);
      const keep = options.includes('noOverwrite');
      const result = await write(id, attrs, (existing) =>
        keep && existing ? 'the attribute exists and options=noOverwrite' : undefined,
      );
      return result ? reply.code(207).send(result) : reply.code(204).send();
    },
  );
}
