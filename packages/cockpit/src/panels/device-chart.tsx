import 'uplot/dist/uPlot.min.css';
import uPlot from 'uplot';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import type { CockpitStore } from '../cockpit-store.js';
import { displayNumber } from '../domain/attributes.js';
import { useI18n, type MessageKey } from '../i18n.js';
import { chartOptions } from './chart-options.js';

/** Props of the history chart. */
export interface DeviceChartProps {
  api: ApiClient;
  store: CockpitStore;
  entityId: string;
  attr: string;
  threshold?: number;
}

const HEIGHT = 190;
const MAX_POINTS = 2000;

/** Time of a live update: the entity's own observation time when it says so, else now. */
function observedSeconds(entity: Record<string, unknown>): number {
  const t = [entity.observedAt, entity.dateObserved].find((v) => typeof v === 'string');
  const ms = typeof t === 'string' ? Date.parse(t) : NaN;
  return (Number.isFinite(ms) ? ms : Date.now()) / 1000;
}

/** uPlot chart of one attribute's history (last 500 points), extended live from the event stream. */
export function DeviceChart({ api, store, entityId, attr, threshold }: DeviceChartProps) {
  const tr = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<MessageKey | undefined>('device.loading');
  const locale = tr.lang === 'zh' ? 'zh-CN' : undefined;

  useEffect(() => {
    const el = box.current!;
    const xs: number[] = [];
    const ys: number[] = [];
    const labels = { value: tr.tx('attr', attr), threshold: tr.t('device.threshold'), locale };
    const plot = new uPlot(
      chartOptions(el.clientWidth || 340, HEIGHT, labels, threshold),
      [xs, ys],
      el,
    );
    let alive = true;
    // Live points that arrive before the history are held back, so the series stays in time order.
    let pending: [number, number][] | undefined = [];
    const push = (t: number, v: number): void => {
      if (xs.length > 0 && t <= xs[xs.length - 1]!) return;
      xs.push(t);
      ys.push(displayNumber(attr, v));
      if (xs.length > MAX_POINTS) {
        xs.shift();
        ys.shift();
      }
    };
    api
      .temporal(entityId, attr, { lastN: 500 })
      .then((values) => {
        if (!alive) return;
        const points = values
          .map(([v, at]) => [Date.parse(at) / 1000, v] as const)
          .filter(
            (p): p is readonly [number, number] =>
              typeof p[1] === 'number' && Number.isFinite(p[0]),
          )
          .sort((a, b) => a[0] - b[0]);
        for (const [t, v] of points) push(t, v);
        for (const [t, v] of pending ?? []) push(t, v);
        pending = undefined;
        plot.setData([xs, ys]);
        setStatus(xs.length === 0 ? 'device.noHistory' : undefined);
      })
      .catch(() => {
        pending = undefined;
        if (alive) setStatus('device.historyFailed');
      });
    const off = store.onDevice((d) => {
      const v = d[attr];
      if (d.id !== entityId || typeof v !== 'number') return;
      if (pending) return void pending.push([observedSeconds(d), v]);
      push(observedSeconds(d), v);
      plot.setData([xs, ys]);
      setStatus(undefined);
    });
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: el.clientWidth, height: HEIGHT }),
    );
    resize.observe(el);
    return () => {
      alive = false;
      off();
      resize.disconnect();
      plot.destroy();
    };
  }, [api, store, entityId, attr, threshold, tr.lang]);

  return (
    <div class="chart" data-testid="device-chart">
      <div class="chart__plot" ref={box} />
      {status && <div class="chart__status">{tr.t(status)}</div>}
    </div>
  );
}
