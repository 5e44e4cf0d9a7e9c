import { alertTitle } from '../domain/alert-text.js';
import { findDistrict, placeName, slugOf } from '../domain/places.js';
import type { Translator } from '../i18n.js';
import type { ActorRef, Alert, KeyValuesEntity, Rule } from '../model.js';
import { organisationName } from '../sharing/names.js';
import type { Organisation } from '../sharing/sharing-model.js';
import type { Incident } from './command-model.js';

/** An organisation's name in the reader's language; `—` for none. */
export function orgName(
  tr: Translator,
  organisations: ReadonlyMap<string, Organisation>,
  id: string | undefined,
): string {
  return id === undefined ? '—' : organisationName(organisations, id, tr.lang);
}

/** Who did something: the platform, the operator, or a key or person of an organisation. */
export function actorName(
  tr: Translator,
  organisations: ReadonlyMap<string, Organisation>,
  by: ActorRef,
): string {
  if (by.subject === 'system') return tr.t('cmd.who.system');
  if (by.subject === 'operator' && by.organisation === undefined) return tr.t('cmd.who.operator');
  return by.organisation === undefined
    ? by.subject
    : `${orgName(tr, organisations, by.organisation)} · ${by.subject}`;
}

/** A district or community (slug or id) by its name in the reader's language. */
export function areaName(
  tr: Translator,
  places: ReadonlyMap<string, KeyValuesEntity>,
  districts: readonly KeyValuesEntity[],
  area: string | undefined,
): string {
  if (!area) return '—';
  const place = places.get(area) ?? findDistrict(districts, area);
  return place ? placeName(place, tr.lang) : slugOf(area);
}

/** An alert's headline: its rule's condition, else its kind. */
export function alertHeadline(
  tr: Translator,
  alert: Alert,
  rules: ReadonlyMap<string, Rule>,
): string {
  return alertTitle(tr, alert, alert.rule ? rules.get(alert.rule) : undefined);
}

/** An alert's description in the reader's language, and the other one when it differs. */
export function descriptions(tr: Translator, alert: Alert): { main?: string; other?: string } {
  const [mine, theirs] =
    tr.lang === 'zh'
      ? [alert.descriptionZh, alert.description]
      : [alert.description, alert.descriptionZh];
  const main = mine ?? theirs;
  return { main, other: theirs !== undefined && theirs !== main ? theirs : undefined };
}

/**
 * An incident's name: the title its commander gave it, else its kind and area in the reader's
 * language (the server's own title, `airPollution in xihu`, is for machines).
 */
export function incidentTitle(
  tr: Translator,
  places: ReadonlyMap<string, KeyValuesEntity>,
  districts: readonly KeyValuesEntity[],
  i: Incident,
): string {
  if (i.title !== `${i.subCategory ?? i.category} in ${i.area}`) return i.title;
  const kind = i.subCategory ? tr.tx('sub', i.subCategory) : tr.tx('cat', i.category);
  return tr.t('cmd.incidents.name', { kind, area: areaName(tr, places, districts, i.area) });
}
