import type { Bus } from '../../bus/index.js';
import { CityError } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { Rule } from './rule-schema.js';

/** The collection of the rules in force (the latest version of each). */
export const RULES = 'rules';
/** Every version of every rule, by `<id>@<version>`. */
export const RULE_VERSIONS = 'rule-versions';
/** The bus topic of a created, changed or deleted rule (payload `{id, version}`). */
export const RULE_CHANGED = 'rule.changed';

/** Who wrote the rules that come from the configuration file. */
const CONFIG = 'config';

/** A rule as kept: the rule and its version. */
export interface StoredRule {
  rule: Rule;
  version: number;
  updatedAt: string;
  updatedBy: string;
  /** Set on the version that deleted the rule. */
  deleted?: boolean;
}

/** Checks what the schema cannot: windows, percentiles, areas. Throws 400 naming the problem. */
export function checkRule(rule: Rule): void {
  const bad = (why: string) => {
    throw new CityError('BadRequestData', `rule ${rule.id}: ${why}`);
  };
  const windows =
    rule.kind === 'aggregate' ? [rule] : rule.kind === 'correlation' ? rule.conditions : [];
  for (const w of windows) {
    const slide = w.window.slideSeconds ?? w.window.sizeSeconds;
    if (w.window.type === 'tumbling' && slide !== w.window.sizeSeconds)
      bad('a tumbling window slides by its size');
    if (slide > w.window.sizeSeconds) bad('a window cannot slide by more than its size');
    if (w.window.sizeSeconds / slide > 1440) bad('a window may overlap at most 1,440 others');
    if ((w.function === 'percentile') !== (w.percentile !== undefined))
      bad('percentile (p) goes with function percentile, and only with it');
    if (w.function !== 'count' && w.attribute === undefined)
      bad(`${w.function} needs an attribute`);
  }
  if ((rule.kind === 'geofence' || rule.kind === 'countInArea') && !validArea(rule.area))
    bad('area must be a GeoJSON Polygon or MultiPolygon of closed rings of [lon, lat]');
}

function validArea(area: { type: string; coordinates: unknown[] }): boolean {
  const ring = (r: unknown) =>
    Array.isArray(r) &&
    r.length >= 4 &&
    r.every(
      (p) =>
        Array.isArray(p) &&
        p.length >= 2 &&
        typeof p[0] === 'number' &&
        typeof p[1] === 'number' &&
        Math.abs(p[0]) <= 180 &&
        Math.abs(p[1]) <= 90,
    ) &&
    JSON.stringify(r[0]) === JSON.stringify(r[r.length - 1]);
  const polygon = (p: unknown) => Array.isArray(p) && p.length > 0 && p.every(ring);
  return area.type === 'Polygon' ? polygon(area.coordinates) : area.coordinates.every(polygon);
}

/**
 * Rules as data, versioned: each change is a new version (kept), made by compare-and-set on
 * the version the writer read, and announced on the bus so that every node reloads the rule.
 */
export class RuleStore {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly clock: () => number = Date.now,
  ) {}

  private get current() {
    return this.store.collection<StoredRule>(RULES);
  }
  private get history() {
    return this.store.collection<StoredRule>(RULE_VERSIONS);
  }

  async list(): Promise<StoredRule[]> {
    return (await this.current.list())
      .map((d) => d.doc)
      .sort((a, b) => a.rule.id.localeCompare(b.rule.id));
  }

  async get(id: string): Promise<StoredRule> {
    const stored = await this.current.get(id);
    if (!stored) throw new CityError('ResourceNotFound', `no rule ${id}`);
    return stored;
  }

  /**
   * Creates or replaces a rule. `expectedVersion` (If-Match) must be the version read (412
   * otherwise); a rule changed between reading and writing here is a 409.
   */
  async put(rule: Rule, by: string, expectedVersion?: number): Promise<StoredRule> {
    checkRule(rule);
    const existing = await this.current.get(rule.id);
    if (expectedVersion !== undefined && existing?.version !== expectedVersion)
      throw new CityError(
        'PreconditionFailed',
        `rule ${rule.id} is at version ${existing?.version ?? 'none'}, not ${expectedVersion}`,
      );
    const next: StoredRule = {
      rule,
      version: (existing?.version ?? 0) + 1,
      updatedAt: new Date(this.clock()).toISOString(),
      updatedBy: by,
    };
    if (!(await this.current.replaceIf(rule.id, next, existing)))
      throw new CityError('Conflict', `rule ${rule.id} changed meanwhile; read it again`);
    await this.history.put(`${rule.id}@${next.version}`, next);
    await this.announce(rule.id, next.version);
    return next;
  }

  /** Deletes a rule; its versions stay (the last one marked deleted). */
  async delete(id: string, by: string): Promise<void> {
    const existing = await this.get(id);
    await this.current.delete(id);
    const version = existing.version + 1;
    await this.history.put(`${id}@${version}`, {
      ...existing,
      version,
      updatedAt: new Date(this.clock()).toISOString(),
      updatedBy: by,
      deleted: true,
    });
    await this.announce(id, version);
  }

  /** Every version of a rule, oldest first. */
  async versions(id: string): Promise<StoredRule[]> {
    const all = (await this.history.list())
      .map((d) => d.doc)
      .filter((d) => d.rule.id === id)
      .sort((a, b) => a.version - b.version);
    if (all.length === 0) throw new CityError('ResourceNotFound', `no rule ${id}`);
    return all;
  }

  /**
   * Puts the configured rules: a rule the store does not have (and never had), or one that
   * the configuration wrote last and that differs now. A rule changed or deleted over the API
   * is left as it is: the API's word is the last.
   */
  async seed(rules: readonly Rule[]): Promise<void> {
    for (const rule of rules) {
      const stored = await this.current.get(rule.id);
      const fresh = !stored && !(await this.history.get(`${rule.id}@1`));
      const fromConfig =
        stored?.updatedBy === CONFIG && JSON.stringify(stored.rule) !== JSON.stringify(rule);
      if (!fresh && !fromConfig) continue;
      try {
        await this.put(rule, CONFIG);
      } catch (err) {
        // Nodes starting together seed the same rules: one of them writes it, that is enough.
        if (!(err instanceof CityError && err.code === 'Conflict')) throw err;
      }
    }
  }

  private async announce(id: string, version: number): Promise<void> {
    await this.bus.publish([
      { topic: RULE_CHANGED, key: id, time: this.clock(), payload: { id, version } },
    ]);
  }
}
