// Machine description, results files and the printed summary of the ingest benchmark.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, hostname, release } from 'node:os';
import { join } from 'node:path';

/** What the figures were measured on. */
export function machineInfo() {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model?.trim() ?? 'unknown',
    totalMemMb: Math.round(totalmem() / 1048576),
    node: process.version,
    platform: `${process.platform} ${release()}`,
    hostname: hostname(),
    loadAvgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** Writes ingest-<timestamp>.json and ingest-latest.json; returns their paths. */
export function writeResults(dir, result) {
  mkdirSync(dir, { recursive: true });
  // ISO 8601 with '-' for ':' so that the name is valid on every filesystem.
  const stamp = result.finishedAt.replace(/:/g, '-');
  const text = `${JSON.stringify(result, null, 2)}\n`;
  const file = join(dir, `ingest-${stamp}.json`);
  const latest = join(dir, 'ingest-latest.json');
  writeFileSync(file, text);
  writeFileSync(latest, text);
  return { file, latest };
}

const int = (n) => (n === null || n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const ms = (n) =>
  n === null || n === undefined
    ? 'n/a'
    : `${n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n)} ms`;
const pct = (n) => (n === null || n === undefined ? 'n/a' : `${Math.round(n)} %`);

/** The human-readable report printed at the end of a run. */
export function printSummary(r) {
  const p = r.parameters;
  const rows = [];
  const row = (label, value) => rows.push(`  ${label.padEnd(26)} ${value}`);
  console.log('');
  console.log(
    `citybrain ingest benchmark: ${p.devices} devices x ${p.inflight} in flight, ${p.seconds} s measured` +
      ` (+${p.warmupSeconds} s warm-up), rate ${p.rate ? `${int(p.rate)} msgs/s` : 'unlimited'}${p.quick ? ', --quick' : ''}`,
  );
  const m = r.machine;
  console.log(
    `machine: ${m.cpus} x ${m.cpuModel}, ${int(m.totalMemMb)} MB, node ${m.node}, load avg at start ${m.loadAvgAtStart.join(' ')}`,
  );
  console.log(
    `store: ${r.server.dataFilesystem ? `${r.server.dataFilesystem.type} (${r.server.dataFilesystem.device})` : 'unknown fs'}, synchronous=${p.storeSynchronous}`,
  );
  console.log('');
  const t = r.target;
  row(
    'sustained throughput',
    `${int(r.throughput.msgsPerSec)} msgs/s   (${int(r.throughput.ackedInWindow)} acked in ${r.throughput.measuredSeconds.toFixed(1)} s)`,
  );
  row(
    'slowest / fastest second',
    `${int(r.throughput.minPerSecond)} / ${int(r.throughput.maxPerSecond)} msgs/s`,
  );
  row(
    `target ${int(t.msgsPerSec)} msgs/s x ${t.seconds} s`,
    t.met ? 'MET' : `NOT MET${t.reason ? ` (${t.reason})` : ''}`,
  );
  const l = r.latencyMs;
  row(
    'publish -> PUBACK',
    `p50 ${ms(l.p50)}   p90 ${ms(l.p90)}   p99 ${ms(l.p99)}   max ${ms(l.max)}   (${int(l.count)} msgs)`,
  );
  if (r.probe) {
    const q = r.probe.latencyMs;
    row(
      'probe publish-to-queryable',
      `p50 ${ms(q.p50)}   p99 ${ms(q.p99)}   max ${ms(q.max)}   (HTTP poll; ${r.probe.visible}/${r.probe.published} seen, ${r.probe.timeouts} timeouts)`,
    );
  }
  row(
    'server peak RSS',
    `${int(r.server.peakRssMb)} MB during the load (RSS after it ${int(r.server.rssAtEndMb)} MB; peak incl. verification reads ${int(r.server.peakRssInclVerificationMb)} MB)`,
  );
  const sd = r.cpu.serverMainThreadSched;
  row(
    'server CPU (window)',
    `process ${pct(r.cpu.serverProcessPercent)} of a core, main thread ${pct(r.cpu.serverMainThreadPercent)}` +
      (sd ? ` (+${pct(sd.waitingForCpuPercent)} waiting for a CPU)` : ''),
  );
  row(
    'generator CPU (window)',
    `${pct(r.cpu.generatorPercent)} of a core, event-loop utilisation ${r.cpu.generatorEventLoopUtilization?.toFixed(2) ?? 'n/a'}` +
      (r.cpu.generatorMainThreadSched
        ? ` (main thread +${pct(r.cpu.generatorMainThreadSched.waitingForCpuPercent)} waiting for a CPU)`
        : ''),
  );
  row(
    'orchestrator CPU (window)',
    `${pct(r.cpu.orchestratorPercent)} of a core (probe polling, sampling)`,
  );
  row(
    'machine CPU (window)',
    `busy ${pct(r.cpu.machineBusyPercent)} of ${m.cpus} cores, iowait ${pct(r.cpu.machineIowaitPercent)}, other processes ${pct(r.cpu.otherProcessesPercent)} of a core`,
  );
  const c = r.commits.window;
  row(
    'commits (window)',
    `${int(c.perSecond)}/s, mean batch ${c.meanBatch?.toFixed(1) ?? 'n/a'} obs, mean commit ${ms(c.meanCommitMs)}, ` +
      `commit time ${pct(c.commitTimePercentOfWall)} of wall`,
  );
  row(
    'commits (whole run)',
    `${int(r.commits.total.count)} commits, mean batch ${r.commits.total.meanBatch?.toFixed(1) ?? 'n/a'} obs`,
  );
  const v = r.verification;
  row(
    'verification',
    `${int(v.expected)} acked, ${int(v.found)} queryable over ${v.devices} devices: ${v.ok ? 'OK' : `FAILED (${v.mismatches.length} devices differ)`}`,
  );
  row(
    'load errors',
    `${int(r.load.errors)} publish errors, ${int(r.load.disconnects)} lost connections, ${int(r.load.inflightAtEnd)} unsettled`,
  );
  row(
    'server exit',
    `${r.server.exit.code ?? r.server.exit.signal}${r.server.exit.ok ? ' (clean)' : ' (NOT clean)'}`,
  );
  console.log(rows.join('\n'));
  if (r.observations.length) {
    console.log('');
    for (const o of r.observations) console.log(`  * ${o}`);
  }
  console.log('');
}
