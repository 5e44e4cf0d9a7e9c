import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  IncidentPatchSchema,
  type IncidentPatch,
  type IncidentService,
} from '../../brain/command/index.js';
import { actorOf, IdParams } from './alert-routes.js';
import { AUDIT_LOOKUP, auditedIncident, type CommandReadAudit } from './command-audit.js';
import { page, Paging } from './paging.js';

/** What the incident routes need. */
export interface IncidentRoutesOptions {
  incidents: IncidentService;
  /** Where reads are recorded (the audit chain). */
  audit: CommandReadAudit;
}

/** `/api/v1/incidents…`: list, one, change status/title/commander, merge alerts. */
export function installIncidentRoutes(app: FastifyInstance, options: IncidentRoutesOptions): void {
  const { incidents, audit } = options;
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
      const shown = page(await incidents.list(filter, actorOf(request)), request.query, reply);
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
        read: () => incidents.get(id, actorOf(request)),
        audited: auditedIncident,
        hidden: () => incidents.get(id, AUDIT_LOOKUP),
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
    async (request) => incidents.patch(request.params.id, request.body, actorOf(request)),
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
    async (request) => incidents.merge(request.params.id, request.body.alerts, actorOf(request)),
  );
}
