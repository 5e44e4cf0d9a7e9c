import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { useI18n, type Lang } from '../i18n.js';

/** Context holding the language setter (the translator itself lives in I18nContext). */
export const SetLangContext = createContext<(lang: Lang) => void>(() => undefined);

const LANGS: Lang[] = ['en', 'zh'];

/** Segmented EN / 中文 switch. */
export function LanguageSwitch() {
  const tr = useI18n();
  const setLang = useContext(SetLangContext);
  return (
    <div
      class="segmented"
      role="group"
      aria-label={tr.t('header.language')}
      data-testid="language-switch"
    >
      {LANGS.map((lang) => (
        <button
          key={lang}
          type="button"
          lang={lang}
          class={tr.lang === lang ? 'is-active' : ''}
          aria-pressed={tr.lang === lang}
          data-lang={lang}
          onClick={() => setLang(lang)}
        >
          {tr.t(`lang.${lang}`)}
        </button>
      ))}
    </div>
  );
}
