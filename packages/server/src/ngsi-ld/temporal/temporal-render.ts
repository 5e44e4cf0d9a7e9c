import type { Attribute, Entity } from '../../core/index.js';
import type {
  AggregatedValue,
  AttributeInstance,
  TemporalStore,
  TimeProperty,
} from '../../store/index.js';
import { compactEntity, type LdContext } from '../context/index.js';
import type { TemporalView } from './temporal-params.js';

/** The aggregation result of one series, as the store gives it. */
export type AggregatedSeries = Awaited<ReturnType<TemporalStore['aggregate']>>[number];

/** What one temporal entity is rendered from. */
export interface TemporalSource {
  id: string;
  type: string | string[];
  /** The entity's current state, when it exists (system times, attribute types). */
  current?: Entity;
  instances: readonly AttributeInstance[];
  aggregates: readonly AggregatedSeries[];
}

/** Member names of the simplified temporal representation (clause 4.5.9), per attribute type. */
const VALUES_KEY: Record<Attribute['type'], string> = {
  Property: 'values',
  GeoProperty: 'values',
  Relationship: 'objects',
  LanguageProperty: 'languageMaps',
  VocabProperty: 'vocabs',
  JsonProperty: 'jsons',
  ListProperty: 'valueLists',
  ListRelationship: 'objectLists',
};

const iso = (ms: number) => new Date(ms).toISOString();

/** The value an instance contributes to a [value, time] pair. */
function pairValue(a: Attribute, ctx: LdContext): unknown {
  switch (a.type) {
    case 'Relationship':
      return a.object;
    case 'LanguageProperty':
      return a.languageMap;
    case 'VocabProperty':
      return Array.isArray(a.vocab) ? a.vocab.map((v) => ctx.compact(v)) : ctx.compact(a.vocab);
    case 'JsonProperty':
      return a.json;
    case 'ListProperty':
      return a.valueList;
    case 'ListRelationship':
      return a.objectList;
    case 'Property':
    case 'GeoProperty':
      return a.value;
  }
}

/** The time an instance is placed at for `timeproperty`. */
export function instanceTime(i: AttributeInstance, timeproperty: TimeProperty): string {
  if (timeproperty === 'createdAt') return iso(i.createdAt);
  if (timeproperty === 'modifiedAt') return iso(i.modifiedAt);
  return i.attribute.observedAt ?? iso(i.createdAt);
}

/** Groups items by attribute, then by datasetId, keeping their order. */
function group<T extends { attr: string; datasetId?: string }>(
  items: readonly T[],
): Map<string, Map<string, T[]>> {
  const out = new Map<string, Map<string, T[]>>();
  for (const item of items) {
    let byDataset = out.get(item.attr);
    if (!byDataset) {
      byDataset = new Map<string, T[]>();
      out.set(item.attr, byDataset);
    }
    const key = item.datasetId ?? '';
    const list = byDataset.get(key);
    if (list) list.push(item);
    else byDataset.set(key, [item]);
  }
  return out;
}

/** One object for the default dataset alone, else the list (clause 4.5.5). */
const oneOrList = (items: Record<string, unknown>[]) => (items.length === 1 ? items[0] : items);

function compactType(type: string | string[], ctx: LdContext): string | string[] {
  return Array.isArray(type) ? type.map((t) => ctx.compact(t)) : ctx.compact(type);
}

/** Renders one temporal entity in the representation a client asked for. */
export function renderTemporalEntity(
  source: TemporalSource,
  view: TemporalView,
  timeproperty: TimeProperty,
  ctx: LdContext,
): Record<string, unknown> {
  const head: Entity = { id: source.id, type: source.type };
  if (view.sysAttrs && source.current?.createdAt) head.createdAt = source.current.createdAt;
  if (view.sysAttrs && source.current?.modifiedAt) head.modifiedAt = source.current.modifiedAt;
  if (view.format === 'normalized') {
    for (const [attr, byDataset] of group(source.instances))
      head[attr] = [...byDataset.values()].flat().map((i) => ({
        ...i.attribute,
        instanceId: i.instanceId,
        ...(view.sysAttrs && { createdAt: iso(i.createdAt), modifiedAt: iso(i.modifiedAt) }),
      }));
    return compactEntity(head, ctx);
  }
  const out: Record<string, unknown> = { ...head, type: compactType(source.type, ctx) };
  if (view.format === 'temporalValues') {
    for (const [attr, byDataset] of group(source.instances))
      out[ctx.compact(attr)] = oneOrList(
        [...byDataset.values()].map((list) => {
          const type = list[list.length - 1]!.attribute.type;
          const datasetId = list[0]!.datasetId;
          return {
            type,
            [VALUES_KEY[type]]: list.map((i) => [
              pairValue(i.attribute, ctx),
              instanceTime(i, timeproperty),
            ]),
            ...(datasetId && { datasetId }),
          };
        }),
      );
    return out;
  }
  for (const [attr, byDataset] of group(source.aggregates)) {
    const current = source.current?.[attr] as Attribute | Attribute[] | undefined;
    const type = (Array.isArray(current) ? current[0] : current)?.type ?? 'Property';
    out[ctx.compact(attr)] = oneOrList(
      [...byDataset.values()].map(([series]) => renderAggregates(type, series!)),
    );
  }
  return out;
}

function renderAggregates(type: string, series: AggregatedSeries): Record<string, unknown> {
  const out: Record<string, unknown> = { type };
  const byMethod = new Map<string, AggregatedValue[]>();
  for (const v of series.values) {
    const list = byMethod.get(v.method);
    if (list) list.push(v);
    else byMethod.set(v.method, [v]);
  }
  for (const [method, values] of byMethod)
    out[method] = values.map((v) => [v.value, iso(v.start), iso(v.end)]);
  if (series.datasetId) out.datasetId = series.datasetId;
  return out;
}
