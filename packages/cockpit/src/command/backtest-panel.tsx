import { useState } from 'preact/hooks';
import { slugOf } from '../domain/places.js';
import { useI18n } from '../i18n.js';
import { errorText } from '../sharing/error-text.js';
import { formatMoment } from '../sharing/format.js';
import {
  BACKTEST_PERIODS,
  periodEnding,
  summarise,
  type BacktestPeriod,
} from './backtest-summary.js';
import { useCommandEnv } from './command-context.js';
import type { BacktestResult } from './command-model.js';
import type { RuleText } from './rule-text.js';

/** Props of the backtest panel. */
export interface BacktestPanelProps {
  ruleId: string;
  /** The draft as typed: what is tried, saved or not. */
  draft: RuleText | undefined;
}

/** Rows of would-be alerts listed. */
const LISTED = 30;

/** Tries the draft on the stored history of a past period: the alerts it would have raised. */
export function BacktestPanel({ ruleId, draft }: BacktestPanelProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  const [period, setPeriod] = useState<BacktestPeriod>('24h');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<BacktestResult>();
  const [error, setError] = useState<unknown>();

  const run = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await env.api.backtest(ruleId, periodEnding(period, Date.now()), draft));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const summary = result && summarise(result);
  const nf = new Intl.NumberFormat(tr.lang === 'zh' ? 'zh-CN' : 'en-GB', {
    maximumFractionDigits: 2,
  });

  return (
    <section class="card glass rules__backtest" data-testid="backtest">
      <header class="card__head">
        <h2 class="panel-title">{tr.t('cmd.backtest.title')}</h2>
        <div
          class="segmented segmented--small"
          role="radiogroup"
          aria-label={tr.t('cmd.backtest.period')}
        >
          {BACKTEST_PERIODS.map((p) => (
            <button
              key={p.id}
              type="button"
              role="radio"
              aria-checked={period === p.id}
              class={period === p.id ? 'is-active' : ''}
              data-period={p.id}
              onClick={() => setPeriod(p.id)}
            >
              {tr.t(`cmd.backtest.last.${p.id}`)}
            </button>
          ))}
        </div>
      </header>
      <div class="card__body">
        <p class="card__hint backtest__hint">{tr.t('cmd.backtest.hint')}</p>
        <button
          type="button"
          class="button button--primary button--small"
          disabled={busy || !draft}
          data-action="backtest"
          onClick={() => void run()}
        >
          {busy ? tr.t('cmd.backtest.running') : tr.t('cmd.backtest.run')}
        </button>
        {error !== undefined && (
          <pre class="server-message" role="alert">
            {errorText(tr, error)}
          </pre>
        )}
        {result && summary && (
          <div class="backtest" data-testid="backtest-result" data-raised={summary.raised}>
            <div class="backtest__figures">
              <div class="backtest__big">
                <b data-testid="backtest-count">{summary.raised}</b>
                <span>{tr.t('cmd.backtest.raised')}</span>
              </div>
              <div class="backtest__small">
                <span>{tr.t('cmd.backtest.cleared', { n: summary.cleared })}</span>
                <span>{tr.t('cmd.backtest.keys', { n: summary.keys })}</span>
                <span>
                  {tr.t('cmd.backtest.facts', {
                    facts: nf.format(result.facts),
                    entities: result.entities,
                  })}
                </span>
              </div>
            </div>
            <div class="timeline-strip" aria-hidden="true">
              {summary.marks.map((m, i) => (
                <i
                  key={i}
                  class={`timeline-strip__mark timeline-strip__mark--${m.signal.kind}`}
                  style={{ left: `${m.at * 100}%` }}
                />
              ))}
            </div>
            <div class="timeline-strip__ends">
              <span>{formatMoment(tr, result.from, env.now)}</span>
              <span>{formatMoment(tr, result.to, env.now)}</span>
            </div>
            {summary.marks.length > 0 && (
              <table class="table table--dense">
                <tbody>
                  {summary.marks
                    .slice(-LISTED)
                    .reverse()
                    .map(({ signal: s }, i) => (
                      <tr key={`${s.key}-${s.at}-${i}`} data-kind={s.kind}>
                        <td class="access__time">{formatMoment(tr, s.at, env.now)}</td>
                        <td>
                          <span class={`result result--${s.kind === 'raise' ? 'deny' : 'allow'}`}>
                            {tr.tx('cmd.backtest.kind', s.kind)}
                          </span>
                        </td>
                        <td class="mono" title={s.key}>
                          {slugOf(s.key)}
                        </td>
                        <td class="num">{typeof s.value === 'number' ? nf.format(s.value) : ''}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
