import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  DispatchTaskSchema,
  PhotoUploadSchema,
  TaskCompleteSchema,
  TaskNoteSchema,
  TaskProgressSchema,
  TaskRejectSchema,
  type DispatchTask,
  type PhotoUpload,
  type Task,
  type TaskAction,
  type TaskService,
} from '../../brain/command/index.js';
import { actorOf, emptyBodyIsObject, IdParams } from './alert-routes.js';
import { AUDIT_LOOKUP, auditedTask, type CommandReadAudit } from './command-audit.js';
import { page, Paging } from './paging.js';

/** What the task routes need. */
export interface TaskRoutesOptions {
  tasks: TaskService;
  /** Where reads are recorded (the audit chain). */
  audit: CommandReadAudit;
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
export function installTaskRoutes(app: FastifyInstance, options: TaskRoutesOptions): void {
  const { tasks, audit } = options;
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
      const task = await tasks.dispatch(request.body, actorOf(request));
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
      const shown = page(await tasks.list(filter, actorOf(request)), request.query, reply);
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
        read: () => tasks.get(id, actorOf(request)),
        audited: auditedTask,
        hidden: () => tasks.get(id, AUDIT_LOOKUP),
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
        tasks.act(request.params.id, taskAction(action, request.body ?? {}), actorOf(request)),
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
      const ref = await tasks.addPhoto(request.params.id, request.body, actorOf(request));
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
          task: await tasks.get(id, actor),
          image: await tasks.photo(id, photo, actor),
        }),
        // The photo's owner is its task's: the organisation that dispatched it.
        audited: ({ task }) => ({ ...auditedTask(task), id: resource }),
        hidden: async () => ({ task: await tasks.get(id, AUDIT_LOOKUP) }),
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
