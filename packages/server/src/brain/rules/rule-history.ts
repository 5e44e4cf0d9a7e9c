import type { AttributeInstance, Store } from '../../store/index.js';
import type { Fact } from './engine/evaluator.js';
import { contextOf, plainValue } from './facts.js';
import type { Rule } from './rule-schema.js';

/** What a rule reads of the stored history: an entity type, some of its attributes (all: none). */
export interface HistoryRead {
  type: string;
  attrs?: string[];
}

/** How much of a type's history to read. */
export interface HistoryWindow {
  /** Facts observed at or after this time, epoch ms. */
  from: number;
  /** And before this one (exclusive); everything newer when absent. */
  to?: number;
  /** Stops once more facts than this are read (whole groups of entities at a time). */
  maxFacts: number;
  /**
   * Also each entity's last instance of each attribute before `from`: for rules where the last
   * value holds until the next (a threshold), the value a quiet entity still stands on.
   */
  lastBefore?: boolean;
}

/** A type's facts as the history holds them, one per entity and observedAt. */
export interface History {
  /** In event-time order. */
  facts: Fact[];
  /** Entities of the type looked at. */
  entities: number;
  /** Entities whose facts were all read: every one, unless `truncated`. */
  complete: Set<string>;
  /** Stopped at `maxFacts` with entities left unread. */
  truncated: boolean;
}

const PAGE = 1000;
const IDS_PER_READ = 200;

/** How far back a rule must read to decide at `from` as it would have then, ms. */
export function warmupMs(rule: Rule): number {
  const s = (seconds: number | undefined) => (seconds ?? 0) * 1000;
  switch (rule.kind) {
    case 'threshold':
      return s(rule.forSeconds) + s(rule.clear?.forSeconds);
    case 'aggregate':
      return s(rule.window.sizeSeconds);
    case 'rate':
      return s(rule.overSeconds);
    case 'absence':
      return s(rule.silentForSeconds);
    case 'geofence':
    case 'countInArea':
      return 3_600_000; // the last known positions
    case 'correlation':
      return (
        s(rule.withinSeconds) + Math.max(...rule.conditions.map((c) => s(c.window.sizeSeconds)))
      );
  }
}

/** The entity types and attributes a rule reads (undefined: every attribute). */
export function historyReadsOf(rule: Rule): HistoryRead[] {
  switch (rule.kind) {
    case 'threshold':
    case 'rate':
      return [{ type: rule.select.entityType, attrs: [rule.attribute] }];
    case 'aggregate':
      return [{ type: rule.select.entityType, ...(rule.attribute && { attrs: [rule.attribute] }) }];
    case 'absence':
      return [{ type: rule.select.entityType }];
    case 'geofence':
      return [{ type: rule.select.entityType, attrs: [rule.attribute ?? 'location'] }];
    case 'countInArea':
      return [
        {
          type: rule.select.entityType,
          attrs: [rule.attribute ?? 'location', ...(rule.where ? [rule.where.attribute] : [])],
        },
      ];
    case 'correlation':
      return rule.conditions.map((c) => ({
        type: c.select.entityType,
        ...(c.attribute && { attrs: [c.attribute] }),
      }));
  }
}

/** Adds history instances to the facts of their entity and observedAt. */
function collect(
  instances: readonly AttributeInstance[],
  type: string,
  context: ReadonlyMap<string, Record<string, unknown>>,
  byTime: Map<string, Fact>,
  facts: Fact[],
): void {
  for (const inst of instances) {
    const at = inst.attribute.observedAt;
    const t = typeof at === 'string' ? Date.parse(at) : NaN;
    if (!Number.isFinite(t)) continue;
    const id = `${inst.entityId}\u0000${t}`;
    let fact = byTime.get(id);
    if (!fact) {
      fact = {
        entityId: inst.entityId,
        entityType: type,
        t,
        seq: facts.length,
        attrs: {},
        context: context.get(inst.entityId) ?? {},
      };
      byTime.set(id, fact);
      facts.push(fact);
    }
    (fact.attrs as Record<string, unknown>)[inst.attr] = plainValue(inst.attribute);
  }
}

/**
 * Reads a type's facts over a period from the temporal history (the attributes observed
 * together make one fact), entity page by entity page, so that a type of a million entities
 * is read only as far as `maxFacts` allows. Each fact carries its entity's current context.
 */
export async function readHistory(
  store: Store,
  read: HistoryRead,
  window: HistoryWindow,
): Promise<History> {
  const facts: Fact[] = [];
  const byTime = new Map<string, Fact>();
  const complete = new Set<string>();
  let entities = 0;
  const done = (truncated: boolean): History => {
    facts.sort((a, b) => a.t - b.t || a.seq - b.seq);
    return { facts, entities, complete, truncated };
  };
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.entities.query({
      types: { kind: 'type', name: read.type },
      limit: PAGE,
      offset,
    });
    entities += page.entities.length;
    const context = new Map(page.entities.map((e) => [e.id, contextOf(e)]));
    const ids = page.entities.map((e) => e.id);
    for (let i = 0; i < ids.length; i += IDS_PER_READ) {
      if (facts.length > window.maxFacts) return done(true);
      const entityIds = ids.slice(i, i + IDS_PER_READ);
      const query = {
        entityIds,
        ...(read.attrs && { attrs: read.attrs }),
        timeproperty: 'observedAt' as const,
      };
      if (window.lastBefore)
        collect(
          await store.temporal.query({ ...query, to: window.from, lastN: 1 }),
          read.type,
          context,
          byTime,
          facts,
        );
      collect(
        await store.temporal.query({
          ...query,
          from: window.from,
          ...(window.to !== undefined && { to: window.to }),
        }),
        read.type,
        context,
        byTime,
        facts,
      );
      for (const id of entityIds) complete.add(id);
    }
    if (page.entities.length < PAGE) return done(false);
  }
}
