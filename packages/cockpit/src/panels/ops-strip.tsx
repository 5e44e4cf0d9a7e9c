import { useI18n } from '../i18n.js';
import type { Health } from '../model.js';

function tone(v: unknown): 'ok' | 'warn' | 'bad' {
  if (v === true || v === 'ok' || v === 'up' || v === 'pass') return 'ok';
  if (typeof v === 'object' && v !== null && 'status' in v) return tone(v.status);
  if (v === 'degraded' || v === 'starting' || v === 'warn') return 'warn';
  return 'bad';
}

/** Small operations strip from `/health`: overall status and the store / MQTT checks. */
export function OpsStrip({ health }: { health: Health | undefined }) {
  const tr = useI18n();
  if (!health)
    return <div class="ops ops--unknown">{`${tr.t('ops.health')} · ${tr.t('ops.unknown')}`}</div>;
  const checks = health.checks ?? {};
  return (
    <div class="ops" data-testid="ops-strip">
      <span class={`ops__item ops__item--${tone(health.status)}`}>
        <i />
        {tr.t('ops.health')} <b>{tr.tx('health', health.status, health.status)}</b>
      </span>
      {'store' in checks && (
        <span
          class={`ops__item ops__item--${tone(checks.store)}`}
          title={JSON.stringify(checks.store)}
        >
          <i />
          {tr.t('ops.store')}
        </span>
      )}
      {'mqtt' in checks && (
        <span
          class={`ops__item ops__item--${tone(checks.mqtt)}`}
          title={JSON.stringify(checks.mqtt)}
        >
          <i />
          {tr.t('ops.mqtt')}
        </span>
      )}
      {health.authMode === 'none' && (
        <span class="ops__item ops__item--bad ops__flag">{tr.t('ops.authOff')}</span>
      )}
    </div>
  );
}
