import type { FastifyRequest } from 'fastify';
import { viewAlert } from '../../brain/alerts/index.js';
import type { Actor, Incident, Task } from '../../brain/command/index.js';
import { CityError, type Entity } from '../../core/index.js';
import { isPurpose } from '../../sharing/index.js';
import type { AuditEntry } from '../../store/index.js';
import { PURPOSE_HEADER } from './access-guard.js';
import { principalOf } from './auth.js';

/** Where read decisions are kept: the node's Auditor (the audit chain), durably. */
export interface AuditSink {
  /** Resolves once the entry is kept; the answer waits for it. */
  record(entry: AuditEntry): Promise<void>;
}

/** What the audit keeps of an alert, incident or task read: its id and who is accountable. */
export interface AuditedItem {
  id: string;
  /** The organisation accountable for it, who sees in its access log who read it. */
  owner?: string;
}

/** The owner of an alert is its responsible organisation (level n of its chain). */
export const auditedAlert = (alert: Entity): AuditedItem => {
  const owner = viewAlert(alert).responsibleOrganisation;
  return { id: alert.id, ...(owner !== undefined && { owner }) };
};

/** The owner of an incident is its commander. */
export const auditedIncident = (incident: Incident): AuditedItem => ({
  id: incident.id,
  ...(incident.responsibleOrganisation !== undefined && {
    owner: incident.responsibleOrganisation,
  }),
});

/** The owner of a task is the organisation that dispatched it (none for the operator). */
export const auditedTask = (task: Task): AuditedItem => ({
  id: task.id,
  ...(task.dispatcher !== undefined && { owner: task.dispatcher }),
});

/** Looks items up whatever the caller may see, to name the owner of one withheld. */
export const AUDIT_LOOKUP: Actor = Object.freeze({ subject: 'audit', roles: [], operator: true });

/** The purpose a request states, when it is one of the controlled list (else none is kept). */
function statedPurpose(request: FastifyRequest): string | undefined {
  const header = request.headers[PURPOSE_HEADER];
  const stated =
    typeof header === 'string'
      ? header
      : (request.query as Record<string, unknown> | undefined)?.purpose;
  return typeof stated === 'string' && isPurpose(stated.trim()) ? stated.trim() : undefined;
}

/**
 * Records reads of command objects (alerts, incidents, tasks) in the audit chain, as the
 * sharing policy records reads of datasets: who, for which purpose, what, whose, allowed or
 * denied and why. Every record is awaited, so an answer never goes out without its evidence.
 */
export class CommandReadAudit {
  constructor(
    private readonly sink: AuditSink,
    private readonly clock: () => number = Date.now,
  ) {}

  /** A page of a list (`<kind>.list`): one entry per owner of what it shows, one if empty. */
  async listed(
    request: FastifyRequest,
    kind: string,
    items: readonly AuditedItem[],
  ): Promise<void> {
    const byOwner = new Map<string | undefined, number>();
    for (const item of items) byOwner.set(item.owner, (byOwner.get(item.owner) ?? 0) + 1);
    if (byOwner.size === 0) byOwner.set(undefined, 0);
    await Promise.all(
      [...byOwner].map(([owner, records]) =>
        this.sink.record(this.entry(request, `${kind}.list`, `${kind}s`, owner, records)),
      ),
    );
  }

  /** One item answered (`action`, e.g. `task.read`). */
  async read(request: FastifyRequest, action: string, item: AuditedItem): Promise<void> {
    await this.sink.record(this.entry(request, action, item.id, item.owner, 1));
  }

  /** An id answered 404, absent or not visible to the caller: its owner sees the attempt. */
  async denied(
    request: FastifyRequest,
    action: string,
    id: string,
    owner: string | undefined,
  ): Promise<void> {
    await this.sink.record({
      ...this.who(request, action),
      resource: id,
      ...(owner !== undefined && { owner }),
      result: 'deny',
      reason: 'not-visible',
      records: 0,
    });
  }

  /**
   * Reads one item by id and records the answer before it is given: `read` throws 404 for an
   * item the caller may not see, recorded as a denial with the owner `hidden` names.
   */
  async byId<T>(
    request: FastifyRequest,
    action: string,
    id: string,
    options: {
      read: () => Promise<T>;
      audited: (item: T) => AuditedItem;
      hidden: () => Promise<T>;
    },
  ): Promise<T> {
    let item: T;
    try {
      item = await options.read();
    } catch (err) {
      if (!(err instanceof CityError && err.code === 'ResourceNotFound')) throw err;
      const withheld = await options.hidden().catch((e: unknown) => {
        if (e instanceof CityError && e.code === 'ResourceNotFound') return undefined;
        throw e;
      });
      await this.denied(
        request,
        action,
        id,
        withheld === undefined ? undefined : options.audited(withheld).owner,
      );
      throw err;
    }
    await this.read(request, action, options.audited(item));
    return item;
  }

  private who(request: FastifyRequest, action: string) {
    const { subject, organisation } = principalOf(request);
    const purpose = statedPurpose(request);
    return {
      at: this.clock(),
      actor: subject,
      ...(organisation !== undefined && { organisation }),
      ...(purpose !== undefined && { purpose }),
      action,
    };
  }

  private entry(
    request: FastifyRequest,
    action: string,
    resource: string,
    owner: string | undefined,
    records: number,
  ): AuditEntry {
    const principal = principalOf(request);
    const reason =
      principal.kind === 'operator'
        ? 'operator'
        : owner !== undefined && owner === principal.organisation
          ? 'owner'
          : 'participant';
    return {
      ...this.who(request, action),
      resource,
      ...(owner !== undefined && { owner }),
      result: 'allow',
      reason,
      records,
    };
  }
}
