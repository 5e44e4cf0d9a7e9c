// Figures, verdict and results files of the rules benchmark (bench/rules.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sumOf } from './prom.mjs';
import { expectedState } from './rules-state.mjs';
import { round } from './stats.mjs';

const mb = (kb) => (kb === null || kb === undefined ? null : round(kb / 1024, 1));
const heapMb = (s) => {
  const v = s ? sumOf(s, 'citybrain_nodejs_heap_size_used_bytes') : null;
  return v === null ? null : round(v / 1048576, 1);
};
const delta = (a, b, name, match) => {
  if (!a || !b) return null;
  const y = sumOf(b, name, match);
  // A labelled counter appears with its first increment: absent before means 0.
  return y === null ? null : y - (sumOf(a, name, match) ?? 0);
};

/** The rules' thread in the measured window: its counters per second, and what waited at the end. */
function engineFigures(phase) {
  const a = phase.scrapes.measureStart;
  const b = phase.scrapes.measureEnd;
  const seconds = phase.result.measuredSeconds;
  const rate = (name) => {
    const d = delta(a, b, `citybrain_rules_${name}`);
    return d === null ? null : round(d / seconds, 0);
  };
  return {
    factsEvaluatedPerSec: rate('facts_evaluated'),
    reorderedPerSec: rate('facts_reordered'),
    replaysPerSec: rate('replays'),
    absorbedPerSec: rate('facts_absorbed'),
    tooLatePerSec: rate('facts_too_late'),
    waitingAtEnd: b ? sumOf(b, 'citybrain_rules_waiting') : null,
  };
}

/** The ingest side of a phase: offered, acknowledged and stored observations per second. */
function streamFigures(phase) {
  if (!phase) return null;
  const r = phase.result;
  const seconds = r.measuredSeconds;
  const stored = delta(
    phase.scrapes.measureStart,
    phase.scrapes.measureEnd,
    'citybrain_ingest_observations_total',
    { source: 'mqtt' },
  );
  const perSecond = r.timeline.map((x) => x.acked);
  return {
    measuredSeconds: round(seconds, 2),
    sentPerSec: round(r.window.sentPerSec, 0),
    ackedPerSec: round(r.window.ackedPerSec, 0),
    storedPerSec: stored === null ? null : round(stored / seconds, 0),
    slowestSecondAcked: perSecond.length > 2 ? Math.min(...perSecond.slice(1, -1)) : null,
    publishToPubackMs: r.publishToPubackMs,
    totals: r.totals,
    drainMs: round(r.drainMs, 0),
    generator: r.generator,
    eventLoopLagP99Ms: (() => {
      const v = phase.scrapes.measureEnd
        ? sumOf(phase.scrapes.measureEnd, 'citybrain_nodejs_eventloop_lag_p99_seconds')
        : null;
      return v === null ? null : round(v * 1000, 1);
    })(),
  };
}

const lat = (s) =>
  s && {
    count: s.count,
    p50: round(s.p50, 1),
    p90: round(s.p90, 1),
    p95: round(s.p95, 1),
    p99: round(s.p99, 1),
    max: round(s.max, 1),
    mean: round(s.mean, 1),
  };

