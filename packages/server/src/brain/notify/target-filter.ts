import { SEVERITIES, type NotificationMessage, type Severity } from './channel.js';
import type { NotificationTarget } from './target.js';

/** True when an event pattern (`alert.raised`, `task.*`, `*`) covers an event. */
export function eventMatches(pattern: string, event: string): boolean {
  if (pattern === '*' || pattern === event) return true;
  return pattern.endsWith('.*') && event.startsWith(pattern.slice(0, -1));
}

/** The severity a value names, if it names one. */
export function asSeverity(value: unknown): Severity | undefined {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value)
    ? (value as Severity)
    : undefined;
}

/** True when `severity` is at least `min`; messages without a severity always pass. */
export function severityAtLeast(
  severity: Severity | undefined,
  min: Severity | undefined,
): boolean {
  if (!severity || !min) return true;
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(min);
}

/** True when an enabled target asked for this message. */
export function wants(target: NotificationTarget, message: NotificationMessage): boolean {
  return (
    target.enabled &&
    target.events.some((p) => eventMatches(p, message.event)) &&
    severityAtLeast(message.severity, target.minSeverity)
  );
}
