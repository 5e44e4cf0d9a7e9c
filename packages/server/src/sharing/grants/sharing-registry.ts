import { randomUUID } from 'node:crypto';
import type { Bus } from '../../bus/index.js';
import { CityError, parseQ } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { Principal } from '../identity/index.js';
import {
  statusAt,
  type Dataset,
  type Grant,
  type GrantRequest,
  type Organisation,
} from './grant.js';

/** The bus topic of grant decisions: enforcement (subscriptions, caches) reacts to it. */
export const GRANT_CHANGED = 'grant.changed';
/** The bus topic of changed organisations and datasets (owner, classification, tenants). */
export const SHARING_CHANGED = 'sharing.changed';

const isOperator = (p: Principal) => p.kind === 'operator';
const manages = (p: Principal, org: string) =>
  isOperator(p) ||
  (p.organisation === org && (p.roles.includes('owner') || p.roles.includes('admin')));

/**
 * Organisations, datasets (owner and classification) and grants between organisations:
 * requested by the assignee, approved or rejected by the owner, revoked by the owner, expired
 * by time. A grant is visible only to its two parties (and the operator): to anyone else it
 * does not exist.
 */
export class SharingRegistry {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Calls `listener` on this node as soon as a decision, a dataset or an organisation changed
   * here (before the bus carries it to other nodes); answers the function that stops it.
   */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async announce(topic: string, key: string, payload: unknown): Promise<void> {
    for (const listener of this.listeners) listener();
    await this.bus.publish([{ topic, key, time: this.clock(), payload }]);
  }

  private get organisationDocs() {
    return this.store.collection<Organisation>('organisations');
  }
  private get datasetDocs() {
    return this.store.collection<Dataset>('datasets');
  }
  private get grantDocs() {
    return this.store.collection<Grant>('grants');
  }

  async putOrganisation(by: Principal, organisation: Organisation): Promise<void> {
    if (!isOperator(by)) {
      if (!(by.roles.includes('admin') && by.organisation === organisation.id))
        throw new CityError('Forbidden', 'organisations are managed by the operator');
      // Its administrator renames it; which tenants it may use is the operator's decision.
      const existing = await this.organisationDocs.get(organisation.id);
      const tenants = (o?: Organisation) => [...(o?.tenants ?? [])].sort().join(',');
      if (tenants(existing) !== tenants(organisation) || existing?.kind !== organisation.kind)
        throw new CityError(
          'Forbidden',
          'the tenants and kind of an organisation are the operator’s to set',
        );
    }
    await this.organisationDocs.put(organisation.id, organisation);
    await this.announce(SHARING_CHANGED, organisation.id, { organisation: organisation.id });
  }

  async organisation(id: string): Promise<Organisation | undefined> {
    return this.organisationDocs.get(id);
  }

  async organisations(): Promise<Organisation[]> {
    return (await this.organisationDocs.list()).map((d) => d.doc);
  }

  /** Declares a dataset: the operator, or an administrator of the owning organisation. */
  async putDataset(by: Principal, dataset: Dataset): Promise<void> {
    if (!(await this.organisationDocs.get(dataset.owner)))
      throw new CityError('BadRequestData', `no organisation ${dataset.owner}`);
    const existing = await this.datasetDocs.get(dataset.id);
    if (!manages(by, dataset.owner) || (existing && !manages(by, existing.owner)))
      throw new CityError('Forbidden', `only ${dataset.owner} manages dataset ${dataset.id}`);
    await this.datasetDocs.put(dataset.id, dataset);
    await this.announce(SHARING_CHANGED, dataset.id, { dataset: dataset.id });
  }

  async datasets(): Promise<Dataset[]> {
    return (await this.datasetDocs.list()).map((d) => d.doc);
  }

  async dataset(id: string): Promise<Dataset | undefined> {
    return this.datasetDocs.get(id);
  }

