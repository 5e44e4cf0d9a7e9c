import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  TargetInputSchema,
  TargetPatchSchema,
  viewOf,
  type NotificationService,
  type TargetInput,
  type TargetPatch,
} from '../../brain/notify/index.js';
import { principalOf } from './auth.js';

const IdParams = Type.Object({ id: Type.String() });
const ListQuery = Type.Object({ organisation: Type.Optional(Type.String()) });
const DeadLetterQuery = Type.Object({
  target: Type.Optional(Type.String()),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});
const CHANNELS = '/api/v1/notification-channels';
const DEAD_LETTERS = '/api/v1/notifications/dead-letters';

/**
 * `/api/v1/notification-channels` (an organisation's webhook, e-mail and MQTT targets, their
 * tests and delivery logs) and `/api/v1/notifications/dead-letters`. Members see their
 * organisation's; its admins and owners change them; the operator sees and changes all.
 * Webhook secrets are shown once, in the answer that creates the target; afterwards only
 * their fingerprint.
 */
export function notifyRoutes(
  app: FastifyInstance,
  options: { notifications: NotificationService },
): void {
  const { notifications } = options;
  const tags = ['notifications'];

  app.get<{ Querystring: { organisation?: string } }>(
    CHANNELS,
    {
      schema: {
        tags,
        summary: 'The notification channels the caller may see',
        querystring: ListQuery,
      },
    },
    async (request) =>
      (await notifications.targets.list(principalOf(request), request.query.organisation)).map(
        viewOf,
      ),
  );
  app.post<{ Body: TargetInput }>(
    CHANNELS,
    {
      schema: {
        tags,
        summary: 'Create a notification channel (webhook, email, mqtt)',
        body: TargetInputSchema,
      },
    },
    async (request, reply) => {
      const target = await notifications.create(principalOf(request), request.body);
      const shown = {
        ...viewOf(target),
        ...(target.kind === 'webhook' && { secret: target.secret }),
      };
      return reply.code(201).header('Location', `${CHANNELS}/${target.id}`).send(shown);
    },
  );
  app.get<{ Params: { id: string } }>(
    `${CHANNELS}/:id`,
    { schema: { tags, summary: 'One notification channel', params: IdParams } },
    async (request) =>
      viewOf(await notifications.targets.get(principalOf(request), request.params.id)),
  );
  app.patch<{ Params: { id: string }; Body: TargetPatch }>(
    `${CHANNELS}/:id`,
    {
      schema: {
        tags,
        summary: 'Change a notification channel (null clears minSeverity or topic)',
        params: IdParams,
        body: TargetPatchSchema,
      },
    },
    async (request) =>
      viewOf(
        await notifications.targets.update(principalOf(request), request.params.id, request.body),
      ),
  );
  app.delete<{ Params: { id: string } }>(
    `${CHANNELS}/:id`,
    { schema: { tags, summary: 'Delete a notification channel', params: IdParams } },
    async (request, reply) => {
      await notifications.remove(principalOf(request), request.params.id);
      return reply.code(204).send();
    },
  );
  app.post<{ Params: { id: string } }>(
    `${CHANNELS}/:id/test`,
    {
      schema: { tags, summary: 'Send a test message now and answer the outcome', params: IdParams },
    },
    async (request) => notifications.test(principalOf(request), request.params.id),
  );
  app.get<{ Params: { id: string } }>(
    `${CHANNELS}/:id/deliveries`,
    { schema: { tags, summary: "The channel's last deliveries, newest first", params: IdParams } },
    async (request) => notifications.deliveries(principalOf(request), request.params.id),
  );

  app.get<{ Querystring: { target?: string; limit: number; offset: number } }>(
    DEAD_LETTERS,
    {
      schema: {
        tags,
        summary: 'Deliveries given up on, newest first',
        querystring: DeadLetterQuery,
      },
    },
    async (request) => {
      const { target, limit, offset } = request.query;
      return notifications.deadLetters(principalOf(request), {
        ...(target !== undefined && { targetId: target }),
        limit,
        offset,
      });
    },
  );
  app.post<{ Params: { id: string } }>(
    `${DEAD_LETTERS}/:id/retry`,
    { schema: { tags, summary: 'Queue a dead letter again (same delivery id)', params: IdParams } },
    async (request, reply) =>
      reply.code(202).send(await notifications.retry(principalOf(request), request.params.id)),
  );
  app.delete<{ Params: { id: string } }>(
    `${DEAD_LETTERS}/:id`,
    { schema: { tags, summary: 'Discard a dead letter', params: IdParams } },
    async (request, reply) => {
      await notifications.discard(principalOf(request), request.params.id);
      return reply.code(204).send();
    },
  );
}
