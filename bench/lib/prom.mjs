// A small parser of the Prometheus text format for the few metrics the bench reads.

/** Parses exposition text into [{name, labels: {k: v}, value}]. */
export function parseProm(text) {
  const samples = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[3]) {
      for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
        labels[l[1]] = l[2];
    }
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return samples;
}

/** Sum of the samples of a metric whose labels include `match`. */
export function sumOf(samples, name, match = {}) {
  let sum = 0;
  let found = false;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (Object.entries(match).some(([k, v]) => s.labels[k] !== v)) continue;
    sum += s.value;
    found = true;
  }
  return found ? sum : null;
}

/** A histogram's sum, count and cumulative buckets [{le, count}]. */
export function histogramOf(samples, name) {
  const buckets = samples
    .filter((s) => s.name === `${name}_bucket`)
    .map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), count: s.value }))
    .sort((a, b) => a.le - b.le);
  return {
    sum: sumOf(samples, `${name}_sum`) ?? 0,
    count: sumOf(samples, `${name}_count`) ?? 0,
    buckets,
  };
}

/** The difference b - a of two histogramOf() results (the activity between two scrapes). */
export function histogramDelta(a, b) {
  const before = new Map(a.buckets.map((x) => [x.le, x.count]));
  return {
    sum: b.sum - a.sum,
    count: b.count - a.count,
    buckets: b.buckets.map((x) => ({ le: x.le, count: x.count - (before.get(x.le) ?? 0) })),
  };
}

/** The bucket bound below which `q` (0..1) of a histogram's observations fall (upper bound estimate). */
export function histogramQuantile(h, q) {
  if (!h.count) return null;
  const target = q * h.count;
  for (const b of h.buckets) if (b.count >= target) return b.le;
  return Infinity;
}

/** Buckets as JSON-safe rows ("+Inf" for the last). */
export function bucketsForJson(h) {
  return h.buckets.map((b) => ({ le: Number.isFinite(b.le) ? b.le : '+Inf', count: b.count }));
}
