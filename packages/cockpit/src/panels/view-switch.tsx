import type { ComponentChild } from 'preact';
import { useI18n } from '../i18n.js';
import { CommandIcon, MapIcon, ShareIcon } from '../sharing/icons.js';

/** The cockpit's views: the live city map, command and dispatch, and data sharing. */
export type CockpitView = 'map' | 'command' | 'sharing';

/** Props of the view switch. */
export interface ViewSwitchProps {
  view: CockpitView;
  onChange: (view: CockpitView) => void;
}

/** Tabs in the header between the map, command and dispatch, and the data-sharing view. */
export function ViewSwitch({ view, onChange }: ViewSwitchProps) {
  const tr = useI18n();
  const tab = (id: CockpitView, label: string, icon: ComponentChild) => (
    <button
      type="button"
      role="tab"
      class={`view-switch__tab${view === id ? ' is-active' : ''}`}
      aria-selected={view === id}
      title={label}
      data-view={id}
      onClick={() => onChange(id)}
    >
      {icon}
      <span class="view-switch__label">{label}</span>
    </button>
  );
  return (
    <nav
      class="view-switch"
      role="tablist"
      aria-label={tr.t('view.label')}
      data-testid="view-switch"
    >
      {tab('map', tr.t('view.map'), <MapIcon />)}
      {tab('command', tr.t('view.command'), <CommandIcon />)}
      {tab('sharing', tr.t('view.sharing'), <ShareIcon />)}
    </nav>
  );
}
