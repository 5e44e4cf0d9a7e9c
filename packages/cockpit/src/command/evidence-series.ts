import type { TemporalValues } from '../api.js';
import type { Alert, Rule } from '../model.js';

/** What an alert's evidence chart shows: whose attribute, over which period, against what limit. */
export interface EvidencePlan {
  entityId: string;
  attr: string;
  /** ISO instants of the period charted. */
  from: string;
  to: string;
  /** The alert's own period inside it, epoch seconds. */
  alertFrom: number;
  alertTo: number;
  threshold?: number;
}

/** Time charted before the alert began and after it ended. */
const MARGIN_MS = 5 * 60_000;

const ms = (iso: string | undefined): number | undefined => {
  const t = iso === undefined ? NaN : Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
};

/**
 * The chart of an alert: its source's attribute (the evidence's, else the rule's) from a little
 * before the alert began to a little after it ended (or now, while it is open).
 */
export function evidencePlan(
  alert: Alert,
  rule: Rule | undefined,
  now: number,
): EvidencePlan | undefined {
  const attr = alert.evidence?.find((e) => e.attr)?.attr ?? rule?.attribute;
  const entityId = alert.alertSource ?? alert.evidence?.find((e) => e.entityId)?.entityId;
  if (!attr || !entityId) return undefined;
  const seen = (alert.evidence ?? []).map((e) => ms(e.observedAt)).filter((t) => t !== undefined);
  const start = Math.min(
    ms(alert.validFrom) ?? Infinity,
    ms(alert.dateIssued) ?? Infinity,
    ...seen,
  );
  const open =
    alert.status === 'raised' || alert.status === 'acknowledged' || alert.status === 'assigned';
  const end = open
    ? now
    : Math.max(ms(alert.validTo) ?? 0, ms(alert.lastSeen) ?? 0, ms(alert.dateIssued) ?? 0, ...seen);
  if (!Number.isFinite(start)) return undefined;
  return {
    entityId,
    attr,
    from: new Date(start - MARGIN_MS).toISOString(),
    to: new Date(Math.min(now, end + MARGIN_MS)).toISOString(),
    alertFrom: start / 1000,
    alertTo: end / 1000,
    ...(rule?.attribute === attr && typeof rule.value === 'number' && { threshold: rule.value }),
  };
}

/** uPlot data: shared times (s), the attribute's values, and the evidence points (null between). */
export type EvidenceData = [number[], (number | null)[], (number | null)[]];

/** The history and the evidence on one time axis, in time order; numbers only. */
export function evidenceData(
  history: TemporalValues,
  evidence: readonly { observedAt: string; value: unknown }[],
  scale: (v: number) => number = (v) => v,
): EvidenceData {
  const points = new Map<number, [number | null, number | null]>();
  const put = (at: string, v: unknown, slot: 0 | 1) => {
    const t = ms(at);
    if (t === undefined || typeof v !== 'number' || !Number.isFinite(v)) return;
    const row = points.get(t / 1000) ?? [null, null];
    row[slot] = scale(v);
    points.set(t / 1000, row);
  };
  for (const [v, at] of history) put(at, v, 0);
  for (const e of evidence) put(e.observedAt, e.value, 1);
  const xs = [...points.keys()].sort((a, b) => a - b);
  return [xs, xs.map((x) => points.get(x)![0]), xs.map((x) => points.get(x)![1])];
}
