import { CityError } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { Fact, Signal } from './engine/evaluator.js';
import { evaluateBatch } from './engine/keyed-engine.js';
import { contextOf, plainValue } from './facts.js';
import { evaluatorFor } from './kinds/index.js';
import type { Rule } from './rule-schema.js';

/** What a rule would have decided over a past period. */
export interface Backtest {
  signals: Signal[];
  /** Facts read from the history (the warm-up before `from` included). */
  facts: number;
  entities: number;
  /** Where the evaluation began, to warm the rule's windows and durations up. */
  warmupFrom: number;
}

/** The most facts one backtest reads. */
export const MAX_BACKTEST_FACTS = 2_000_000;
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
function reads(rule: Rule): { type: string; attrs?: string[] }[] {
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

/** Every entity id of a type. */
async function idsOf(store: Store, type: string): Promise<{ id: string; context: object }[]> {
  const out: { id: string; context: object }[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await store.entities.query({
      types: { kind: 'type', name: type },
      limit: 1000,
      offset,
    });
    for (const e of page.entities) out.push({ id: e.id, context: contextOf(e) });
    if (page.entities.length < 1000) return out;
  }
}

/**
 * Runs a rule over the stored history of [from, to) as it would have run then (the batch
 * evaluation, which the live engine agrees with): what would it have raised last week? Reads
 * the history from the warm-up before `from`; signals before `from` are left out.
 */
export async function backtest(
  store: Store,
  rule: Rule,
  from: number,
  to: number,
): Promise<Backtest> {
  if (!(to > from)) throw new CityError('BadRequestData', 'to must follow from');
  const evaluator = evaluatorFor(rule);
  const warmupFrom = from - warmupMs(rule);
  const facts: Fact[] = [];
  let entities = 0;
  let seq = 0;
  for (const { type, attrs } of reads(rule)) {
    const ids = await idsOf(store, type);
    entities += ids.length;
    const context = new Map(ids.map((e) => [e.id, e.context as Record<string, unknown>]));
    for (let i = 0; i < ids.length; i += IDS_PER_READ) {
      const instances = await store.temporal.query({
        entityIds: ids.slice(i, i + IDS_PER_READ).map((e) => e.id),
        ...(attrs && { attrs }),
        timeproperty: 'observedAt',
        from: warmupFrom,
        to,
      });
      // One fact per entity and time: the attributes observed together.
      const byTime = new Map<string, Fact>();
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
            seq: seq++,
            attrs: {},
            context: context.get(inst.entityId) ?? {},
          };
          byTime.set(id, fact);
          facts.push(fact);
        }
        (fact.attrs as Record<string, unknown>)[inst.attr] = plainValue(inst.attribute);
      }
      if (facts.length > MAX_BACKTEST_FACTS)
        throw new CityError(
          'BadRequestData',
          `the period holds more than ${MAX_BACKTEST_FACTS.toLocaleString('en-US')} facts: choose a shorter one`,
        );
    }
  }
  const signals = evaluateBatch(evaluator, facts, to).filter((s) => s.at >= from && s.at < to);
  return { signals, facts: facts.length, entities, warmupFrom };
}
