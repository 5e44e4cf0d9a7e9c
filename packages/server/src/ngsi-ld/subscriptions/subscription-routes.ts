import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { CityError, isDateTime } from '../../core/index.js';
import { requestContext, type LdContext } from '../context/index.js';
import { negotiateMediaType } from '../media-type.js';
import type { NgsiLdOptions } from '../ngsi-ld-options.js';
import { problemResponses, tags } from '../schemas.js';
import { requestTenant, tenantStore } from '../tenant.js';
import { parseSubscription } from './parse-subscription.js';
import { mergeFragment, renderSubscription } from './render-subscription.js';
import { SUBSCRIPTIONS } from './status-recorder.js';
import type { StoredSubscription } from './subscription.js';
import type { SubscriptionService } from './subscription-service.js';

/** Page size of GET /subscriptions when the client gives no limit, and the largest allowed. */
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;

const IdParams = Type.Object({ id: Type.String({ description: 'Subscription id (a URI)' }) });
const ListQuery = Type.Object({
  limit: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: `Page size, default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT}`,
    }),
  ),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
  count: Type.Optional(Type.Boolean({ description: 'true: the total is in NGSILD-Results-Count' })),
  options: Type.Optional(Type.String({ description: 'sysAttrs adds createdAt and modifiedAt' })),
});
const RetrieveQuery = Type.Object({ options: ListQuery.properties.options });
const SubscriptionBody = {
  description:
    'An NGSI-LD Subscription (GS CIM 009 clause 5.2.12): {type: "Subscription", entities | watchedAttributes, q, geoQ, scopeQ, notification: {endpoint: {uri}}, …}',
  examples: [
    {
      type: 'Subscription',
      entities: [{ type: 'AirQualityObserved' }],
      watchedAttributes: ['no2'],
      q: 'no2>40',
      notification: { format: 'keyValues', endpoint: { uri: 'http://example.org/notify' } },
    },
  ],
};
const Subscription = Type.Object(
  { id: Type.String(), type: Type.Literal('Subscription') },
  { additionalProperties: true },
);

/** The options of subscriptionRoutes: the plugin's, plus the service that notifies. */
export type SubscriptionRoutesOptions = NgsiLdOptions & { notifier: SubscriptionService };

function send(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: LdContext,
  body: unknown,
): FastifyReply {
  if (negotiateMediaType(request.headers.accept) === 'application/json')
    return reply.type('application/json').header('Link', ctx.linkHeader).send(body);
  const withContext = (o: unknown): unknown => ({
    ...(o as object),
    '@context': ctx.responseContext,
  });
  return reply
    .type('application/ld+json')
    .send(Array.isArray(body) ? body.map(withContext) : withContext(body));
}

const sysAttrs = (options: string | undefined): boolean =>
  (options ?? '').split(',').includes('sysAttrs');

