import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { CityError } from '../../core/index.js';
import {
  DispatchTaskSchema,
  IncidentPatchSchema,
  PhotoUploadSchema,
  ResponsibilitySchema,
  TaskCompleteSchema,
  TaskNoteSchema,
  TaskProgressSchema,
  TaskRejectSchema,
  type CommandServices,
  type DispatchTask,
  type IncidentPatch,
  type PhotoUpload,
  type Responsibility,
  type Task,
  type TaskAction,
} from '../../brain/command/index.js';
import { actorOf, emptyBodyIsObject, IdParams, installAlertRoutes } from './alert-routes.js';
import {
  AUDIT_LOOKUP,
  auditedIncident,
  auditedTask,
  CommandReadAudit,
  type AuditSink,
} from './command-audit.js';

/** What the command and dispatch routes need. */
export interface CommandRoutesOptions {
  command: CommandServices;
  /** Where reads of alerts, incidents and tasks are recorded: the node's audit chain. */
  audit: AuditSink;
}

/** What each group of routes is given. */
interface RouteDeps {
  command: CommandServices;
  audit: CommandReadAudit;
}

const Paging = {
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
};
type Paging = { limit: number; offset: number };

/** A page of a list, with the total in X-Total-Count. */
function page<T>(items: T[], query: Paging, reply: { header(k: string, v: string): unknown }): T[] {
  reply.header('X-Total-Count', String(items.length));
  return items.slice(query.offset, query.offset + query.limit);
}

