import type { Severity } from '../model.js';

/** Colour of each alert severity (chips, markers, district tint). */
export const SEVERITY_COLOR: Record<Severity, string> = {
  informational: '#5aa9ff',
  low: '#3ccf91',
  medium: '#f2c94c',
  high: '#ff8a3d',
  critical: '#ff3b5c',
};

const RANK: Record<Severity, number> = {
  informational: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

/** Orders severities: positive when `a` is more severe than `b`. */
export function compareSeverity(a: Severity, b: Severity): number {
  return (RANK[a] ?? 0) - (RANK[b] ?? 0);
}

/** The colour of a severity, grey for an unknown one. */
export function severityColor(s: string): string {
  return SEVERITY_COLOR[s as Severity] ?? '#8a97ab';
}
