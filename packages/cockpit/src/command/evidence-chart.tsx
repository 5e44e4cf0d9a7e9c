import 'uplot/dist/uPlot.min.css';
import uPlot from 'uplot';
import { useEffect, useRef, useState } from 'preact/hooks';
import { displayNumber } from '../domain/attributes.js';
import { unitOf } from '../domain/units.js';
import { useI18n, type MessageKey } from '../i18n.js';
import type { Alert } from '../model.js';
import { chartOptions } from '../panels/chart-options.js';
import { useCommandEnv } from './command-context.js';
import { evidenceData, evidencePlan, type EvidencePlan } from './evidence-series.js';

const HEIGHT = 180;
const EVIDENCE = '#ff8a3d';
/** Most values read for one chart. */
const MAX_POINTS = 2000;

/** Shades the alert's own period on the chart. */
function periodPlugin(plan: EvidencePlan): uPlot.Plugin {
  return {
    hooks: {
      drawClear: (u) => {
        const left = Math.max(u.bbox.left, u.valToPos(plan.alertFrom, 'x', true));
        const right = Math.min(u.bbox.left + u.bbox.width, u.valToPos(plan.alertTo, 'x', true));
        if (!(right > left)) return;
        u.ctx.save();
        u.ctx.fillStyle = 'rgba(255, 77, 94, 0.08)';
        u.ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
        u.ctx.restore();
      },
    },
  };
}

/**
 * The alert's source attribute over the alert's period (NGSI-LD temporal API, `between`), its
 * evidence marked, the rule's limit dashed and the alert's own period shaded.
 */
export function EvidenceChart({ alert }: { alert: Alert }) {
  const tr = useI18n();
  const env = useCommandEnv();
  const box = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<MessageKey | undefined>('device.loading');
  const rule = alert.rule ? env.rules.get(alert.rule) : undefined;
  // The period is fixed when the chart opens; an open alert's chart is drawn again on demand.
  const [plan] = useState(() => evidencePlan(alert, rule, Date.now()));
  const locale = tr.lang === 'zh' ? 'zh-CN' : undefined;
  const evidenceKey = alert.evidence?.length ?? 0;

  useEffect(() => {
    const el = box.current;
    if (!plan || !el) return;
    const labels = { value: tr.tx('attr', plan.attr), threshold: tr.t('device.threshold'), locale };
    const opts = chartOptions(el.clientWidth || 400, HEIGHT, labels, plan.threshold);
    opts.series[1] = { ...opts.series[1], spanGaps: true };
    opts.series.push({
      label: tr.t('cmd.evidence.points'),
      stroke: EVIDENCE,
      paths: () => null,
      points: { show: true, size: 7, fill: EVIDENCE, stroke: '#0b1322', width: 1 },
    });
    opts.plugins = [...(opts.plugins ?? []), periodPlugin(plan)];
    const plot = new uPlot(opts, [[], [], []], el);
    let alive = true;
    const scale = (v: number) => displayNumber(plan.attr, v);
    env.client
      .temporal(plan.entityId, plan.attr, { from: plan.from, to: plan.to, lastN: MAX_POINTS })
      .then((history) => {
        if (!alive) return;
        const data = evidenceData(history, alert.evidence ?? [], scale);
        plot.setData(data);
        setStatus(data[0].length === 0 ? 'device.noHistory' : undefined);
      })
      .catch(() => alive && setStatus('device.historyFailed'));
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: el.clientWidth, height: HEIGHT }),
    );
    resize.observe(el);
    return () => {
      alive = false;
      resize.disconnect();
      plot.destroy();
    };
  }, [plan, tr.lang, evidenceKey]);

  if (!plan) return <p class="muted">{tr.t('cmd.evidence.noSource')}</p>;
  const unit = unitOf(plan.attr);
  return (
    <div
      class="chart evidence-chart"
      data-testid="evidence-chart"
      data-entity={plan.entityId}
      data-attr={plan.attr}
    >
      <div class="evidence-chart__legend">
        <span class="evidence-chart__line">{`${tr.tx('attr', plan.attr)}${unit ? ` · ${tr.tx('unit', unit, unit)}` : ''}`}</span>
        <span class="evidence-chart__dot">{tr.t('cmd.evidence.points')}</span>
        <span class="evidence-chart__band">{tr.t('cmd.evidence.period')}</span>
      </div>
      <div class="chart__plot" ref={box} />
      {status && <div class="chart__status">{tr.t(status)}</div>}
    </div>
  );
}
