import { displayNumber } from '../domain/attributes.js';
import { useI18n } from '../i18n.js';
import type { Alert } from '../model.js';
import { formatMoment } from '../sharing/format.js';
import { useCommandEnv } from './command-context.js';

/** Evidence rows shown before "and n more". */
const SHOWN = 6;

/** The observations that made the rule fire, newest first. */
export function EvidenceTable({ alert }: { alert: Alert }) {
  const tr = useI18n();
  const env = useCommandEnv();
  const evidence = [...(alert.evidence ?? [])].reverse();
  if (evidence.length === 0) return null;
  const nf = new Intl.NumberFormat(tr.lang === 'zh' ? 'zh-CN' : 'en-GB', {
    maximumFractionDigits: 2,
  });
  const value = (attr: string | undefined, v: unknown) =>
    typeof v === 'number' ? nf.format(attr ? displayNumber(attr, v) : v) : JSON.stringify(v);
  return (
    <table class="table table--dense evidence" data-testid="evidence-table">
      <thead>
        <tr>
          <th>{tr.t('cmd.evidence.observed')}</th>
          <th>{tr.t('cmd.evidence.attribute')}</th>
          <th class="num">{tr.t('alerts.value')}</th>
        </tr>
      </thead>
      <tbody>
        {evidence.slice(0, SHOWN).map((e, i) => (
          <tr key={`${e.observedAt}-${i}`}>
            <td class="access__time">{formatMoment(tr, e.observedAt, env.now)}</td>
            <td>{e.attr ? tr.tx('attr', e.attr) : '—'}</td>
            <td class="num">{value(e.attr, e.value)}</td>
          </tr>
        ))}
        {evidence.length > SHOWN && (
          <tr>
            <td colSpan={3} class="muted">
              {tr.t('cmd.evidence.more', { n: evidence.length - SHOWN })}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
