import type { ConnectionState } from '../api.js';
import { useI18n } from '../i18n.js';
import type { Health } from '../model.js';
import { BrandMark } from './brand-mark.js';
import { LanguageSwitch } from './language-switch.js';
import type { Purpose } from '../sharing/sharing-model.js';
import { OpsStrip } from './ops-strip.js';
import { PurposePicker } from './purpose-picker.js';
import { ViewSwitch, type CockpitView } from './view-switch.js';

/** Props of the header bar. */
export interface HeaderBarProps {
  cityName?: string;
  now: number;
  devices: number;
  openAlerts: number;
  districts: number;
  connection: ConnectionState;
  health?: Health;
  /** Bumps on every new live alert: restarts the counter's flash. */
  alertPulse: number;
  view: CockpitView;
  onView: (view: CockpitView) => void;
  purpose: Purpose | undefined;
  /** Shows the purpose picker (not to the operator, who reads everything without one). */
  onPurpose?: (purpose: Purpose | undefined) => void;
  onSignOut: () => void;
}

/** Top bar: brand and city, view tabs, stated purpose, KPIs, ops status, live indicator, clock, language, sign-out. */
export function HeaderBar(p: HeaderBarProps) {
  const tr = useI18n();
  const locale = tr.lang === 'zh' ? 'zh-CN' : undefined;
  const date = new Date(p.now);
  return (
    <header class={`header glass${p.onPurpose ? ' header--purpose' : ''}`} data-testid="header">
      <div class="header__brand">
        <BrandMark />
        <div>
          <div class="header__product">{tr.t('app.brand')}</div>
          <div class="header__city">{p.cityName ?? '…'}</div>
        </div>
      </div>
      <ViewSwitch view={p.view} onChange={p.onView} />
      {p.onPurpose && <PurposePicker purpose={p.purpose} onChange={p.onPurpose} />}
      <div class="header__kpis">
        <Kpi label={tr.t('kpi.devices')} value={p.devices} testId="kpi-devices" />
        <Kpi
          label={tr.t('kpi.openAlerts')}
          value={p.openAlerts}
          tone={p.openAlerts > 0 ? 'alert' : undefined}
          pulseKey={p.alertPulse}
          testId="kpi-alerts"
        />
        <Kpi label={tr.t('kpi.districts')} value={p.districts} />
      </div>
      <div class="header__right">
        <OpsStrip health={p.health} />
        <div
          class={`conn conn--${p.connection}`}
          data-testid="connection"
          data-state={p.connection}
        >
          <span class="conn__dot" />
          {tr.t(`conn.${p.connection}`)}
        </div>
        <div class="clock">
          <div class="clock__time">{date.toLocaleTimeString(locale, { hour12: false })}</div>
          <div class="clock__date">
            {date.toLocaleDateString(locale, { weekday: 'short', month: 'short', day: 'numeric' })}
          </div>
        </div>
        <LanguageSwitch />
        <button
          class="icon-button"
          type="button"
          title={tr.t('header.signOut')}
          aria-label={tr.t('header.signOut')}
          onClick={p.onSignOut}
        >
          <svg
            width="18"
            height="18"
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="1.8"
            aria-hidden="true"
          >
            <path d="M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3M10 17l5-5-5-5M15 12H4" />
          </svg>
        </button>
      </div>
    </header>
  );
}

interface KpiProps {
  label: string;
  value: number;
  tone?: 'alert';
  pulseKey?: number;
  testId?: string;
}

function Kpi({ label, value, tone, pulseKey, testId }: KpiProps) {
  return (
    <div class={`kpi${tone ? ` kpi--${tone}` : ''}`} data-testid={testId}>
      <div class="kpi__value" key={pulseKey}>
        {value.toLocaleString()}
      </div>
      <div class="kpi__label">{label}</div>
    </div>
  );
}
