// What the scale-out benchmark reads from the nodes: the committed count (/metrics), commit
// figures between two scrapes, and the check that every acknowledged message is stored once.
import { api, mapLimit } from './server.mjs';
import { histogramDelta, histogramOf, histogramQuantile, parseProm, sumOf } from './prom.mjs';

const COMMITTED = /^citybrain_ingest_observations_total\{source="mqtt"\} (\S+)$/m;

/** Observations from MQTT a node has committed so far (cheap: one regex, no full parse). */
export async function committedOf(node) {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return Number(COMMITTED.exec(text)?.[1] ?? 0);
}

/** Commit figures of one node between two of its scrapes. */
function commitsBetween(a, b, seconds) {
  const delta = (name) => histogramDelta(histogramOf(a, name), histogramOf(b, name));
  const batch = delta('citybrain_ingest_batch_observations');
  const commit = delta('citybrain_ingest_commit_seconds');
  const latency = delta('citybrain_ingest_latency_seconds');
  const upper = (h, q) => {
    const v = histogramQuantile(h, q);
    return v === null ? null : Number.isFinite(v) ? v * 1000 : '>max bucket';
  };
  return {
    perSecond: commit.count / seconds,
    meanBatch: batch.count ? batch.sum / batch.count : null,
    meanCommitMs: commit.count ? (commit.sum / commit.count) * 1000 : null,
    // Commits of one node overlap (one per session): this can pass 100 %.
    commitTimePercentOfWall: (100 * commit.sum) / seconds,
    receiveToCommitMeanMs: latency.count ? (latency.sum / latency.count) * 1000 : null,
    receiveToCommitP99UpperBoundMs: upper(latency, 0.99),
  };
}

/** Every node's /metrics, parsed: {perNode: [{committed, commitsSince(prev, s)}], committedTotal}. */
export async function clusterMetrics(nodes) {
  const perNode = await Promise.all(
    nodes.map(async (n) => {
      const samples = parseProm(await (await fetch(`${n.url}/metrics`)).text());
      const committed =
        sumOf(samples, 'citybrain_ingest_observations_total', { source: 'mqtt' }) ?? 0;
      return {
        committed,
        samples,
        commitsSince: (prev, seconds) => commitsBetween(prev.samples, samples, seconds),
      };
    }),
  );
  return { perNode, committedTotal: perNode.reduce((a, n) => a + n.committed, 0) };
}

/**
 * Reads every device's pm25 history through the nodes' temporal API (in turn) and compares it
 * with what the broker acknowledged: `found === acked` per device (the points are keyed by
 * observedAt, so a redelivery cannot add a point: fewer means lost, more means foreign data).
 */
export async function verifyStored(nodes, perDevice) {
  const rows = await mapLimit(perDevice, 4, async (d, i) => {
    const node = nodes[i % nodes.length];
    const id = `urn:ngsi-ld:AirQualityObserved:${d.id}`;
    const res = await api(
      node,
      `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}?attrs=pm25&options=temporalValues&lastN=${d.acked + 10}`,
    );
    let found = null;
    if (res.status === 200) found = res.body?.pm25?.values?.length ?? 0;
    else if (res.status === 404) found = 0;
    return { id: d.id, acked: d.acked, sent: d.sent, errors: d.errors, found, status: res.status };
  });
  const mismatches = rows
    .filter((d) => d.found !== d.acked)
    .map((d) => ({
      ...d,
      kind:
        d.found === null
          ? 'query failed'
          : d.found < d.acked
            ? 'MISSING (acked but not stored)'
            : 'extra (stored but not acked)',
    }));
  return {
    ok: mismatches.length === 0,
    devices: rows.length,
    expected: rows.reduce((a, d) => a + d.acked, 0),
    found: rows.reduce((a, d) => a + (d.found ?? 0), 0),
    mismatches,
  };
}
