// Latency recording and percentiles for the benchmark (plain ESM, no build step).

/** A growable list of latencies in milliseconds, kept in a Float64Array. */
export class LatencyRecorder {
  constructor(initialCapacity = 1 << 20) {
    this.values = new Float64Array(initialCapacity);
    this.length = 0;
  }

  push(ms) {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = ms;
  }

  /** The recorded values, sorted ascending (a copy). */
  sorted() {
    return this.values.slice(0, this.length).sort();
  }
}

/** Nearest-rank percentile of an ascending array; p in [0, 100]. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  if (p <= 0) return sorted[0];
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** count, mean, p50/p90/p99/p99.9, min and max of a list of numbers (ms). */
export function summarize(values) {
  const sorted =
    values instanceof Float64Array ? values.slice().sort() : Float64Array.from(values).sort();
  if (sorted.length === 0)
    return {
      count: 0,
      mean: null,
      min: null,
      p50: null,
      p90: null,
      p99: null,
      p999: null,
      max: null,
    };
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i];
  return {
    count: sorted.length,
    mean: sum / sorted.length,
    min: sorted[0],
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: sorted[sorted.length - 1],
  };
}

/** Rounds a number (or null) to `digits` decimals for reports. */
export function round(value, digits = 2) {
  if (value === null || value === undefined || !Number.isFinite(value)) return value ?? null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
