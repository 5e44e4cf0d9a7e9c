import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { CityError } from '../core/index.js';
import type { AttributeInfo, EntityQuery, Store, TypeInfo } from '../store/index.js';
import type { AccessView } from './access.js';
import type { LdContext } from './context/index.js';
import { sendNgsi } from './media-type.js';
import type { NgsiLdOptions } from './ngsi-ld-options.js';
import { requestScope } from './request-scope.js';
import { problemResponses, produces, tags } from './schemas.js';

const NGSI_LD_NS = 'https://uri.etsi.org/ngsi-ld/';
const DEFAULT_VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';
/** Canonical names that are core-context terms (their IRI is in the NGSI-LD namespace). */
const CORE_TERMS = new Set([
  'location',
  'observationSpace',
  'operationSpace',
  'name',
  'description',
]);

/** The IRI of a canonical name (clause 5.7.5 answers carry it as `id`). */
export function canonicalIri(name: string): string {
  if (name.includes(':')) return name;
  return (CORE_TERMS.has(name) ? NGSI_LD_NS : DEFAULT_VOCAB) + name;
}

/** A URI that is the same whenever the list is: clients may cache on it. */
function listId(kind: string, names: readonly string[]): string {
  const digest = createHash('sha256').update(names.join('\n')).digest('hex').slice(0, 16);
  return `urn:ngsi-ld:${kind}:${digest}`;
}

const DetailsQuery = Type.Object({
  details: Type.Optional(Type.Boolean({ description: 'true: full descriptions, not just names' })),
});
const TypeParams = Type.Object({ type: Type.String({ description: 'Entity type (a term)' }) });
const AttrParams = Type.Object({ attrId: Type.String({ description: 'Attribute (a term)' }) });
const Doc = (description: string) => ({ description });

function attributeBody(info: AttributeInfo, ctx: LdContext): Record<string, unknown> {
  return {
    id: canonicalIri(info.name),
    type: 'Attribute',
    attributeName: ctx.compact(info.name),
    attributeCount: info.attributeCount,
    attributeTypes: info.attributeTypes,
    typeNames: info.typeNames.map((t) => ctx.compact(t)),
  };
}

/** The types the caller may read, with only the attributes it may see. */
function visibleTypes(infos: readonly TypeInfo[], access: AccessView): TypeInfo[] {
  if (access.unrestricted) return [...infos];
  return infos.flatMap((t) => {
    const seen = access.typeVisibility(t.type);
    if (!seen) return [];
    const granted = seen.attributes;
    return granted
      ? [{ ...t, attributeNames: t.attributeNames.filter((a) => granted.has(a)) }]
      : [t];
  });
}

/** How many entities of a selection the caller may read (counted by the store, filters applied). */
async function visibleCount(
  store: Store,
  access: AccessView,
  selection: Partial<EntityQuery>,
): Promise<number> {
  const query = access.restrict({ ...selection, limit: 0, offset: 0, count: true });
  return (await store.entities.query(query)).count ?? 0;
}

/**
 * The attributes the caller may see, of the types it may read: counted again (entities with the
 * attribute) where a row filter hides some of them.
 */
async function visibleAttributes(store: Store, access: AccessView): Promise<AttributeInfo[]> {
  const infos = await store.entities.attributeInfo();
  if (access.unrestricted) return infos;
  const out: AttributeInfo[] = [];
  for (const info of infos) {
    let filtered = false;
    const typeNames = info.typeNames.filter((t) => {
      const seen = access.typeVisibility(t);
      if (!seen || (seen.attributes && !seen.attributes.has(info.name))) return false;
      filtered ||= seen.filtered || seen.attributes !== undefined;
      return true;
    });
    if (typeNames.length === 0) continue;
    const attributeCount =
      filtered || typeNames.length < info.typeNames.length
        ? await visibleCount(store, access, {
            types: { kind: 'or', terms: typeNames.map((name) => ({ kind: 'type', name })) },
            attrs: [info.name],
          })
        : info.attributeCount;
    out.push({ ...info, typeNames, attributeCount });
  }
  return out;
}

