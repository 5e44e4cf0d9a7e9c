import type { Fact } from './engine/evaluator.js';
import { areaOf } from './kinds/select.js';
import type { Rule } from './rule-schema.js';

/** What facts a rule (or one condition of it) reads: a type, maybe one area, some attributes. */
export interface Route<R> {
  run: R;
  area?: string;
  /** The rule reads only facts carrying one of these; undefined: any fact of the type. */
  attrs?: ReadonlySet<string>;
}

/** The routes of a rule: one per entity type it selects (a correlation has several). */
function routesOf(rule: Rule): { type: string; area?: string; attrs?: string[] }[] {
  const route = (select: { entityType: string; area?: string }, attr?: string) => ({
    type: select.entityType,
    ...(select.area !== undefined && { area: select.area }),
    ...(attr !== undefined && { attrs: [attr] }),
  });
  switch (rule.kind) {
    case 'threshold':
    case 'rate':
    case 'aggregate': // a count reads any fact: no attribute
      return [route(rule.select, rule.attribute)];
    case 'correlation':
      return rule.conditions.map((c) => route(c.select, c.attribute));
    case 'absence': // any fact is a sign of life
    case 'geofence': // positions may come with the entity's context
    case 'countInArea':
      return [route(rule.select)];
  }
}

/** The (first) entity type a rule reads. */
function firstType(rule: Rule): string {
  return rule.kind === 'correlation'
    ? rule.conditions[0]!.select.entityType
    : rule.select.entityType;
}

/** True when a route's rule reads the fact (cheap tests before the rule's own). */
export function reads(route: Omit<Route<unknown>, 'run'>, fact: Fact): boolean {
  if (route.area !== undefined && areaOf(fact) !== route.area) return false;
  if (!route.attrs) return true;
  for (const attr of route.attrs) if (attr in fact.attrs) return true;
  return false;
}

/**
 * The routes of runs by the entity type they read. A group of rules (one type) has one route:
 * its evaluator tells which member reads a fact.
 */
export function routeTable<R extends { rules: readonly Rule[] }>(
  runs: Iterable<R>,
): Map<string, Route<R>[]> {
  const byType = new Map<string, Route<R>[]>();
  for (const run of new Set(runs))
    for (const { type, area, attrs } of run.rules.length === 1
      ? routesOf(run.rules[0]!)
      : [{ type: firstType(run.rules[0]!) } as ReturnType<typeof routesOf>[number]]) {
      const list = byType.get(type) ?? [];
      list.push({
        run,
        ...(area !== undefined && { area }),
        ...(attrs && { attrs: new Set(attrs) }),
      });
      byType.set(type, list);
    }
  return byType;
}

/** True when a rule reads the fact through one of its routes (replays use it as live does). */
export function ruleReads(routes: readonly Route<unknown>[] | undefined, fact: Fact): boolean {
  return routes?.some((r) => reads(r, fact)) ?? false;
}
