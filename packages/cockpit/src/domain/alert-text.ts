import type { Translator } from '../i18n.js';
import type { Alert, Rule } from '../model.js';
import { displayNumber } from './attributes.js';
import { unitOf } from './units.js';

const nf = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

function withUnit(attr: string | undefined, v: unknown): string | undefined {
  if (typeof v !== 'number') return typeof v === 'string' ? v : undefined;
  const unit = attr ? unitOf(attr) : '';
  const n = nf.format(attr ? displayNumber(attr, v) : v);
  return unit ? `${n} ${unit}` : n;
}

/** Headline of an alert: the rule's condition ("PM2.5 > 75 µg/m³") when the rule is known. */
export function alertTitle(tr: Translator, alert: Alert, rule: Rule | undefined): string {
  if (rule?.attribute) {
    const label = tr.tx('attr', rule.attribute);
    const limit = withUnit(rule.attribute, rule.value);
    return rule.operator && limit !== undefined ? `${label} ${rule.operator} ${limit}` : label;
  }
  if (alert.subCategory) return tr.tx('sub', alert.subCategory);
  if (alert.category) return tr.tx('cat', alert.category);
  return alert.rule ?? alert.id;
}

/** "Environment · Air pollution", translated. */
export function alertCategory(tr: Translator, alert: Alert): string {
  return [
    alert.category && tr.tx('cat', alert.category),
    alert.subCategory && tr.tx('sub', alert.subCategory),
  ]
    .filter(Boolean)
    .join(' · ');
}

/** The server's description in the reader's language (Chinese when the server gave one). */
export function alertDescription(tr: Translator, alert: Alert): string {
  return (tr.lang === 'zh' ? alert.descriptionZh : undefined) ?? alert.description ?? '';
}

/** The latest evidence value with its unit, if any. */
export function alertValue(alert: Alert, rule: Rule | undefined): string | undefined {
  const last = alert.evidence?.[alert.evidence.length - 1];
  return last ? withUnit(rule?.attribute, last.value) : undefined;
}
