import {
  matchesQ,
  parseQ,
  qAttributes,
  renameQ,
  type Entity,
  type QExpression,
  type TypeExpression,
} from '../../core/index.js';
import type { EntityQuery, VisibilityRule } from '../../store/index.js';
import type { Dataset, Grant } from '../grants/index.js';
import type { Principal } from '../identity/index.js';
import { readAccess } from './read-access.js';

/** Who reads or writes: a principal, or the owner of a subscription. */
export type Party = Pick<Principal, 'kind' | 'subject' | 'organisation' | 'roles'>;

/** Turns a dataset's terms (its type, its grants' attributes) into canonical names. */
export interface NameExpander {
  expand(term: string): string;
}

/** The expander of a dataset's @context (undefined: the NGSI-LD core context). */
export type ResolveNames = (context: string | undefined) => Promise<NameExpander>;

/** One grant in force, in canonical names. */
export interface ScopeRule {
  grant: string;
  attributes: ReadonlySet<string>;
  filter?: QExpression;
}

/** Why a type may be read; `grant`: through `rules` only. */
export type ReadReason = 'operator' | 'owner' | 'public' | 'grant';

/** What may be read of one entity type. */
export interface TypeAccess {
  dataset: Dataset;
  reason: ReadReason;
  /** Present for `grant`: the entity is visible through any rule whose filter it matches. */
  rules?: ScopeRule[];
}

/** Members of an entity that are not attributes: always shown with a visible entity. */
const NOT_ATTRIBUTES = new Set(['id', 'type', '@context', 'createdAt', 'modifiedAt', 'deletedAt']);

/** The names of a type expression. */
function typeNames(expr: TypeExpression, out = new Set<string>()): Set<string> {
  if (expr.kind === 'type') out.add(expr.name);
  else for (const t of expr.terms) typeNames(t, out);
  return out;
}

/** The attributes a query selects rows by: its q, scopeQ, geo-query and attrs filter. */
export function queryAttributes(query: EntityQuery): string[] {
  const names = new Set<string>(query.q ? qAttributes(query.q) : []);
  if (query.scopeQ) names.add('scope');
  if (query.geo) names.add(query.geo.geoproperty);
  for (const a of query.attrs ?? []) names.add(a);
  for (const n of NOT_ATTRIBUTES) names.delete(n);
  return [...names];
}

/** The types of an entity (one or several). */
export const typesOf = (entity: Entity): readonly string[] =>
  Array.isArray(entity.type) ? entity.type : [entity.type];

const orOf = (terms: QExpression[]): QExpression =>
  terms.length === 1 ? terms[0]! : { kind: 'or', terms };

/**
 * What one principal may read for one purpose, compiled from the datasets and grants at one
 * moment, in canonical names: valid until `until` (the next start or end of a grant).
 */
export class ReadScope {
  private constructor(
    readonly unrestricted: boolean,
    /** Canonical type → access, for the types that may be read. */
    readonly readable: ReadonlyMap<string, TypeAccess>,
    /** Canonical type → why it may not be read (declared datasets only). */
    readonly denied: ReadonlyMap<string, { dataset: Dataset; reason: string }>,
    /** Every declared dataset by canonical type (owners for the audit of the operator's reads). */
    readonly datasets: ReadonlyMap<string, Dataset>,
    readonly until: number,
  ) {}

  /** Compiles the scope of `principal` for `purpose` at `now`. */
  static async compile(
    principal: Party,
    purpose: string | undefined,
    datasets: readonly Dataset[],
    grants: readonly Grant[],
    now: number,
    resolve: ResolveNames,
  ): Promise<ReadScope> {
    const readable = new Map<string, TypeAccess>();
    const denied = new Map<string, { dataset: Dataset; reason: string }>();
    const byType = new Map<string, Dataset>();
    for (const dataset of datasets) {
      const names = await resolve(dataset.context);
      const type = names.expand(dataset.id);
      byType.set(type, dataset);
      const access = readAccess(principal, purpose, dataset, grants, now);
      if (access.kind === 'none') denied.set(type, { dataset, reason: access.reason });
      else if (access.kind === 'all') readable.set(type, { dataset, reason: access.reason });
      else
        readable.set(type, {
          dataset,
          reason: 'grant',
          rules: access.rules.map((r) => ({
            grant: r.grant,
            attributes: new Set([...r.attributes].map((a) => names.expand(a))),
            ...(r.rowFilter !== undefined && {
              filter: renameQ(parseQ(r.rowFilter), (a) => names.expand(a)),
            }),
          })),
        });
    }
    // The scope changes when a grant of this organisation starts or ends.
    let until = Number.POSITIVE_INFINITY;
    for (const g of grants)
      if (g.assignee === principal.organisation && g.status === 'approved')
        for (const t of [Date.parse(g.validFrom), Date.parse(g.validUntil)])
          if (t > now && t < until) until = t;
    return new ReadScope(principal.kind === 'operator', readable, denied, byType, until);
  }