/** Discovery of types and attributes (clauses 5.7.5–5.7.8; HTTP binding 6.25–6.28). */
export function discoveryRoutes(app: FastifyInstance, options: NgsiLdOptions): void {
  app.get<{ Querystring: Static<typeof DetailsQuery> }>(
    '/types',
    {
      schema: {
        tags,
        summary: 'List the entity types present',
        description:
          'An EntityTypeList (names in the request @context), or with details=true a list of EntityType with their attribute names.',
        produces,
        querystring: DetailsQuery,
        response: { 200: Doc('EntityTypeList or EntityType[]'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { store, ctx, access } = await requestScope(request, options, false);
      const infos = visibleTypes(await store.entities.typeInfo(), access);
      if (request.query.details === true)
        return sendNgsi(
          request,
          reply,
          infos.map((t) => ({
            id: canonicalIri(t.type),
            type: 'EntityType',
            typeName: ctx.compact(t.type),
            attributeNames: t.attributeNames.map((a) => ctx.compact(a)),
          })),
          ctx,
        );
      const typeList = infos.map((t) => ctx.compact(t.type));
      const body = { id: listId('EntityTypeList', typeList), type: 'EntityTypeList', typeList };
      return sendNgsi(request, reply, body, ctx);
    },
  );

  app.get<{ Params: Static<typeof TypeParams> }>(
    '/types/:type',
    {
      schema: {
        tags,
        summary: 'Describe an entity type',
        description:
          'EntityTypeInfo: entity count and attribute details. 404 when no entity has it.',
        produces,
        params: TypeParams,
        response: { 200: Doc('EntityTypeInfo'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { store, ctx, access } = await requestScope(request, options, false);
      const name = ctx.expand(request.params.type);
      const info = visibleTypes(await store.entities.typeInfo(), access).find(
        (t) => t.type === name,
      );
      if (!info)
        throw new CityError('ResourceNotFound', `no entity has type ${request.params.type}`);
      const attributes = new Map((await store.entities.attributeInfo()).map((a) => [a.name, a]));
      return sendNgsi(
        request,
        reply,
        {
          id: canonicalIri(info.type),
          type: 'EntityTypeInfo',
          typeName: ctx.compact(info.type),
          entityCount: access.typeVisibility(info.type)?.filtered
            ? await visibleCount(store, access, { types: { kind: 'type', name: info.type } })
            : info.entityCount,
          attributeDetails: info.attributeNames.map((a) => ({
            id: canonicalIri(a),
            type: 'Attribute',
            attributeName: ctx.compact(a),
            attributeTypes: attributes.get(a)?.attributeTypes ?? [],
          })),
        },
        ctx,
      );
    },
  );

  app.get<{ Querystring: Static<typeof DetailsQuery> }>(
    '/attributes',
    {
      schema: {
        tags,
        summary: 'List the attributes present',
        description: 'An AttributeList, or with details=true a list of Attribute descriptions.',
        produces,
        querystring: DetailsQuery,
        response: { 200: Doc('AttributeList or Attribute[]'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { store, ctx, access } = await requestScope(request, options, false);
      const infos = await visibleAttributes(store, access);
      if (request.query.details === true)
        return sendNgsi(
          request,
          reply,
          infos.map((a) => attributeBody(a, ctx)),
          ctx,
        );
      const attributeList = infos.map((a) => ctx.compact(a.name));
      const body = {
        id: listId('AttributeList', attributeList),
        type: 'AttributeList',
        attributeList,
      };
      return sendNgsi(request, reply, body, ctx);
    },
  );

  app.get<{ Params: Static<typeof AttrParams> }>(
    '/attributes/:attrId',
    {
      schema: {
        tags,
        summary: 'Describe an attribute',
        description: 'Attribute: count, attribute types, entity types. 404 when no entity has it.',
        produces,
        params: AttrParams,
        response: { 200: Doc('Attribute'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { store, ctx, access } = await requestScope(request, options, false);
      const name = ctx.expand(request.params.attrId);
      const info = (await visibleAttributes(store, access)).find((a) => a.name === name);
      if (!info)
        throw new CityError('ResourceNotFound', `no entity has attribute ${request.params.attrId}`);
      return sendNgsi(request, reply, attributeBody(info, ctx), ctx);
    },
  );
}
