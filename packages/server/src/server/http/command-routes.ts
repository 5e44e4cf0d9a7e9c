import type { FastifyInstance } from 'fastify';
import type { CommandServices } from '../../brain/command/index.js';
import { installAlertRoutes } from './alert-routes.js';
import { CommandReadAudit, type AuditSink } from './command-audit.js';
import { installIncidentRoutes } from './incident-routes.js';
import { installResponsibilityRoutes } from './responsibility-routes.js';
import { installTaskRoutes } from './task-routes.js';

/** What the command and dispatch routes need. */
export interface CommandRoutesOptions {
  command: CommandServices;
  /** Where reads of alerts, incidents and tasks are recorded: the node's audit chain. */
  audit: AuditSink;
}

/**
 * Installs command and dispatch under `/api/v1`: alerts (replacing the cockpit's alert list),
 * incidents, tasks and the responsibility matrix. Reads of alerts, incidents and tasks are
 * recorded in the audit chain before they are answered.
 */
export function installCommandRoutes(app: FastifyInstance, options: CommandRoutesOptions): void {
  const { command } = options;
  // One recorder for every group: alerts, incidents and tasks share the node's audit chain.
  const audit = new CommandReadAudit(options.audit);
  installAlertRoutes(app, { alerts: command.alerts, audit });
  installIncidentRoutes(app, { incidents: command.incidents, audit });
  installTaskRoutes(app, { tasks: command.tasks, audit });
  installResponsibilityRoutes(app, { matrix: command.matrix });
}
