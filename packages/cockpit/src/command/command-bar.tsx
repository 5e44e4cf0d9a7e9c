import type { ComponentChild } from 'preact';
import { useI18n } from '../i18n.js';
import { RefreshIcon } from '../sharing/icons.js';
import type { Me, Organisation } from '../sharing/sharing-model.js';
import { orgName } from './command-names.js';

/** The command screens. */
export const COMMAND_TABS = ['alerts', 'incidents', 'tasks', 'rules'] as const;
/** One of them. */
export type CommandTab = (typeof COMMAND_TABS)[number];

/** Props of the command bar. */
export interface CommandBarProps {
  tab: CommandTab;
  onTab: (tab: CommandTab) => void;
  /** What needs attention on each screen (open alerts, open incidents, overdue tasks). */
  counts: Partial<Record<CommandTab, { n: number; hot?: boolean }>>;
  me: Me | undefined;
  organisations: ReadonlyMap<string, Organisation>;
  onRefresh: () => void;
}

const ICONS: Record<CommandTab, ComponentChild> = {
  alerts: <path d="M12 3 2 20h20L12 3zM12 10v4M12 17h.01" />,
  incidents: <path d="M4 6h16M4 12h16M4 18h10" />,
  tasks: <path d="M9 6h11M9 12h11M9 18h11M4 6l1 1 2-2M4 12l1 1 2-2M4 18l1 1 2-2" />,
  rules: (
    <path d="M8 4H7a2 2 0 0 0-2 2v4l-2 2 2 2v4a2 2 0 0 0 2 2h1M16 4h1a2 2 0 0 1 2 2v4l2 2-2 2v4a2 2 0 0 1-2 2h-1" />
  ),
};

/** Title, the four screens as tabs with what needs attention, who is signed in, refresh. */
export function CommandBar(p: CommandBarProps) {
  const tr = useI18n();
  const who = p.me;
  const identity = !who
    ? tr.t('share.loading')
    : who.kind === 'operator'
      ? tr.t('cmd.me.operator')
      : tr.t('share.me.member', {
          organisation: who.organisation
            ? orgName(tr, p.organisations, who.organisation)
            : tr.t('share.me.noOrganisation'),
        });
  return (
    <div class="sharing__bar command__bar">
      <div>
        <h1 class="sharing__title">{tr.t('cmd.title')}</h1>
        <p class="sharing__lead">{tr.t('cmd.lead')}</p>
      </div>
      <nav
        class="command__tabs"
        role="tablist"
        aria-label={tr.t('cmd.title')}
        data-testid="command-tabs"
      >
        {COMMAND_TABS.map((t) => {
          const count = p.counts[t];
          return (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={p.tab === t}
              class={`command__tab${p.tab === t ? ' is-active' : ''}`}
              data-tab={t}
              onClick={() => p.onTab(t)}
            >
              <svg
                width="15"
                height="15"
                viewBox="0 0 24 24"
                fill="none"
                stroke="currentColor"
                stroke-width="1.8"
                stroke-linecap="round"
                stroke-linejoin="round"
                aria-hidden="true"
              >
                {ICONS[t]}
              </svg>
              {tr.t(`cmd.tab.${t}`)}
              {count && count.n > 0 && (
                <span class={`command__count${count.hot ? ' is-hot' : ''}`}>{count.n}</span>
              )}
            </button>
          );
        })}
      </nav>
      <div class="sharing__me" data-testid="command-me">
        <span class="sharing__me-dot" />
        <span>{identity}</span>
      </div>
      <button
        type="button"
        class="icon-button"
        title={tr.t('share.refresh')}
        aria-label={tr.t('share.refresh')}
        onClick={p.onRefresh}
      >
        <RefreshIcon />
      </button>
    </div>
  );
}
