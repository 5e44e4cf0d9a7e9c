// The printed summary of the rules benchmark (bench/rules.mjs).

const int = (n) => (n === null || n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const ms = (n) =>
  n === null || n === undefined
    ? 'n/a'
    : `${n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n)} ms`;
const pct = (n) => (n === null || n === undefined ? 'n/a' : `${Math.round(n)} %`);
const latLine = (l) =>
  l && l.count
    ? `p50 ${ms(l.p50)}  ${l.p95 === undefined ? `p90 ${ms(l.p90)}` : `p95 ${ms(l.p95)}`}  p99 ${ms(l.p99)}  max ${ms(l.max)}  (${int(l.count)})`
    : 'none';

/** The human-readable report. */
export function printReport(r) {
  const p = r.parameters;
  const rows = [];
  const row = (label, value) => rows.push(`  ${label.padEnd(30)} ${value}`);
  console.log('');
  console.log(
    `citybrain rules benchmark: ${r.rules.loaded.active} active rules, ${int(p.rate)} obs/s from ${int(p.devices)} devices ` +
      `in ${p.areas} areas, ${p.seconds} s measured (+${p.warmupSeconds} s warm-up)${p.quick ? ', --quick' : ''}`,
  );
  const m = r.machine;
  console.log(
    `machine: ${m.cpus} x ${m.cpuModel}, node ${m.node}, load avg at start ${m.loadAvgAtStart.join(' ')}`,
  );
  console.log(
    `rules: ${Object.entries(r.rules.byKind)
      .map(([k, v]) => `${v.rules} ${k}`)
      .join(
        ', ',
      )}; keys ${int(r.rules.state.total.keys)}, windows ${int(r.rules.state.total.windows)}`,
  );
  console.log('');
  const s = r.stream.withRules;
  row(
    'observations (window)',
    `sent ${int(s.sentPerSec)}/s, acked ${int(s.ackedPerSec)}/s, stored ${int(s.storedPerSec)}/s (slowest second ${int(s.slowestSecondAcked)})`,
  );
  if (r.stream.baseline)
    row(
      '  same load, no rules',
      `stored ${int(r.stream.baseline.storedPerSec)}/s, acked ${int(r.stream.baseline.ackedPerSec)}/s`,
    );
  row('publish -> PUBACK', latLine(s.publishToPubackMs));
  const a = r.alerts;
  row('observation -> alert (SSE)', latLine(a.latencyMs));
  for (const [k, v] of Object.entries(a.byClass)) row(`  ${k}`, latLine(v));
  row(
    `  first of each burst`,
    `${latLine(a.firstOfBurstMs)} (${int(a.bursts)} deciding observations)`,
  );
  const pos = a.medianByPositionMs;
  if (pos.length > 1)
    row(
      '  median by place in burst',
      [0, 1, 4, 9, 19, 39]
        .filter((i) => i < pos.length)
        .map((i) => `#${i + 1} ${ms(pos[i])}`)
        .join(', '),
    );
  if (a.absenceAfterDeadlineMs?.count)
    row(
      '  absence, after deadline',
      `${latLine(a.absenceAfterDeadlineMs)} (lateness 10 s + grace 5 s by design)`,
    );
  row(
    `target p99 < ${r.target.p99Ms} ms`,
    r.target.met ? 'MET' : `NOT MET${r.target.reason ? ` (${r.target.reason})` : ''}`,
  );
  row(
    'alerts',
    `${int(a.arrived)}/${int(a.expected)} expected arrived, ${a.unexpected.length} unexpected, ` +
      `${int(a.correlationRaised)} correlation, ${int(a.outsideWindow)} outside the window; ${int(a.raisedOnStream)} raised on the stream`,
  );
  for (const u of a.unexpected.slice(0, 10))
    console.log(
      `    unexpected: ${u.kind} ${u.rule} key ${u.key} at ${new Date(u.at).toISOString()}`,
    );
  const c = r.cpu.rules;
  if (c)
    row(
      'server CPU (window)',
      `process ${pct(c.serverProcessPercent)} of a core, main thread ${pct(c.serverMainThreadPercent)} (+${pct(c.serverMainThreadWaitingPercent)} waiting); ` +
        `${r.cpu.serverUsPerObservation.rules ?? 'n/a'} µs/observation`,
    );
  if (r.cpu.baseline)
    row(
      '  same load, no rules',
      `process ${pct(r.cpu.baseline.serverProcessPercent)}, main thread ${pct(r.cpu.baseline.serverMainThreadPercent)}; ${r.cpu.serverUsPerObservation.baseline ?? 'n/a'} µs/observation`,
    );
  if (c)
    row(
      'generator / machine',
      `generator ${pct(c.generatorPercent)} of a core; machine busy ${pct(c.machineBusyPercent)} of ${m.cpus} cores, other processes ${pct(c.otherProcessesPercent)} of a core`,
    );
  row('event loop lag p99 (window)', ms(s.eventLoopLagP99Ms));
  const en = r.engine;
  if (en?.factsEvaluatedPerSec != null)
    row(
      "rules' thread (window)",
      `${int(en.factsEvaluatedPerSec)} facts/s taken by rule groups; out of order ${int(en.reorderedPerSec)}/s ` +
        `(${int(en.replaysPerSec)} key replays/s, ${int(en.absorbedPerSec)}/s absorbed), too late ${int(en.tooLatePerSec)}/s; ` +
        `${int(en.waitingAtEnd)} facts waiting at the end`,
    );
  const mem = r.memory;
  row(
    'server RSS',
    `start ${int(mem.rssMb.atStart)} MB, baseline end ${int(mem.rssMb.baselineEnd)} MB, rules loaded ${int(mem.rssMb.rulesLoaded)} MB, ` +
      `window end ${int(mem.rssMb.measureEnd)} MB (peak ${int(mem.rssMb.peak)} MB)`,
  );
  const h = mem.heapUsedMb;
  row(
    'live heap (after a full GC)',
    `under load: ${int(h.baselineUnderLoad)} MB without rules, ${int(h.rulesUnderLoad)} MB with ` +
      `(${int(h.rulesThreadUnderLoad)} MB in the rules' thread): ${mem.heapGrowthWithRulesMb ?? 'n/a'} MB state; ` +
      `idle: ${int(h.rulesLoadedIdle)} MB rules loaded, ${int(h.rulesAtRest)} MB at rest: ${mem.heapGrowthAtRestMb ?? 'n/a'} MB`,
  );
  const e = mem.estimate;
  row(
    'per key / window (estimate)',
    `${int(e.heapBytesPerKey)} B per key under load (${int(e.keys)} keys; ${int(e.windows)} windows: ${int(e.heapBytesPerWindow)} B each), ` +
      `${int(e.atRestHeapBytesPerKey)} B per key at rest; ${int(e.lateFactRefs)} fact references kept for lateness`,
  );
  const v = r.verification;
  row(
    'verification',
    v.ingest
      .map(
        (i) =>
          `${i.server}: ${int(i.acked)} acked, ${int(i.stored)} stored` +
          `${i.unsettled ? `, ${int(i.unsettled)} unsettled` : ''} (${i.everyAckStored === null ? 'not checked' : i.everyAckStored ? 'OK' : 'DIFFERENT'})`,
      )
      .join('; ') +
      `; ${int(v.alertsRaisedMetric)} alerts raised (metric), ${int(v.alertsListed)} listed`,
  );
  row(
    'server log / exit',
    `${v.serverLog.error} errors, ${v.serverLog.warn} warnings; exit ` +
      v.serverExits
        .map((e) => `${e.server} ${e.code ?? e.signal}${e.ok ? ' (clean)' : ' (NOT clean)'}`)
        .join(', '),
  );
  console.log(rows.join('\n'));
  if (Object.keys(v.serverLog.messages).length) {
    console.log('');
    for (const [msg, n] of Object.entries(v.serverLog.messages)) console.log(`  log ${n} x ${msg}`);
  }
  if (r.observations.length) {
    console.log('');
    for (const o of r.observations) console.log(`  * ${o}`);
  }
  for (const profile of r.serverProfiles ?? []) {
    console.log(
      `\nserver CPU profile, ${profile.thread} thread, measured window (${profile.sampledSeconds.toFixed(1)} s sampled; self time):`,
    );
    for (const x of profile.components.slice(0, 15))
      console.log(`  ${String(x.percent).padStart(5)} %  ${x.name}`);
    console.log('  top functions:');
    for (const x of profile.functions.slice(0, 25))
      console.log(`  ${String(x.percent).padStart(5)} %  ${x.name}`);
  }
  console.log('');
}
