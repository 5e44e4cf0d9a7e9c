import { useState } from 'preact/hooks';
import { useI18n, type MessageKey } from '../i18n.js';
import { BrandMark } from './brand-mark.js';
import { LanguageSwitch } from './language-switch.js';

/** Props of the login card. */
export interface LoginCardProps {
  /** A message to show on arrival (e.g. the session ended). */
  notice?: MessageKey;
  /** Checks the token; resolves to an error message key when it is refused. */
  onSubmit: (token: string) => Promise<MessageKey | undefined>;
}

/** The sign-in card: paste the operator token. */
export function LoginCard({ notice, onSubmit }: LoginCardProps) {
  const tr = useI18n();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<MessageKey | undefined>(notice);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (!token.trim() || busy) return;
    setBusy(true);
    setError(await onSubmit(token.trim()));
    setBusy(false);
  };

  return (
    <div class="login">
      <div class="login__lang">
        <LanguageSwitch />
      </div>
      <form class="login__card glass" onSubmit={(e) => void submit(e)} data-testid="login-card">
        <div class="login__brand">
          <BrandMark size={40} />
          <div>
            <div class="login__product">{tr.t('app.brand')}</div>
            <div class="login__subtitle">{tr.t('app.title')}</div>
          </div>
        </div>
        <h1 class="login__title">{tr.t('login.title')}</h1>
        <p class="login__hint">{tr.t('login.hint')}</p>
        <input
          class="login__input"
          type="password"
          autocomplete="off"
          spellcheck={false}
          placeholder={tr.t('login.placeholder')}
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          autoFocus
        />
        {error && <p class="login__error">{tr.t(error)}</p>}
        <button class="button button--primary" type="submit" disabled={busy || !token.trim()}>
          {busy ? tr.t('login.checking') : tr.t('login.submit')}
        </button>
      </form>
    </div>
  );
}
