import type { Entity } from '../../core/index.js';
import { valueOf } from './alert-model.js';
import type { AlertEvidence, AlertRule } from './alert-raise.js';

const field = (rule: AlertRule, name: string): unknown => Reflect.get(rule, name);

/** Texts of an alert in English and Chinese, from a threshold-like rule when it is one. */
export function describeAlert(input: {
  rule: AlertRule;
  source: Entity;
  since: number;
  at: number;
  evidence: readonly AlertEvidence[];
}): { en: string; zh: string } {
  const { rule, source, since, at } = input;
  const name = valueOf(source, 'name');
  const place = typeof name === 'string' ? name : source.id;
  const minutes = Math.max(1, Math.round((at - since) / 60_000));
  const attribute = field(rule, 'attribute');
  const operator = field(rule, 'operator');
  const value = field(rule, 'value');
  if (typeof attribute !== 'string' || typeof operator !== 'string') {
    const title = rule.name ?? rule.subCategory ?? rule.category;
    return {
      en: `${title} for ${minutes} min at ${place}`,
      zh: `${place} ${title} 持续 ${minutes} 分钟`,
    };
  }
  const last = input.evidence.at(-1)?.value;
  const label = attribute === 'pm25' ? 'PM2.5' : attribute;
  const unit = attribute === 'pm25' || attribute === 'pm10' ? ' µg/m³' : '';
  const shown = (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? v : '?');
  return {
    en: `${label} ${operator} ${shown(value)}${unit} for ${minutes} min at ${place} (now ${shown(last)}${unit})`,
    zh: `${place} ${label} 持续 ${minutes} 分钟 ${operator} ${shown(value)}${unit}（当前 ${shown(last)}${unit}）`,
  };
}
