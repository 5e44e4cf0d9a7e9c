/**
 * The wait a `Retry-After` header asks for, in ms (RFC 9110 §10.2.3: delay-seconds or an
 * HTTP-date); undefined when absent or unreadable. A date in the past means no wait.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,10}$/.test(trimmed)) return Number(trimmed) * 1000;
  // Only IMF-fixdate and its obsolete forms are dates; Date.parse alone accepts far more.
  if (!/^[A-Za-z]{3},? /.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