/** `/api/v1/incidents…`: list, one, change status/title/commander, merge alerts, dispatch. */
function incidentRoutes(app: FastifyInstance, { command, audit }: RouteDeps): void {
  const tags = ['Incidents'];
  const ListQuery = Type.Object({
    status: Type.Optional(Type.String()),
    category: Type.Optional(Type.String()),
    area: Type.Optional(Type.String()),
    ...Paging,
  });
  app.get<{ Querystring: Paging & { status?: string; category?: string; area?: string } }>(
    '/api/v1/incidents',
    {
      schema: { tags, summary: 'Incidents the caller sees, newest first', querystring: ListQuery },
    },
    async (request, reply) => {
      const { status, category, area } = request.query;
      const filter = { status, category, area };
      const shown = page(
        await command.incidents.list(filter, actorOf(request)),
        request.query,
        reply,
      );
      await audit.listed(request, 'incident', shown.map(auditedIncident));
      return shown;
    },
  );
  app.get<{ Params: { id: string } }>(
    '/api/v1/incidents/:id',
    { schema: { tags, summary: 'One incident', params: IdParams } },
    async (request) => {
      const { id } = request.params;
      return audit.byId(request, 'incident.read', id, {
        read: () => command.incidents.get(id, actorOf(request)),
        audited: auditedIncident,
        hidden: () => command.incidents.get(id, AUDIT_LOOKUP),
      });
    },
  );
  app.patch<{ Params: { id: string }; Body: IncidentPatch }>(
    '/api/v1/incidents/:id',
    {
      schema: {
        tags,
        summary: "Change an incident's status (open → resolved → closed), title or commander",
        params: IdParams,
        body: IncidentPatchSchema,
      },
    },
    async (request) => command.incidents.patch(request.params.id, request.body, actorOf(request)),
  );
  app.post<{ Params: { id: string }; Body: { alerts: string[] } }>(
    '/api/v1/incidents/:id/alerts',
    {
      schema: {
        tags,
        summary: 'Merge alerts into the incident (out of their former incidents)',
        params: IdParams,
        body: Type.Object(
          { alerts: Type.Array(Type.String({ maxLength: 500 }), { minItems: 1, maxItems: 500 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) =>
      command.incidents.merge(request.params.id, request.body.alerts, actorOf(request)),
  );
}

/** A photo read: its task (for the audit's owner) and, when the caller sees it, the image. */
interface PhotoRead {
  task: Task;
  image?: { contentType: string; bytes: Buffer };
}

const TASK_ACTIONS = [
  ['accept', TaskNoteSchema],
  ['progress', TaskProgressSchema],
  ['complete', TaskCompleteSchema],
  ['reject', TaskRejectSchema],
  ['cancel', TaskNoteSchema],
] as const;

/** The service's action of a route's body. */
function taskAction(action: TaskAction['action'], body: Record<string, unknown>): TaskAction {
  return { ...body, action } as TaskAction;
}

/** `/api/v1/tasks…`: dispatch, list, one, lifecycle actions, report photos. */
function taskRoutes(app: FastifyInstance, { command, audit }: RouteDeps): void {
  const tags = ['Tasks'];
  app.post<{ Body: DispatchTask }>(
    '/api/v1/tasks',
    {
      schema: {
        tags,
        summary: 'Dispatch a task from an incident or an alert to an organisation',
        body: DispatchTaskSchema,
      },
    },
    async (request, reply) => {
      const task = await command.tasks.dispatch(request.body, actorOf(request));
      return reply.code(201).header('Location', `/api/v1/tasks/${task.id}`).send(task);
    },
  );
  const ListQuery = Type.Object({
    status: Type.Optional(Type.String()),
    assignee: Type.Optional(Type.String()),
    incident: Type.Optional(Type.String()),
    overdue: Type.Optional(Type.Boolean()),
    ...Paging,
  });
  app.get<{
    Querystring: Paging & {
      status?: string;
      assignee?: string;
      incident?: string;
      overdue?: boolean;
    };
  }>(
    '/api/v1/tasks',
    {
      schema: { tags, summary: 'Tasks the caller sees, soonest due first', querystring: ListQuery },
    },
    async (request, reply) => {
      const { status, assignee, incident, overdue } = request.query;
      const filter = { status, assignee, incident, overdue };
      const shown = page(await command.tasks.list(filter, actorOf(request)), request.query, reply);
      await audit.listed(request, 'task', shown.map(auditedTask));
      return shown;
    },
  );
  app.get<{ Params: { id: string } }>(
    '/api/v1/tasks/:id',
    { schema: { tags, summary: 'One task', params: IdParams } },
    async (request) => {
      const { id } = request.params;
      return audit.byId(request, 'task.read', id, {
        read: () => command.tasks.get(id, actorOf(request)),
        audited: auditedTask,
        hidden: () => command.tasks.get(id, AUDIT_LOOKUP),
      });
    },
  );
  for (const [action, body] of TASK_ACTIONS)
    app.post<{ Params: { id: string }; Body: Record<string, unknown> | undefined }>(
      `/api/v1/tasks/:id/${action}`,
      {
        preValidation: emptyBodyIsObject,
        schema: { tags, summary: `${action} a task`, params: IdParams, body },
      },
      async (request) =>
        command.tasks.act(
          request.params.id,
          taskAction(action, request.body ?? {}),
          actorOf(request),
        ),
    );
  app.post<{ Params: { id: string }; Body: PhotoUpload }>(
    '/api/v1/tasks/:id/photos',
    {
      bodyLimit: 4 * 1024 * 1024,
      schema: {
        tags,
        summary: "Upload a photo for the task's report (JPEG, PNG or WebP, base64)",
        params: IdParams,
        body: PhotoUploadSchema,
      },
    },
    async (request, reply) => {
      const ref = await command.tasks.addPhoto(request.params.id, request.body, actorOf(request));
      return reply.code(201).header('Location', ref.url).send(ref);
    },
  );
  app.get<{ Params: { id: string; photo: string } }>(
    '/api/v1/tasks/:id/photos/:photo',
    {
      schema: {
        tags,
        summary: 'A photo of a task',
        params: Type.Object({ id: Type.String(), photo: Type.String({ maxLength: 100 }) }),
      },
    },
    async (request, reply) => {
      const { id, photo } = request.params;
      const actor = actorOf(request);
      const resource = `${id}/photos/${photo}`;
      const read = await audit.byId<PhotoRead>(request, 'task.photo', resource, {
        read: async () => ({
          task: await command.tasks.get(id, actor),
          image: await command.tasks.photo(id, photo, actor),
        }),
        // The photo's owner is its task's: the organisation that dispatched it.
        audited: ({ task }) => ({ ...auditedTask(task), id: resource }),
        hidden: async () => ({ task: await command.tasks.get(id, AUDIT_LOOKUP) }),
      });
      const { contentType, bytes } = read.image!;
      return reply
        .type(contentType)
        .header('X-Content-Type-Options', 'nosniff')
        .header('Content-Security-Policy', "default-src 'none'")
        .header('Cache-Control', 'private, max-age=3600')
        .send(bytes);
    },
  );
}

/** `/api/v1/responsibility…`: the matrix that routes alerts; the operator changes it. */
function responsibilityRoutes(app: FastifyInstance, { command }: RouteDeps): void {
  const tags = ['Responsibility'];
  const operatorOnly = (request: Parameters<typeof actorOf>[0]) => {
    if (!actorOf(request).operator)
      throw new CityError('Forbidden', 'the responsibility matrix is changed by the operator');
  };
  app.get(
    '/api/v1/responsibility',
    { schema: { tags, summary: 'The responsibility matrix' } },
    () => command.matrix.list(),
  );
  app.get<{ Querystring: { category: string; subCategory?: string; area?: string } }>(
    '/api/v1/responsibility/route',
    {
      schema: {
        tags,
        summary: 'Which row routes an alert of a category (and subCategory) in an area',
        querystring: Type.Object({
          category: Type.String(),
          subCategory: Type.Optional(Type.String()),
          area: Type.Optional(Type.String({ description: 'comma-separated areas' })),
        }),
      },
    },
    async (request) => {
      const { category, subCategory, area } = request.query;
      const row = await command.matrix.match({
        category,
        ...(subCategory !== undefined && { subCategory }),
        areas: area?.split(',') ?? [],
      });
      if (!row) throw new CityError('ResourceNotFound', `no row routes ${category} there`);
      return row;
    },
  );
  app.get<{ Params: { id: string } }>(
    '/api/v1/responsibility/:id',
    { schema: { tags, summary: 'One row of the matrix', params: IdParams } },
    async (request) => command.matrix.get(request.params.id),
  );
  app.put<{ Params: { id: string }; Body: Responsibility }>(
    '/api/v1/responsibility/:id',
    {
      schema: {
        tags,
        summary: 'Create or replace a row (the operator)',
        params: IdParams,
        body: ResponsibilitySchema,
      },
    },
    async (request, reply) => {
      operatorOnly(request);
      if (request.body.id !== request.params.id)
        throw new CityError('BadRequestData', 'the body id differs from the path');
      await command.matrix.put(request.body);
      return reply.code(204).send();
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/api/v1/responsibility/:id',
    { schema: { tags, summary: 'Delete a row (the operator)', params: IdParams } },
    async (request, reply) => {
      operatorOnly(request);
      await command.matrix.delete(request.params.id);
      return reply.code(204).send();
    },
  );
}

/**
 * Installs command and dispatch under `/api/v1`: alerts (replacing the cockpit's alert list),
 * incidents, tasks and the responsibility matrix. Reads of alerts, incidents and tasks are
 * recorded in the audit chain before they are answered.
 */
export function installCommandRoutes(app: FastifyInstance, options: CommandRoutesOptions): void {
  const deps: RouteDeps = { command: options.command, audit: new CommandReadAudit(options.audit) };
  installAlertRoutes(app, { alerts: options.command.alerts, audit: deps.audit });
  incidentRoutes(app, deps);
  taskRoutes(app, deps);
  responsibilityRoutes(app, deps);
}
