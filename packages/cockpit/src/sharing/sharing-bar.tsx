import { useI18n } from '../i18n.js';
import { errorText } from './error-text.js';
import { RefreshIcon } from './icons.js';
import { organisationName } from './names.js';
import type { Me, Organisation } from './sharing-model.js';
import type { Loadable } from './use-loadable.js';

/** Props of the sharing view's title bar. */
export interface SharingBarProps {
  me: Loadable<Me>;
  organisations: ReadonlyMap<string, Organisation>;
  onRefresh: () => void;
}

/** Title, who is signed in (and for which organisation), and a refresh button. */
export function SharingBar({ me, organisations, onRefresh }: SharingBarProps) {
  const tr = useI18n();
  const who = me.value;
  let identity: string;
  if (!who) identity = me.settled ? errorText(tr, me.error) : tr.t('share.loading');
  else if (who.kind === 'operator') identity = tr.t('share.me.operator');
  else
    identity = tr.t('share.me.member', {
      organisation: who.organisation
        ? organisationName(organisations, who.organisation, tr.lang)
        : tr.t('share.me.noOrganisation'),
    });
  return (
    <div class="sharing__bar">
      <div>
        <h1 class="sharing__title">{tr.t('share.title')}</h1>
        <p class="sharing__lead">{tr.t('share.lead')}</p>
      </div>
      <div class="sharing__me" data-testid="sharing-me">
        <span class="sharing__me-dot" />
        <span>{identity}</span>
        {who && who.roles.length > 0 && (
          <span class="sharing__roles">
            {who.roles.map((r) => (
              <span key={r} class="tag">
                {tr.tx('role', r, r)}
              </span>
            ))}
          </span>
        )}
      </div>
      <button
        type="button"
        class="icon-button"
        title={tr.t('share.refresh')}
        aria-label={tr.t('share.refresh')}
        onClick={onRefresh}
      >
        <RefreshIcon />
      </button>
    </div>
  );
}
