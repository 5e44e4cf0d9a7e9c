import type uPlot from 'uplot';

const AXIS = '#7d8da8';
const GRID = 'rgba(120, 150, 200, 0.09)';
const LINE = '#4fd1ff';

/** Options of the chart labels that must be translated. */
export interface ChartLabels {
  value: string;
  threshold: string;
  locale: string | undefined;
}

function thresholdPlugin(value: number | undefined, label: string): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        if (value === undefined) return;
        const y = u.valToPos(value, 'y', true);
        if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) return;
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = 'rgba(255, 107, 122, 0.85)';
        ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
        ctx.lineWidth = devicePixelRatio;
        ctx.beginPath();
        ctx.moveTo(u.bbox.left, y);
        ctx.lineTo(u.bbox.left + u.bbox.width, y);
        ctx.stroke();
        ctx.fillStyle = 'rgba(255, 107, 122, 0.95)';
        ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
        ctx.textAlign = 'left';
        ctx.textBaseline = 'bottom';
        ctx.fillText(
          `${label} ${value}`,
          u.bbox.left + 6 * devicePixelRatio,
          y - 3 * devicePixelRatio,
        );
        ctx.restore();
      },
    },
  };
}

function areaFill(u: uPlot): CanvasGradient {
  const g = u.ctx.createLinearGradient(0, u.bbox.top, 0, u.bbox.top + u.bbox.height);
  g.addColorStop(0, 'rgba(79, 209, 255, 0.35)');
  g.addColorStop(1, 'rgba(79, 209, 255, 0)');
  return g;
}

/** Tick labels in local 24-hour time; the date is added where the day changes. */
function timeLabels(splits: number[], locale: string | undefined): string[] {
  // Seconds only matter when ticks are less than a minute apart.
  const step = splits.length > 1 ? splits[1]! - splits[0]! : 60;
  const time = new Intl.DateTimeFormat(locale, {
    hour: '2-digit',
    minute: '2-digit',
    ...(step < 60 ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  });
  const day = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' });
  let lastDay = '';
  return splits.map((s) => {
    const d = new Date(s * 1000);
    const dayText = day.format(d);
    const text = lastDay && dayText !== lastDay ? `${dayText} ${time.format(d)}` : time.format(d);
    lastDay = dayText;
    return text;
  });
}

/** Dark uPlot options for one time series (x in seconds, local time). */
export function chartOptions(
  width: number,
  height: number,
  labels: ChartLabels,
  threshold: number | undefined,
): uPlot.Options {
  const axis: uPlot.Axis = {
    stroke: AXIS,
    grid: { stroke: GRID, width: 1 },
    ticks: { stroke: GRID, width: 1 },
    font: '11px system-ui, sans-serif',
  };
  const valueFormat = new Intl.NumberFormat(labels.locale, { maximumFractionDigits: 2 });
  return {
    width,
    height,
    legend: { show: false },
    cursor: { points: { size: 7, fill: LINE, stroke: '#0b1322' }, drag: { x: false, y: false } },
    scales: {
      x: { time: true },
      y: {
        range: (_u, min, max) => {
          const lo = Math.min(min, threshold ?? min);
          const hi = Math.max(max, threshold ?? max);
          const pad = (hi - lo) * 0.12 || Math.abs(hi) * 0.1 || 1;
          return [lo - pad, hi + pad];
        },
      },
    },
    axes: [
      { ...axis, space: 64, values: (_u, splits) => timeLabels(splits, labels.locale) },
      { ...axis, size: 46, values: (_u, splits) => splits.map((v) => valueFormat.format(v)) },
    ],
    series: [
      {},
      { label: labels.value, stroke: LINE, width: 2, fill: areaFill, points: { show: false } },
    ],
    plugins: [thresholdPlugin(threshold, labels.threshold)],
  };
}
