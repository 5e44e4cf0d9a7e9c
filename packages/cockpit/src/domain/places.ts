import type { Lang, Translator } from '../i18n.js';
import type { KeyValuesEntity } from '../model.js';

const CJK = /[\u3400-\u9fff]/;

/** True when a free text looks written in `lang` (Chinese script or not). */
export function inLanguage(text: string, lang: Lang): boolean {
  return CJK.test(text) === (lang === 'zh');
}

/** A place's name in `lang`: the Chinese one of name/alternateName for zh, the other for en. */
export function placeName(e: KeyValuesEntity, lang: Lang): string {
  const names = [e.name, e.alternateName].filter(
    (n): n is string => typeof n === 'string' && n.length > 0,
  );
  const wanted = names.find((n) => CJK.test(n) === (lang === 'zh'));
  return wanted ?? names[0] ?? slugOf(e.id);
}

/** The last segment of an entity id (`urn:ngsi-ld:District:haidian` → `haidian`). */
export function slugOf(id: string): string {
  return id.split(':').pop() ?? id;
}

/** Finds the district an alert's `areaServed` names (by slug, id or name). */
export function findDistrict(
  districts: readonly KeyValuesEntity[],
  area: string | undefined,
): KeyValuesEntity | undefined {
  if (!area) return undefined;
  const a = area.toLowerCase();
  return districts.find(
    (d) =>
      d.id === area ||
      slugOf(d.id).toLowerCase() === a ||
      d.name?.toLowerCase() === a ||
      d.alternateName?.toLowerCase() === a,
  );
}

/**
 * A device's display name. The server's name (English in the demo) is kept when it suits
 * the language; otherwise the kind, the device number and its community's local name.
 */
export function deviceTitle(
  tr: Translator,
  device: KeyValuesEntity,
  places: ReadonlyMap<string, KeyValuesEntity>,
): string {
  const name = typeof device.name === 'string' ? device.name : undefined;
  if (name && CJK.test(name) === (tr.lang === 'zh')) return name;
  const number = /\d+$/.exec(slugOf(device.id))?.[0] ?? slugOf(device.id);
  const community =
    typeof device.refCommunity === 'string' ? places.get(device.refCommunity) : undefined;
  const base = `${tr.tx('kind', device.type)} ${number}`;
  return community ? `${base} · ${placeName(community, tr.lang)}` : base;
}
