import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en, type MessageKey } from './i18n/en.js';
import { zh } from './i18n/zh.js';

export type { MessageKey } from './i18n/en.js';

/** The languages the cockpit speaks. */
export type Lang = 'en' | 'zh';

const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, zh };
const STORAGE_KEY = 'citybrain.lang';

/** The saved language, else the browser's (Chinese for any zh-*), else English. */
export function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'zh') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/** Remembers the chosen language for the next visit. */
export function saveLang(lang: Lang): void {
  localStorage.setItem(STORAGE_KEY, lang);
}

/** Translation functions bound to one language. */
export interface Translator {
  lang: Lang;
  /** Looks a key up, replacing `{name}` placeholders with `vars`. */
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  /** Looks up `prefix.name` and falls back to `fallback` (or a humanised name) when the dictionary has no entry. */
  tx(prefix: string, name: string, fallback?: string): string;
}

function humanise(name: string): string {
  const spaced = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** Builds the translator for `lang`. */
export function translator(lang: Lang): Translator {
  const dict = dictionaries[lang];
  return {
    lang,
    t(key, vars) {
      const text = dict[key];
      if (!vars) return text;
      return text.replace(/\{(\w+)\}/g, (m, v: string) => (v in vars ? String(vars[v]) : m));
    },
    tx(prefix, name, fallback) {
      const key = `${prefix}.${name}`;
      return key in dict ? dict[key as MessageKey] : (fallback ?? humanise(name));
    },
  };
}

/** Context carrying the current translator. */
export const I18nContext = createContext<Translator>(translator('en'));

/** The translator of the current language. */
export function useI18n(): Translator {
  return useContext(I18nContext);
}

/** "just now", "12 s ago", "3 min ago" … in the translator's language. */
export function relativeTime(tr: Translator, iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(s) || s < 5) return tr.t('time.now');
  if (s < 60) return tr.t('time.s', { n: s });
  if (s < 3600) return tr.t('time.min', { n: Math.floor(s / 60) });
  if (s < 86400) return tr.t('time.h', { n: Math.floor(s / 3600) });
  return tr.t('time.d', { n: Math.floor(s / 86400) });
}