/** Everything the run measured, the verdict on the target and the failures. */
export function buildReport(x) {
  const { opts, TARGET, main, baseline, match, memory, log } = x;
  const rules = x.plan.map((p) => p.rule);
  const byKind = {};
  for (const { rule, expect } of x.plan) {
    const k = (byKind[rule.kind] ??= { rules: 0, timed: 0, neverHolds: 0, citywide: 0 });
    k.rules++;
    if (['spike', 'spike-first', 'window'].includes(expect.mode)) k.timed++;
    if (expect.mode === 'none') k.neverHolds++;
    if (rule.select && rule.select.area === undefined) k.citywide++;
  }
  const state = expectedState({ rules, devices: x.devices, perDeviceRate: x.perDeviceRate });
  const withRules = streamFigures(main);
  const without = streamFigures(baseline);
  const cpu = { baseline: x.cpuOf(baseline, x.pids.baseline), rules: x.cpuOf(main, x.pids.rules) };
  const obsRate = withRules.storedPerSec ?? withRules.ackedPerSec;
  const cpuPerObsUs = (c, rate) =>
    c?.serverProcessPercent != null && rate
      ? round((c.serverProcessPercent * 10_000) / rate, 1)
      : null;
  cpu.serverUsPerObservation = {
    baseline: cpuPerObsUs(cpu.baseline, without?.storedPerSec ?? without?.ackedPerSec),
    rules: cpuPerObsUs(cpu.rules, obsRate),
  };

  // Memory: under the same load with and without the rules' state.
  // Live heap: after a full GC (lib/rules-inspector.mjs), when each window ended and at rest.
  const live = memory.live;
  const heap = {
    baselineUnderLoad: live.baselineUnderLoad?.heapUsedMb ?? null,
    rulesLoadedIdle: live.rulesLoaded?.heapUsedMb ?? null,
    rulesUnderLoad: live.rulesUnderLoad?.heapUsedMb ?? null,
    rulesAtRest: live.rulesAtRest?.heapUsedMb ?? null,
    gcPauseMs: live.rulesUnderLoad?.ms ?? null,
    /** The rules' worker thread's share of `rulesUnderLoad` (its engines' state is there). */
    rulesThreadUnderLoad: live.rulesUnderLoad?.workersMb ?? null,
    inUseAtWindowEnd: heapMb(main.scrapes.measureEnd),
  };
  const rss = {
    atStart: mb(memory.atStart?.rssKb),
    baselineEnd: mb(memory.baselineEnd?.rssKb),
    rulesLoaded: mb(memory.rulesLoaded?.rssKb),
    measureStart: mb(memory.measureStart?.rssKb),
    measureEnd: mb(memory.measureEnd?.rssKb),
    peak: mb(memory.peak?.hwmKb),
    maxSampledUnderRules: main.samples.length
      ? Math.max(...main.samples.map((s) => s.serverRssMb))
      : null,
  };
  const grow = (a, b) => (a === null || b === null ? null : round(b - a, 1));
  const rssGrowth = grow(rss.baselineEnd, rss.measureEnd);
  const heapGrowth = grow(heap.baselineUnderLoad, heap.rulesUnderLoad);
  const restGrowth = grow(heap.rulesLoadedIdle, heap.rulesAtRest);
  const per = (m, n) => (m === null || !n ? null : round((m * 1048576) / n, 0));
  const stateGauge = sumOf(main.scrapes.measureEnd ?? [], 'citybrain_rule_state_values');
  const memoryFigures = {
    rssMb: rss,
    heapUsedMb: heap,
    rssGrowthWithRulesMb: rssGrowth,
    heapGrowthWithRulesMb: heapGrowth,
    heapGrowthAtRestMb: restGrowth,
    estimate: {
      note:
        'live heap (after a full GC) when the measured window ended minus the same when the baseline ended (same ' +
        'load, no rules), divided by what the benchmark computes the engine holds (the server reports no state ' +
        'size); at rest: 20 s after the stream stopped (lateness buffers emptied) minus right after the rules loaded',
      keys: state.total.keys,
      windows: state.total.windows,
      lateFactRefs: Math.round(state.total.lateFactRefs),
      rssBytesPerKey: per(rssGrowth, state.total.keys),
      heapBytesPerKey: per(heapGrowth, state.total.keys),
      heapBytesPerWindow: per(heapGrowth, state.total.windows),
      heapBytesPerKeyOrLateFact: per(heapGrowth, state.total.keys + state.total.lateFactRefs),
      atRestHeapBytesPerKey: per(restGrowth, state.total.keys),
    },
    serverStateValues: stateGauge,
    serverStateBytesPerValue: stateGauge ? per(heapGrowth, stateGauge) : null,
  };

  // Verification.
  const alertsRaisedMetric = sumOf(x.scrapes.final, 'citybrain_alerts_raised_total');
  const exits = x.exits.map((e) => ({ ...e, ok: e.code === 0 && !e.killed }));
  const verification = {
    // With publishes still unsettled at the end (an overloaded server), stored may exceed acked.
    ingest: x.ingest.map((i) => ({
      ...i,
      everyAckStored:
        i.stored === null ? null : i.unsettled > 0 ? i.stored >= i.acked : i.stored === i.acked,
    })),
    rejectedMetric: sumOf(x.scrapes.final, 'citybrain_ingest_rejected_total') ?? 0,
    unsettledAtEnd: main.result.totals.inflightAtEnd,
    expectedAlerts: match.expected,
    arrivedAlerts: match.arrived,
    missing: match.missing.length,
    unexpected: match.unexpected.length,
    alertsRaisedMetric,
    alertsListed: x.alertsListed,
    alertFramesOnStream: x.sse.frames.length,
    serverLog: {
      warn: log.warn,
      error: log.error,
      messages: Object.fromEntries(log.messages),
      samples: log.samples,
    },
    serverExits: exits,
  };

  const diagnostic = x.serverProfiles.length > 0;
  const reasons = [];
  if (diagnostic) reasons.push('--server-cpu-prof is a diagnostic run');
  if (opts.entityKeysOnly) reasons.push('--entity-keys-only is a diagnostic run');
  if (rules.length + x.rulesLoaded.serverDefaults.length < TARGET.rules)
    reasons.push(`${x.rulesLoaded.active} < ${TARGET.rules} rules`);
  if (opts.rate < TARGET.observationsPerSec)
    reasons.push(`offered ${opts.rate} < ${TARGET.observationsPerSec} obs/s`);
  if (opts.seconds < TARGET.seconds)
    reasons.push(`measured ${opts.seconds} s < ${TARGET.seconds} s`);
  if (obsRate < 0.99 * TARGET.observationsPerSec)
    reasons.push(`stored ${obsRate} obs/s < ${TARGET.observationsPerSec}`);
  if (match.missing.length) reasons.push(`${match.missing.length} expected alerts missing`);
  if (match.latencyMs.count === 0) reasons.push('no alert timed');
  else if (!(match.latencyMs.p99 < TARGET.p99Ms))
    reasons.push(`p99 ${round(match.latencyMs.p99, 1)} ms >= ${TARGET.p99Ms} ms`);
  const failures = [];
  if (match.missing.length)
    failures.push(`${match.missing.length} of ${match.expected} expected alerts did not arrive`);
  if (match.unexpected.length)
    failures.push(
      `${match.unexpected.length} alerts that no rule should have raised (${Object.entries(
        match.unexpectedByKind,
      )
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')})`,
    );
  if (log.error) failures.push(`the server logged ${log.error} errors`);
  for (const i of verification.ingest)
    if (i.everyAckStored === null)
      failures.push(`${i.server} server: /metrics did not answer: stored observations not checked`);
    else if (!i.everyAckStored)
      failures.push(
        `${i.server} server: ${i.acked} observations acknowledged, ${i.stored} counted stored`,
      );
  if (main.result.totals.inflightAtEnd > 0)
    failures.push(
      `${main.result.totals.inflightAtEnd} publishes still unacknowledged 60 s after the load`,
    );
  for (const e of exits)
    if (!e.ok) failures.push(`the ${e.server} server did not stop cleanly (${e.code ?? e.signal})`);

  const observations = [];
  const c = cpu.rules;
  if (c) {
    const demand = (c.serverMainThreadPercent ?? 0) + (c.serverMainThreadWaitingPercent ?? 0);
    if (demand >= 90)
      observations.push(
        `the server main thread was on a CPU ${Math.round(c.serverMainThreadPercent)} % and waiting for one ` +
          `${Math.round(c.serverMainThreadWaitingPercent)} % of the window: it is CPU-bound`,
      );
    const us = cpu.serverUsPerObservation;
    if (us.baseline !== null && us.rules !== null)
      observations.push(
        `the server spent ${us.rules} µs of CPU per stored observation with the rules, ${us.baseline} µs without: ` +
          `the rules cost ${round(us.rules - us.baseline, 0)} µs per observation, ` +
          `${round(((us.rules - us.baseline) * TARGET.observationsPerSec) / 10_000, 0)} % of a core at ${TARGET.observationsPerSec} obs/s`,
      );
    if (c.machineBusyPercent >= 95)
      observations.push(
        `the machine's CPUs were ${Math.round(c.machineBusyPercent)} % busy: server and generator compete`,
      );
    if (c.otherProcessesPercent >= 20)
      observations.push(
        `other processes used ${Math.round(c.otherProcessesPercent)} % of a core during the window: the figures understate an idle machine`,
      );
  }
  const t = withRules.totals;
  if (t.cappedByInflight + t.generatorBehind > 0.01 * t.offered)
    observations.push(
      `${t.cappedByInflight} observations skipped (device in flight cap) and ${t.generatorBehind} not offered (generator behind): the stream fell short`,
    );
  const falseAbsence = match.unexpected.filter((u) => u.kind === 'absence').length;
  if (falseAbsence)
    observations.push(
      `${falseAbsence} absence alerts for devices that kept reporting: their observations reached the rules ` +
        'more than 15 s (lateness + idle grace) after they were sent, so the engine took them for silent',
    );
  if (heapGrowth !== null && withRules.ackedPerSec < 0.95 * opts.rate)
    observations.push(
      "the server fell behind the stream: its memory growth includes the backlog, not only the rules' state",
    );
  if (match.latencyMs.count && match.latencyMs.p50 > TARGET.p99Ms)
    observations.push(
      withRules.ackedPerSec < 0.95 * opts.rate
        ? 'even the median alert is late: the rule engine lags the stream (its queue on the bus grows; the server exposes no gauge for it)'
        : "even the median alert is late although the stream is kept up with on average: the rules' work on each batch of observations holds the event loop",
    );

  return {
    benchmark: 'citybrain rule engine: observation-to-alert latency under a device stream',
    startedAt: x.startedAt,
    finishedAt: new Date().toISOString(),
    machine: x.machine,
    parameters: {
      rules: opts.rules,
      rate: opts.rate,
      devices: opts.devices,
      areas: opts.areas,
      perDeviceRate: round(x.perDeviceRate, 2),
      seconds: opts.seconds,
      warmupSeconds: opts.warmupSeconds,
      baselineSeconds: opts.baselineSeconds,
      alertRate: opts.alertRate,
      spikePeriodSeconds: x.spikePeriodMs / 1000,
      citywideShare: opts.citywideShare,
      inflightCap: opts.inflightCap,
      quick: opts.quick,
      entityKeysOnly: opts.entityKeysOnly,
      serverCpuProfile: diagnostic,
    },
    target: {
      ...TARGET,
      met: reasons.length === 0,
      ...(reasons.length && { reason: reasons.join('; ') }),
    },
    summary: {
      activeRules: x.rulesLoaded.active,
      storedObservationsPerSec: obsRate,
      alertLatencyP50Ms: round(match.latencyMs.p50, 1),
      alertLatencyP95Ms: round(match.latencyMs.p95, 1),
      alertLatencyP99Ms: round(match.latencyMs.p99, 1),
      alertLatencyMaxMs: round(match.latencyMs.max, 1),
      alertsTimed: match.latencyMs.count,
      alertsExpected: match.expected,
      alertsMissing: match.missing.length,
      serverCpuPercent: c ? round(c.serverProcessPercent, 0) : null,
      serverRssMbAtEnd: rss.measureEnd,
      heapBytesPerKey: memoryFigures.estimate.heapBytesPerKey,
      targetMet: reasons.length === 0,
    },
    rules: { byKind, loaded: x.rulesLoaded, state },
    setup: { registerSeconds: round(x.registerSeconds, 1) },
    stream: { withRules, baseline: without },
    alerts: {
      latencyMs: lat(match.latencyMs),
      firstOfBurstMs: lat(match.firstOfBurstMs),
      bursts: match.bursts,
      medianByPositionMs: match.medianByPositionMs.map((v) => round(v, 1)),
      timed: match.timed.map((t) => ({ ...t, t0: round(t.t0, 2), ms: round(t.ms, 2) })),
      byClass: Object.fromEntries(
        Object.entries(match.byClass).map(([k, v]) => [k, { ...lat(v), untimed: v.untimed }]),
      ),
      absenceAfterDeadlineMs: lat(match.absenceAfterDeadlineMs),
      expected: match.expected,
      arrived: match.arrived,
      raisedOnStream: match.raisedOnStream,
      outsideWindow: match.outsideWindow,
      correlationRaised: match.correlationRaised,
      correlationRulesFired: match.correlationRulesFired,
      missing: match.missing.slice(0, 50),
      unexpectedByKind: match.unexpectedByKind,
      unexpected: match.unexpected.slice(0, 50),
      settleSeconds: round(x.settleSeconds, 1),
      sseMalformed: x.sse.malformed,
    },
    cpu,
    engine: engineFigures(main),
    memory: memoryFigures,
    verification,
    samples: main.samples,
    observations,
    failures,
    ...(diagnostic && { serverProfiles: x.serverProfiles }),
  };
}

/** Writes rules-<timestamp>.json and rules-latest.json; answers their paths. */
export function writeRulesResults(dir, result) {
  mkdirSync(dir, { recursive: true });
  const stamp = result.finishedAt.replace(/:/g, '-');
  const text = `${JSON.stringify(result, null, 2)}\n`;
  const file = join(dir, `rules-${stamp}.json`);
  const latest = join(dir, 'rules-latest.json');
  writeFileSync(file, text);
  writeFileSync(latest, text);
  return { file, latest };
}
