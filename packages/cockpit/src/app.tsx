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

function firstToken(): string | undefined {
  const fromUrl = takeTokenFromUrl();
  if (fromUrl) storeToken(fromUrl);
  return fromUrl ?? storedToken();
}

/** Root component: language, sign-in, then the cockpit. */
export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const tr = useMemo(() => translator(lang), [lang]);
  const [token, setToken] = useState<string | undefined>(firstToken);
  const [notice, setNotice] = useState<MessageKey>();

  const changeLang = (next: Lang): void => {
    saveLang(next);
    setLang(next);
  };
  const signOut = (why?: MessageKey): void => {
    clearToken();
    setNotice(why);
    setToken(undefined);
  };
  const api = useMemo<ApiClient | undefined>(
    () =>
      token
        ? createApiClient({ token, onUnauthorized: () => signOut('login.expired') })
        : undefined,
    [token],
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
          <Cockpit key={api.token} api={api} onSignOut={() => signOut()} />
        ) : (
          <LoginCard notice={notice} onSubmit={signIn} />
        )}
      </SetLangContext.Provider>
    </I18nContext.Provider>
  );
}
