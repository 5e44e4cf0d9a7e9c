import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { toKeyValues, toProblem } from '../../core/index.js';
import {
  ALERT_ACTIONS,
  MAX_BULK,
  viewAlert,
  type AlertAction,
  type AlertService,
} from '../../brain/alerts/index.js';
import type { Actor } from '../../brain/command/index.js';
import { principalOf } from './auth.js';
import { AUDIT_LOOKUP, auditedAlert, type CommandReadAudit } from './command-audit.js';

/** The actor of a request: its principal as command and dispatch see it. */
export function actorOf(request: FastifyRequest): Actor {
  const p = principalOf(request);
  return {
    subject: p.subject,
    ...(p.organisation !== undefined && { organisation: p.organisation }),
    roles: p.roles,
    operator: p.kind === 'operator',
  };
}

/** A path parameter `id`. */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 500 }) });

/** Lets an action without options be posted without a body: it then has an empty one. */
export function emptyBodyIsObject(
  request: FastifyRequest,
  _reply: unknown,
  done: () => void,
): void {
  request.body ??= {};
  done();
}

/** Splits `a,b` query values. */
export const listParam = (v: string | undefined): string[] | undefined =>
  v === undefined ? undefined : v.split(',').filter((s) => s.length > 0);

const ListQuery = Type.Object({
  status: Type.Optional(Type.String({ description: 'one or more statuses, comma-separated' })),
  severity: Type.Optional(Type.String({ description: 'one or more severities, comma-separated' })),
  category: Type.Optional(Type.String()),
  area: Type.Optional(Type.String({ description: 'areaServed, refDistrict or refCommunity' })),
  responsible: Type.Optional(Type.String({ description: 'the responsible organisation' })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});
type ListQuery = {
  status?: string;
  severity?: string;
  category?: string;
  area?: string;
  responsible?: string;
  limit: number;
  offset: number;
};

const ActionBody = Type.Object(
  {
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    assignee: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'assign: the organisation' }),
    ),
  },
  { additionalProperties: false },
);
type ActionBody = { note?: string; assignee?: string };

const BulkBody = Type.Object(
  {
    action: Type.Union(ALERT_ACTIONS.map((a) => Type.Literal(a))),
    ids: Type.Array(Type.String({ minLength: 1, maxLength: 500 }), {
      minItems: 1,
      maxItems: MAX_BULK,
    }),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    assignee: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

const CommentBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 4000 }) },
  { additionalProperties: false },
);

/** What the alert routes need. */
export interface AlertRoutesOptions {
  alerts: AlertService;
  /** Where reads are recorded (the audit chain). */
  audit: CommandReadAudit;
}

/**
 * `/api/v1/alerts…`: the alerts a caller sees (keyValues, newest first, as the cockpit reads
 * them), one alert, its history and comments, and its lifecycle actions, one or many at once.
 * Every read is recorded in the audit chain before it is answered.
 */
export function installAlertRoutes(app: FastifyInstance, options: AlertRoutesOptions): void {
  const { alerts, audit } = options;
  const tags = ['Alerts'];
  /** One alert the caller sees, the read (or its 404) recorded as `action`. */
  const readAlert = (request: FastifyRequest<{ Params: { id: string } }>, action: string) => {
    const { id } = request.params;
    return audit.byId(request, action, id, {
      read: () => alerts.get(id, actorOf(request)),
      audited: auditedAlert,
      hidden: () => alerts.get(id, AUDIT_LOOKUP),
    });
  };

  app.get<{ Querystring: ListQuery }>(
    '/api/v1/alerts',
    {
      schema: {
        tags,
        summary: 'Alerts the caller sees, newest first (keyValues); X-Total-Count has the total',
        querystring: ListQuery,
      },
    },
    async (request, reply) => {
      const { status, severity, category, area, responsible, limit, offset } = request.query;
      const found = await alerts.find(
        {
          ...(status !== undefined && { status: listParam(status) }),
          ...(severity !== undefined && { severity: listParam(severity) }),
          ...(category !== undefined && { category }),
          ...(area !== undefined && { area }),
          ...(responsible !== undefined && { responsible }),
        },
        actorOf(request),
      );
      const shown = found.slice(offset, offset + limit);
      await audit.listed(request, 'alert', shown.map(auditedAlert));
      void reply.header('X-Total-Count', String(found.length));
      return shown.map(toKeyValues);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/alerts/:id',
    { schema: { tags, summary: 'One alert (keyValues)', params: IdParams } },
    async (request) => toKeyValues(await readAlert(request, 'alert.read')),
  );
  app.get<{ Params: { id: string } }>(
    '/api/v1/alerts/:id/history',
    { schema: { tags, summary: 'Who did what to an alert, and when', params: IdParams } },
    async (request) => viewAlert(await readAlert(request, 'alert.history')).history,
  );

  for (const action of ALERT_ACTIONS)
    app.post<{ Params: { id: string }; Body: ActionBody | undefined }>(
      `/api/v1/alerts/:id/${action}`,
      {
        preValidation: emptyBodyIsObject,
        schema: {
          tags,
          summary: `${action[0]!.toUpperCase()}${action.slice(1)} an alert`,
          params: IdParams,
          body: ActionBody,
        },
      },
      async (request) =>
        toKeyValues(
          await alerts.act(request.params.id, {
            action,
            actor: actorOf(request),
            ...request.body,
          }),
        ),
    );

  app.post<{ Body: { action: AlertAction; ids: string[]; note?: string; assignee?: string } }>(
    '/api/v1/alerts/bulk',
    {
      schema: {
        tags,
        summary: 'One action on many alerts; each id is reported ok or with its problem',
        body: BulkBody,
      },
    },
    async (request) => {
      const { ids, ...rest } = request.body;
      const results = await alerts.bulk(ids, { ...rest, actor: actorOf(request) });
      return {
        results: results.map((r) =>
          r.ok
            ? { id: r.id, ok: true, status: viewAlert(r.alert).status }
            : { id: r.id, ok: false, problem: toProblem(r.error) },
        ),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/alerts/:id/comments',
    { schema: { tags, summary: 'Comments on an alert, oldest first', params: IdParams } },
    async (request) => viewAlert(await readAlert(request, 'alert.comments')).comments,
  );
  app.post<{ Params: { id: string }; Body: { text: string } }>(
    '/api/v1/alerts/:id/comments',
    { schema: { tags, summary: 'Comment on an alert', params: IdParams, body: CommentBody } },
    async (request, reply) =>
      reply
        .code(201)
        .send(await alerts.comment(request.params.id, actorOf(request), request.body.text)),
  );
}
