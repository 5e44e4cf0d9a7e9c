import type { Logger } from 'pino';
import type { Bus } from '../../bus/index.js';
import type { Store } from '../../store/index.js';
import { AlertService } from '../alerts/alert-service.js';
import type { Incident } from './incident.js';
import { IncidentService } from './incident-service.js';
import { ResponsibilityMatrix, type Responsibility } from './responsibility-matrix.js';
import type { Task } from './task.js';
import type { StoredPhoto } from './task-photo.js';
import { TaskService } from './task-service.js';

/** The document collections of command and dispatch. */
export const COMMAND_COLLECTIONS = {
  responsibility: 'command.responsibility',
  incidents: 'command.incidents',
  incidentSlots: 'command.incident-slots',
  tasks: 'command.tasks',
  photos: 'command.task-photos',
} as const;

/** What command and dispatch are built from. */
export interface CommandOptions {
  store: Store;
  bus: Bus;
  logger: Logger;
  /** Wall-clock time, epoch ms; `Date.now` by default (tests drive their own). */
  clock?: () => number;
  /** Alerts of one category and area this close in time form one incident; 30 min by default. */
  incidentWindowMs?: number;
  /** Largest task photo in bytes; 2 MiB by default. */
  maxPhotoBytes?: number;
}

/** What one tick did. */
export interface TickResult {
  escalatedAlerts: number;
  overdueTasks: number;
}

/** The services of command and dispatch, and the clock that drives their deadlines. */
export interface CommandServices {
  alerts: AlertService;
  incidents: IncidentService;
  tasks: TaskService;
  matrix: ResponsibilityMatrix;
  /** Runs what fell due by `now`: unacknowledged alerts escalate, late tasks turn overdue. */
  tick(now?: number): Promise<TickResult>;
  /** Ticks every `intervalMs` (5 s by default) until `stop`; nodes sharing a store may all tick. */
  start(intervalMs?: number): void;
  stop(): void;
}

/** Builds alerts, incidents, tasks and the responsibility matrix over a store and a bus. */
export function createCommandServices(options: CommandOptions): CommandServices {
  const { store, bus } = options;
  const clock = options.clock ?? Date.now;
  const logger = options.logger.child({ module: 'command' });
  const matrix = new ResponsibilityMatrix(
    store.collection<Responsibility>(COMMAND_COLLECTIONS.responsibility),
  );
  const services: { alerts?: AlertService } = {};
  const alertsOf = () => services.alerts!;
  const incidents = new IncidentService({
    incidents: store.collection<Incident>(COMMAND_COLLECTIONS.incidents),
    slots: store.collection(COMMAND_COLLECTIONS.incidentSlots),
    bus,
    logger,
    clock,
    windowMs: options.incidentWindowMs ?? 30 * 60_000,
    alerts: alertsOf,
  });
  const alerts = new AlertService(store, bus, logger, {
    clock,
    route: (target) => matrix.route(target),
    placeInIncident: (alert) => incidents.place(alert),
    changed: (alert, before) => incidents.followAlert(alert, before),
  });
  services.alerts = alerts;
  const tasks = new TaskService({
    tasks: store.collection<Task>(COMMAND_COLLECTIONS.tasks),
    photos: store.collection<StoredPhoto>(COMMAND_COLLECTIONS.photos),
    bus,
    logger,
    clock,
    incidents,
    alerts: alertsOf,
    ...(options.maxPhotoBytes !== undefined && { maxPhotoBytes: options.maxPhotoBytes }),
  });

  const tick = async (now = clock()): Promise<TickResult> => ({
    escalatedAlerts: await alerts.escalateDue(now),
    overdueTasks: await tasks.markOverdue(now),
  });
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  return {
    alerts,
    incidents,
    tasks,
    matrix,
    tick,
    start(intervalMs = 5000) {
      timer ??= setInterval(() => {
        if (running) return; // a slow tick is not overtaken by the next
        running = true;
        tick()
          .then((r) => {
            if (r.escalatedAlerts || r.overdueTasks) logger.info(r, 'command deadlines passed');
          })
          .catch((err: unknown) => logger.error({ err }, 'command tick failed'))
          .finally(() => (running = false));
      }, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
