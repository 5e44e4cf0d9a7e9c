import type { Alert, AlertStatus } from '../model.js';
import {
  ALERT_ACTIONS,
  ALERT_ALLOWED_FROM,
  type AlertAction,
  type AlertQuery,
} from './command-model.js';

const time = (iso: string | undefined): number => {
  const t = iso === undefined ? NaN : Date.parse(iso);
  return Number.isFinite(t) ? t : 0;
};

/**
 * When an alert last changed: every change adds a history entry or a comment, or refreshes
 * `lastSeen`, so the latest of those tells two copies of one alert apart.
 */
export function alertStamp(a: Alert): number {
  return Math.max(
    time(a.dateIssued),
    time(a.lastSeen),
    time(a.history?.[a.history.length - 1]?.at),
    time(a.comments?.[a.comments.length - 1]?.at),
  );
}

/** The newer of two copies of one alert (the second on a tie: it arrived later). */
export function newerAlert(a: Alert, b: Alert): Alert {
  return alertStamp(a) > alertStamp(b) ? a : b;
}

/** True when the alert passes the filters, as the server would judge it. */
export function matchesQuery(a: Alert, q: AlertQuery): boolean {
  return (
    (q.status.length === 0 || q.status.includes(a.status)) &&
    (q.severity.length === 0 || q.severity.includes(a.severity)) &&
    (!q.category || a.category === q.category) &&
    (!q.area || [a.areaServed, a.refDistrict, a.refCommunity].includes(q.area))
  );
}

const byNewest = (a: Alert, b: Alert): number =>
  time(b.dateIssued) - time(a.dateIssued) || a.id.localeCompare(b.id);

/**
 * The listed alerts brought up to date with the live ones: a newer copy replaces the listed
 * one, an alert that no longer passes the filters leaves, a new one that passes joins.
 */
export function withLiveAlerts(
  listed: readonly Alert[],
  live: readonly Alert[],
  q: AlertQuery,
): Alert[] {
  const out = new Map(listed.map((a) => [a.id, a]));
  for (const a of live) {
    const known = out.get(a.id);
    const current = known ? newerAlert(known, a) : a;
    if (matchesQuery(current, q)) out.set(a.id, current);
    else out.delete(a.id);
  }
  return [...out.values()].sort(byNewest);
}

/** The actions the server allows on an alert of this status. */
export function actionsFor(status: AlertStatus): AlertAction[] {
  return ALERT_ACTIONS.filter((a) => ALERT_ALLOWED_FROM[a].includes(status));
}

/** The actions that apply to at least one of several alerts (a bulk action reports the rest). */
export function bulkActions(statuses: readonly AlertStatus[]): AlertAction[] {
  return ALERT_ACTIONS.filter((a) => statuses.some((s) => ALERT_ALLOWED_FROM[a].includes(s)));
}