  /**
   * The rules through which a query may see each type: only rules granting every attribute the
   * query selects by (a filter on an attribute outside a grant would reveal it), none for
   * types the query does not ask for. Types it asks for that may not be read go to `denied`.
   */
  within(query: EntityQuery, denied?: Map<string, string>): VisibilityRule[] {
    const asked = query.types ? typeNames(query.types) : undefined;
    const selects = queryAttributes(query);
    const within: VisibilityRule[] = [];
    for (const [type, access] of this.readable) {
      if (asked && !asked.has(type)) continue;
      const rules = access.rules?.filter((r) => selects.every((a) => r.attributes.has(a)));
      if (!rules) within.push({ type });
      else if (rules.length === 0) denied?.set(type, 'attribute-not-granted');
      else if (rules.some((r) => !r.filter)) within.push({ type });
      else within.push({ type, q: orOf(rules.map((r) => r.filter!)) });
    }
    if (asked && denied)
      for (const type of asked)
        if (!this.readable.has(type))
          denied.set(type, this.denied.get(type)?.reason ?? 'undeclared-dataset');
    return within;
  }

  /** The query narrowed to what may be read (see `within`). */
  restrict(query: EntityQuery, denied?: Map<string, string>): EntityQuery {
    if (this.unrestricted) return query;
    // The attrs filter (and projection) drops the names no readable type grants: asking for
    // them as well as granted ones is answered with the granted ones.
    if (query.attrs?.length) {
      const grantable = this.grantable(query);
      if (grantable) query = { ...query, attrs: query.attrs.filter((a) => grantable.has(a)) };
      if (query.attrs?.length === 0) return { ...query, within: [] };
    }
    const within = this.within(query, denied);
    // One type asked and one rule for it: its filter joins the query's q, with no type clause.
    if (query.types?.kind === 'type' && within.length === 1) {
      const rule = within[0]!;
      if (!rule.q) return query;
      return { ...query, q: query.q ? { kind: 'and', terms: [query.q, rule.q] } : rule.q };
    }
    return { ...query, within };
  }

  /** The attributes some readable type asked for grants; undefined when one grants all. */
  private grantable(query: EntityQuery): Set<string> | undefined {
    const asked = query.types ? typeNames(query.types) : undefined;
    const out = new Set<string>();
    for (const [type, access] of this.readable) {
      if (asked && !asked.has(type)) continue;
      if (!access.rules) return undefined;
      for (const r of access.rules) for (const a of r.attributes) out.add(a);
    }
    return out;
  }

  /**
   * The entity as it may be seen, and the types and grants through which it is seen; undefined
   * when no type of it may be read or no rule's row filter includes it.
   */
  see(entity: Entity): { entity: Entity; through: TypeAccess[]; grants: string[] } | undefined {
    if (this.unrestricted) {
      const dataset = typesOf(entity)
        .map((t) => this.datasets.get(t))
        .find((d) => d !== undefined);
      return {
        entity,
        through: dataset ? [{ dataset, reason: 'operator' }] : [],
        grants: [],
      };
    }
    const through: TypeAccess[] = [];
    const grants: string[] = [];
    let allowed: Set<string> | undefined = new Set();
    for (const type of typesOf(entity)) {
      const access = this.readable.get(type);
      if (!access) continue;
      if (!access.rules) {
        through.push(access);
        allowed = undefined; // everything
        continue;
      }
      let matched = false;
      for (const rule of access.rules)
        if (!rule.filter || matchesQ(entity, rule.filter)) {
          matched = true;
          grants.push(rule.grant);
          for (const a of rule.attributes) allowed?.add(a);
        }
      if (matched) through.push(access);
    }
    if (through.length === 0) return undefined;
    if (!allowed) return { entity, through, grants };
    const seen: Entity = { id: entity.id, type: entity.type };
    for (const [key, value] of Object.entries(entity))
      if (key !== 'id' && key !== 'type' && (NOT_ATTRIBUTES.has(key) || allowed.has(key)))
        seen[key] = value;
    return { entity: seen, through, grants };
  }

  /** True when the principal may write entities of every one of these types. */
  mayWrite(principal: Party, types: readonly string[]): boolean {
    if (this.unrestricted) return true;
    if (!principal.roles.some((r) => WRITER_ROLES.has(r))) return false;
    return (
      types.length > 0 &&
      types.every((t) => {
        const dataset = this.datasets.get(t);
        return dataset !== undefined && dataset.owner === principal.organisation;
      })
    );
  }
}

/** Roles that may write their organisation's datasets. */
export const WRITER_ROLES: ReadonlySet<string> = new Set(['admin', 'owner', 'editor']);
