import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, createApiClient, type ApiClient } from './api.js';
import { clearToken, storedToken, storeToken, takeTokenFromUrl } from './auth.js';
import { Cockpit } from './cockpit.js';
import {
  I18nContext,
  initialLang,
  saveLang,
  translator,
  type Lang,
  type MessageKey,
} from './i18n.js';
import { SetLangContext } from './panels/language-switch.js';
import { LoginCard } from './panels/login-card.js';
import type { Purpose } from './sharing/sharing-model.js';
import { storedPurpose, storePurpose } from './stated-purpose.js';

function firstToken(): string | undefined {
  const fromUrl = takeTokenFromUrl();
  if (fromUrl) {
    // Another token handed over: its user states their own purpose.
    if (fromUrl !== storedToken()) storePurpose(undefined);
    storeToken(fromUrl);
  }
  return fromUrl ?? storedToken();
}

/** Root component: language, sign-in and stated purpose, then the cockpit. */
export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const tr = useMemo(() => translator(lang), [lang]);
  const [token, setToken] = useState<string | undefined>(firstToken);
  const [purpose, setPurpose] = useState<Purpose | undefined>(storedPurpose);
  const [notice, setNotice] = useState<MessageKey>();

  const changeLang = (next: Lang): void => {
    saveLang(next);
    setLang(next);
  };
  const changePurpose = (next: Purpose | undefined): void => {
    storePurpose(next);
    setPurpose(next);
  };
  const signOut = (why?: MessageKey): void => {
    clearToken();
    changePurpose(undefined);
    setNotice(why);
    setToken(undefined);
  };
  // A new client per purpose: the cockpit reloads what it shows under the new purpose.
  const api = useMemo<ApiClient | undefined>(
    () =>
      token
        ? createApiClient({ token, purpose, onUnauthorized: () => signOut('login.expired') })
        : undefined,
    [token, purpose],
  );
  const signIn = async (candidate: string): Promise<MessageKey | undefined> => {
    try {
      await createApiClient({ token: candidate }).city();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return 'login.refused';
      if (e instanceof ApiError && e.status === 0) return 'login.unreachable';
      // Any other answer means the token passed authentication.
    }
    storeToken(candidate);
    setNotice(undefined);
    setToken(candidate);
    return undefined;
  };

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = `${tr.t('app.brand')} · ${tr.t('app.title')}`;
  }, [tr]);

  return (
    <I18nContext.Provider value={tr}>
      <SetLangContext.Provider value={changeLang}>
        {api ? (
          <Cockpit
            key={api.token}
            api={api}
            onPurpose={changePurpose}
            onSignOut={() => signOut()}
          />
        ) : (
          <LoginCard notice={notice} onSubmit={signIn} />
        )}
      </SetLangContext.Provider>
    </I18nContext.Provider>
  );
}