/** POST/GET /subscriptions, GET/PATCH/DELETE /subscriptions/{id} (clauses 5.8, 6.10, 6.11). */
export function subscriptionRoutes(app: FastifyInstance, options: SubscriptionRoutesOptions): void {
  const { tenants, notifier } = options;
  if (app.ngsiLdContextResolver) notifier.useContextResolver(app.ngsiLdContextResolver);
  const withLiveStatus = (
    tenant: string | undefined,
    doc: StoredSubscription,
  ): StoredSubscription => {
    const live = notifier.notificationStatus({ tenant, id: doc.id });
    return live ? { ...doc, notification: { ...doc.notification, ...live } } : doc;
  };
  /** A subscription is its owner's organisation's (the operator's when it has no owner). */
  const mine = async (request: FastifyRequest): Promise<(doc: StoredSubscription) => boolean> => {
    // The policy first: a tenant the caller may not use does not exist for it.
    await options.access?.open(request, requestTenant(request));
    const caller = options.access?.ownerOf(request);
    if (!caller || caller.kind === 'operator') return () => true;
    return (doc) =>
      doc.owner !== undefined &&
      doc.owner.kind !== 'operator' &&
      (doc.owner.organisation ?? doc.owner.subject) === (caller.organisation ?? caller.subject);
  };
  const find = async (request: FastifyRequest, id: string, create: boolean) => {
    const visible = await mine(request);
    const store = await tenantStore(request, tenants, create);
    const subscriptions = store.collection<StoredSubscription>(SUBSCRIPTIONS);
    const doc = await subscriptions.get(id);
    if (!doc || !visible(doc))
      throw new CityError('ResourceNotFound', `subscription ${id} not found`);
    return { subscriptions, doc: withLiveStatus(requestTenant(request), doc) };
  };

  app.post(
    '/subscriptions',
    {
      schema: {
        tags,
        summary: 'Create a subscription',
        description:
          '201 with Location; 409 AlreadyExists when the id is taken; 400 BadRequestData when invalid.',
        body: SubscriptionBody,
        response: { 201: Type.Null({ description: 'Created' }), ...problemResponses },
      },
    },
    async (request, reply) => {
      await options.access?.open(request, requestTenant(request));
      const ctx = await requestContext(request);
      const owner = options.access?.ownerOf(request);
      const sub: StoredSubscription = {
        ...parseSubscription(request.body, { ctx, now: new Date() }),
        ...(owner && { owner }),
      };
      const segment = encodeURIComponent(sub.id).replace(/%3A/gi, ':');
      const maxLength = app.initialConfig.routerOptions?.maxParamLength ?? 100;
      // A subscription the router cannot address could never be read, patched or deleted.
      if (segment.length > maxLength)
        throw new CityError(
          'BadRequestData',
          `subscription id is ${segment.length} characters long in a URL; ids of up to ${maxLength} are addressable`,
        );
      const store = await tenantStore(request, tenants, true);
      const subscriptions = store.collection<StoredSubscription>(SUBSCRIPTIONS);
      if (await subscriptions.get(sub.id))
        throw new CityError('AlreadyExists', `subscription ${sub.id} already exists`);
      await subscriptions.put(sub.id, sub);
      await notifier.subscriptionChanged({ tenant: requestTenant(request), id: sub.id }, sub, ctx);
      return reply.code(201).header('Location', `${app.prefix}/subscriptions/${segment}`).send();
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/subscriptions',
    {
      schema: {
        tags,
        summary: 'List subscriptions',
        querystring: ListQuery,
        response: { 200: Type.Array(Subscription), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { limit = DEFAULT_LIMIT, offset = 0, count } = request.query;
      if (limit > MAX_LIMIT)
        throw new CityError(
          'TooManyResults',
          `limit ${limit} is above the maximum page size ${MAX_LIMIT}`,
        );
      if (limit === 0 && count !== true)
        throw new CityError('BadRequestData', 'limit=0 is only allowed with count=true');
      const ctx = await requestContext(request);
      const tenant = requestTenant(request);
      const visible = await mine(request);
      const store = await tenantStore(request, tenants, false);
      const all = (await store.collection<StoredSubscription>(SUBSCRIPTIONS).list())
        .map(({ doc }) => doc)
        .filter(visible)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
      if (count === true) void reply.header('NGSILD-Results-Count', String(all.length));
      const now = Date.now();
      const page = all.slice(offset, offset + limit).map((doc) =>
        renderSubscription(withLiveStatus(tenant, doc), {
          ctx,
          now,
          sysAttrs: sysAttrs(request.query.options),
        }),
      );
      return send(request, reply, ctx, page);
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof RetrieveQuery> }>(
    '/subscriptions/:id',
    {
      schema: {
        tags,
        summary: 'Retrieve a subscription',
        params: IdParams,
        querystring: RetrieveQuery,
        response: { 200: Subscription, ...problemResponses },
      },
    },
    async (request, reply) => {
      const ctx = await requestContext(request);
      const { doc } = await find(request, request.params.id, false);
      const body = renderSubscription(doc, {
        ctx,
        now: Date.now(),
        sysAttrs: sysAttrs(request.query.options),
      });
      return send(request, reply, ctx, body);
    },
  );

  app.patch<{ Params: Static<typeof IdParams> }>(
    '/subscriptions/:id',
    {
      schema: {
        tags,
        summary: 'Update a subscription',
        description:
          'Merges a fragment: members given replace those held (notification member by member); null removes.',
        params: IdParams,
        body: SubscriptionBody,
        response: { 204: Type.Null({ description: 'Updated' }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const fragment = request.body;
      if (typeof fragment !== 'object' || fragment === null || Array.isArray(fragment))
        throw new CityError(
          'BadRequestData',
          'the body must be a JSON object (a subscription fragment)',
        );
      const patch = fragment as Record<string, unknown>;
      if (patch.id !== undefined && patch.id !== request.params.id)
        throw new CityError('BadRequestData', 'the id of a subscription cannot change');
      if (isDateTime(patch.expiresAt) && Date.parse(patch.expiresAt) <= Date.now())
        throw new CityError('BadRequestData', 'expiresAt must be in the future');
      const ctx = await requestContext(request);
      const { subscriptions, doc } = await find(request, request.params.id, false);
      const view = renderSubscription(doc, { ctx, now: Date.now() });
      const merged = { ...mergeFragment(view, patch), type: patch.type ?? 'Subscription' };
      const sub: StoredSubscription = {
        ...parseSubscription(merged, { ctx, now: new Date(), existing: doc }),
        ...(doc.owner && { owner: doc.owner }),
      };
      await subscriptions.put(sub.id, sub);
      // Notifications keep the context the subscription was created with (held by the service).
      await notifier.subscriptionChanged({ tenant: requestTenant(request), id: sub.id }, sub);
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/subscriptions/:id',
    {
      schema: {
        tags,
        summary: 'Delete a subscription',
        params: IdParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses },
      },
    },
    async (request, reply) => {
      await find(request, request.params.id, false);
      const store = await tenantStore(request, tenants, false);
      if (!(await store.collection(SUBSCRIPTIONS).delete(request.params.id)))
        throw new CityError('ResourceNotFound', `subscription ${request.params.id} not found`);
      await notifier.subscriptionChanged(
        { tenant: requestTenant(request), id: request.params.id },
        undefined,
      );
      return reply.code(204).send();
    },
  );
}