  /** Asks the owner of a dataset for a grant; the assignee is the requester's organisation. */
  async request(by: Principal, request: GrantRequest): Promise<Grant> {
    const assignee = isOperator(by) ? request.assignee : by.organisation;
    if (!assignee)
      throw new CityError(
        'BadRequestData',
        isOperator(by)
          ? 'the operator names the assignee of a grant it requests'
          : 'a grant is requested for an organisation: this identity has none',
      );
    if (request.assignee !== undefined && request.assignee !== assignee)
      throw new CityError('Forbidden', 'a grant is requested for your own organisation');
    const dataset = await this.datasetDocs.get(request.target);
    if (!dataset) throw new CityError('BadRequestData', `no dataset ${request.target}`);
    if (dataset.owner === assignee)
      throw new CityError('BadRequestData', `${assignee} owns ${dataset.id}: it needs no grant`);
    if (request.rowFilter !== undefined) {
      try {
        parseQ(request.rowFilter);
      } catch (err) {
        throw new CityError(
          'BadRequestData',
          `rowFilter is not an NGSI-LD q expression: ${(err as Error).message}`,
          { cause: err },
        );
      }
    }
    const from = Date.parse(request.validFrom);
    const until = Date.parse(request.validUntil);
    if (!(until > from)) throw new CityError('BadRequestData', 'validUntil must follow validFrom');
    if (until <= this.clock()) throw new CityError('BadRequestData', 'validUntil is past');
    const grant: Grant = {
      target: request.target,
      attributes: request.attributes,
      ...(request.rowFilter !== undefined && { rowFilter: request.rowFilter }),
      purpose: request.purpose,
      validFrom: request.validFrom,
      validUntil: request.validUntil,
      duties: request.duties,
      prohibitions: request.prohibitions,
      id: randomUUID(),
      assigner: dataset.owner,
      assignee,
      status: 'requested',
      requestedBy: by.subject,
      requestedAt: new Date(this.clock()).toISOString(),
    };
    await this.grantDocs.put(grant.id, grant);
    return grant;
  }

  /** A grant its parties (and the operator) may see; `ResourceNotFound` for anyone else. */
  async get(by: Principal, id: string): Promise<Grant> {
    const grant = await this.grantDocs.get(id);
    if (
      !grant ||
      !(isOperator(by) || by.organisation === grant.assigner || by.organisation === grant.assignee)
    )
      throw new CityError('ResourceNotFound', `no grant ${id}`);
    return grant;
  }

  /** The grants of the principal's organisation, as assigner or assignee (all for the operator). */
  async list(by: Principal): Promise<Grant[]> {
    return (await this.grantDocs.list())
      .map((d) => d.doc)
      .filter(
        (g) => isOperator(by) || g.assigner === by.organisation || g.assignee === by.organisation,
      );
  }

  /** The owner approves or rejects a requested grant. */
  async decide(by: Principal, id: string, decision: 'approved' | 'rejected'): Promise<Grant> {
    return this.change(by, id, (grant, at) => {
      if (grant.status !== 'requested')
        throw new CityError('InvalidRequest', `the grant is ${statusAt(grant, this.clock())}`);
      return { ...grant, status: decision, decidedBy: by.subject, decidedAt: at };
    });
  }

  /** The owner revokes a grant at once: reads under it stop, its subscriptions too. */
  async revoke(by: Principal, id: string): Promise<Grant> {
    return this.change(by, id, (grant, at) => {
      if (grant.status === 'revoked' || grant.status === 'rejected')
        throw new CityError('InvalidRequest', `the grant is ${grant.status}`);
      return { ...grant, status: 'revoked', revokedBy: by.subject, revokedAt: at };
    });
  }

  private async change(
    by: Principal,
    id: string,
    next: (grant: Grant, at: string) => Grant,
  ): Promise<Grant> {
    const grant = await this.get(by, id);
    if (!manages(by, grant.assigner))
      throw new CityError('Forbidden', `only ${grant.assigner}, the owner, decides on this grant`);
    const changed = next(grant, new Date(this.clock()).toISOString());
    // Compare-and-set: two decisions at once cannot both apply.
    if (!(await this.grantDocs.replaceIf(id, changed, grant)))
      throw new CityError('InvalidRequest', 'the grant changed meanwhile; read it again');
    await this.announce(GRANT_CHANGED, id, {
      id,
      status: changed.status,
      assignee: changed.assignee,
      target: changed.target,
    });
    return changed;
  }
}
