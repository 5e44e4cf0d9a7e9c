// HTTP load against the server for the NGSI-LD benchmark: autocannon for throughput, a closed
// loop of fetch clients for precise latencies. Both send the operator's token unless told
// otherwise (`headers`), and return the monotonic window they ran in (to cut a CPU profile).
import autocannon from 'autocannon';
import { LatencyRecorder, percentile, round } from './stats.mjs';

/** The monotonic clock of V8 CPU profiles, in µs (see cpuprofile.mjs). */
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** p50/p95/p99/max of latencies sorted ascending, in ms to 0.01. */
export function latencySummary(sorted) {
  return {
    p50: round(percentile(sorted, 50), 2),
    p95: round(percentile(sorted, 95), 2),
    p99: round(percentile(sorted, 99), 2),
    max: round(sorted[sorted.length - 1] ?? NaN, 2),
  };
}

/**
 * Throughput and latency with autocannon, requests built per call. `latencyMs` is autocannon's
 * own (whole ms); `hrLatencyMs` is from each response's hrtime duration (p95 included), and
 * with `keepLatencies` those durations are returned too (sorted, to merge runs).
 */
export async function cannon(server, { seconds, connections, build, headers, keepLatencies }) {
  const hr = new LatencyRecorder(1 << 16);
  const fromUs = nowUs();
  const instance = autocannon({
    url: server.url,
    connections,
    duration: seconds,
    headers: headers ?? { authorization: `Bearer ${server.token}` },
    requests: [{ setupRequest: (req) => ({ ...req, ...build() }) }],
  });
  instance.on('response', (_client, _status, _bytes, ms) => hr.push(ms));
  const result = await instance;
  const sorted = hr.sorted();
  return {
    requests: result.requests.total,
    perSec: Math.round(result.requests.total / seconds),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p97_5: result.latency.p97_5,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    hrLatencyMs: latencySummary(sorted),
    windowUs: { from: fromUs, to: nowUs() },
    ...(keepLatencies && { latencies: sorted }),
  };
}

/**
 * Precise latencies (hrtime) from a closed loop of `concurrency` clients for `seconds`; `check`
 * sees each 200's parsed body and response and returns a problem, if any. `keepLatencies`: as
 * for `cannon`.
 */
export async function closedLoop(
  server,
  { seconds, concurrency, path, check, headers, keepLatencies },
) {
  const latencies = new LatencyRecorder(1 << 14);
  let failures = 0;
  let lastFailure;
  const fromUs = nowUs();
  const end = performance.now() + seconds * 1000;
  const sent = {
    authorization: `Bearer ${server.token}`,
    accept: 'application/json',
    ...headers,
  };
  const worker = async () => {
    while (performance.now() < end) {
      const p = path();
      const t0 = performance.now();
      const res = await fetch(server.url + p, { headers: sent });
      const text = await res.text();
      latencies.push(performance.now() - t0);
      const problem = res.status === 200 ? check?.(JSON.parse(text), res) : `HTTP ${res.status}`;
      if (problem) {
        failures++;
        lastFailure = `${p}: ${problem} ${text.slice(0, 200)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const sorted = latencies.sorted();
  return {
    requests: latencies.length,
    perSec: Math.round(latencies.length / seconds),
    failures,
    lastFailure,
    latencyMs: latencySummary(sorted),
    windowUs: { from: fromUs, to: nowUs() },
    ...(keepLatencies && { latencies: sorted }),
  };
}
