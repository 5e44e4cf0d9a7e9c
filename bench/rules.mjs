#!/usr/bin/env node
// `npm run bench:rules`: the rule engine of the real server under a device stream (issue 6:
// 1,000 active rules over 20,000 observations/s, p99 observation-to-alert < 100 ms, memory per
// active window). Starts `citybrain up`, registers devices of 4 types in 10 areas, runs a
// baseline load without rules, puts the rules over the API and proves they run, then drives the
// stream from a separate process (lib/rules-load.mjs) and times every alert from the publish of
// the observation that decided it to its arrival on the server-sent event stream.
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isAborting, onAbortCleanup, reapChildren, runAbortCleanups } from './lib/child-reaper.mjs';
import { summarizeCpuProfile } from './lib/cpuprofile.mjs';
import { readMemory } from './lib/proc.mjs';
import { connectInspector, INSPECT_ARG } from './lib/rules-inspector.mjs';
import { sumOf } from './lib/prom.mjs';
import { machineInfo } from './lib/results.mjs';
import { cityDevices } from './lib/rules-city.mjs';
import { expectedAlerts, matchAlerts } from './lib/rules-expect.mjs';
import { ruleMix } from './lib/rules-mix.mjs';
import { options, TARGET } from './lib/rules-options.mjs';
import { cpuBetween, runLoadPhase, scrape, within } from './lib/rules-phase.mjs';
import { printReport } from './lib/rules-print.mjs';
import { buildReport, writeRulesResults } from './lib/rules-report.mjs';
import {
  activeRules,
  awaitRulesGrouped,
  countAlerts,
  proveRulesLoaded,
  putRules,
  registerCityDevices,
} from './lib/rules-setup.mjs';
import { listenAlerts } from './lib/rules-sse.mjs';
import { startServer } from './lib/server.mjs';
import { groupRules } from '../packages/server/dist/brain/rules/rule-groups.js';

/** Counts the server's pino lines at warn (40) or above into `log`, by level and message. */
function watchLog(server, log, keep) {
  // Kept with the data: when the rules were rebuilt, and what else the server said.
  const file = keep ? createWriteStream(join(server.dataDir, 'server.log'), { flags: 'a' }) : null;
  createInterface({ input: server.process.stdout }).on('line', (line) => {
    file?.write(`${line}\n`);
    if (!line.startsWith('{')) return;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    if (!(entry.level >= 40)) return;
    if (entry.level >= 50) log.error++;
    else log.warn++;
    const key = `${entry.level >= 50 ? 'error' : 'warn'}: ${entry.msg}`;
    log.messages.set(key, (log.messages.get(key) ?? 0) + 1);
    if (log.samples.length < 20) log.samples.push(line.slice(0, 2000));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const opts = options();
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const perDeviceRate = opts.rate / opts.devices;
  console.log(
    `bench:rules: ${opts.rules} rules, ${opts.rate.toLocaleString('en-US')} obs/s from ${opts.devices} devices ` +
      `(${perDeviceRate.toFixed(1)}/s each), ${opts.baselineSeconds} s baseline, ${opts.warmupSeconds} s warm-up + ${opts.seconds} s measured`,
  );
  const nodeArgs = opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : [];
  if (opts.cpuProfDir) mkdirSync(opts.cpuProfDir, { recursive: true });
  let inspector = null;
  const start = async () => {
    const s = await startServer({
      dataRoot: opts.dataRoot,
      env: { CITYBRAIN_LOG_LEVEL: 'info' },
      nodeArgs: [...nodeArgs, ...(opts.gcProbe ? [INSPECT_ARG] : [])],
    });
    watchLog(s, log, opts.keepData);
    inspector = opts.gcProbe ? await connectInspector(s) : null;
    if (opts.gcProbe && !inspector)
      console.log('bench:rules: no inspector: live heap not measured');
    console.log(`bench:rules: server pid ${s.pid} up (HTTP ${s.httpPort}, MQTT ${s.mqttPort})`);
    return s;
  };
  // A debugger still attached keeps a stopping node waiting: detach first.
  const stop = async (s, graceMs) => {
    inspector?.close();
    inspector = null;
    return s.stop(graceMs);
  };
  const liveHeap = async () => (inspector ? within(60_000, inspector.liveHeap()) : null);
  const log = { warn: 0, error: 0, messages: new Map(), samples: [] };
  const dir = mkdtempSync(join(tmpdir(), 'citybrain-bench-rules-'));
  const exits = [];
  const ingest = [];
  // Aborted (Ctrl-C, SIGTERM, a crash): lib/child-reaper.mjs stops the server, then this runs.
  let dataDir = null;
  const forgetCleanup = onAbortCleanup(() => {
    rmSync(dir, { recursive: true, force: true });
    if (dataDir && !opts.keepData) rmSync(dataDir, { recursive: true, force: true });
  });
  const server = await start();
  dataDir = server.dataDir;
  let stream = null;
  let stopped = null;
  try {
    const memory = { atStart: readMemory(server.pid), live: {} };
    let t = performance.now();
    const devices = await registerCityDevices(server, cityDevices(opts));
    const registerSeconds = (performance.now() - t) / 1000;
    console.log(
      `bench:rules: registered ${devices.length} devices in ${registerSeconds.toFixed(1)} s`,
    );
    stream = await listenAlerts(server);
    const loadConfig = (extra) => ({
      mqttUrl: server.mqttUrl,
      devices: devices.map(({ id, secret, type, area, areaIndex, role }) => ({
        id,
        secret,
        type,
        area,
        areaIndex,
        role,
      })),
      rate: opts.rate,
      inflightCap: opts.inflightCap,
      drainTimeoutMs: 60_000,
      ...extra,
    });
    const tick = (label) => (msg, s) => {
      if ((msg.second + 1) % 5 === 0)
        console.log(
          `  ${label} t=${String(msg.second + 1).padStart(3)} s  sent ${msg.sent.toLocaleString('en-US').padStart(6)}/s` +
            `  acked ${msg.acked.toLocaleString('en-US').padStart(6)}/s  in flight ${String(msg.inflight).padStart(6)}` +
            `  server RSS ${s?.serverRssMb ?? '?'} MB, CPU ${s?.serverCpuPercent ?? '?'} %` +
            `  alerts on stream ${stream.raisedCount()}`,
        );
    };

    // ---- baseline: the same stream, no bench rules yet --------------------------------
    let baseline = null;
    if (opts.baselineSeconds > 0) {
      console.log(`bench:rules: baseline, no rules: ${opts.baselineSeconds} s`);
      baseline = await runLoadPhase({
        server,
        dir,
        name: 'baseline',
        config: loadConfig({
          warmupSeconds: 0,
          seconds: opts.baselineSeconds,
          spikePeriodMs: 3_600_000,
          silentAfterMs: null,
        }),
        onTick: tick('baseline'),
        onDrain: liveHeap,
      });
      memory.baselineEnd = baseline.atEnd?.mem ?? null;
      memory.live.baselineUnderLoad = baseline.atDrain;
    }

    // ---- rules -------------------------------------------------------------------------
    const existing = await activeRules(server);
    const plan = ruleMix({
      count: opts.rules - existing.length,
      areas: opts.areas,
      citywideShare: opts.citywideShare,
      perDeviceRate,
      entityKeysOnly: opts.entityKeysOnly,
    });
    t = performance.now();
    const putSeconds = await putRules(
      server,
      plan.map((p) => p.rule),
    );
    const canary = await proveRulesLoaded(server, stream);
    const active = await activeRules(server);
    // Measured once the engine evaluates the rules as it will from now on: put together in
    // their groups and rebuilt (how long that took is reported).
    const grouped = await awaitRulesGrouped(server, groupRules(active).length, scrape);
    const rulesLoaded = {
      put: plan.length,
      serverDefaults: existing.map((r) => r.id),
      active: active.length,
      putSeconds,
      canarySeconds: canary.seconds,
      canaryPublished: canary.published,
      groups: grouped.groups,
      groupedSeconds: grouped.seconds,
      totalSeconds: (performance.now() - t) / 1000,
    };
    console.log(
      `bench:rules: ${plan.length} rules put in ${putSeconds.toFixed(1)} s ` +
        `(+ ${existing.length} default), ${active.length} active; canary alert ${canary.seconds.toFixed(1)} s later; ` +
        `${grouped.groups} groups evaluating ${grouped.seconds.toFixed(1)} s after that`,
    );
    if (active.length !== opts.rules)
      throw new Error(`the server lists ${active.length} active rules, not ${opts.rules}`);
    await sleep(1000);
    memory.live.rulesLoaded = await liveHeap();
    memory.rulesLoaded = readMemory(server.pid);
    const scrapeRulesLoaded = await scrape(server);

    // ---- the measured run ----------------------------------------------------------------
    // Spikes: one per trigger device per period, chosen so that they raise about alertRate/s.
    const triggers = devices.filter((d) => d.role === 'trigger');
    const probe = expectedAlerts({
      plan,
      devices,
      load: {
        spikes: triggers.map((d) => ({ id: d.id, t: 0, hr: 0 })),
        boundaries: {},
        silent: [],
        measureEndEpoch: 0,
      },
      from: -Infinity,
      to: Infinity,
    });
    const perSpike = probe.length / triggers.length;
    const spikePeriodMs = Math.max(
      10_000,
      Math.round((1000 * triggers.length * perSpike) / opts.alertRate),
    );
    console.log(
      `bench:rules: ${triggers.length} trigger devices, ~${perSpike.toFixed(1)} alerts per spike: ` +
        `a spike every ${(spikePeriodMs / 1000).toFixed(1)} s per device`,
    );
    // The rules' thread is profiled through the inspector (see profileWorkers).
    const stopWorkerProfiles =
      opts.cpuProfDir && inspector ? await inspector.profileWorkers() : null;
    const main = await runLoadPhase({
      server,
      dir,
      name: 'rules',
      config: loadConfig({
        mqttUrl: server.mqttUrl,
        warmupSeconds: opts.warmupSeconds,
        seconds: opts.seconds,
        spikePeriodMs,
        silentAfterMs: 1000,
      }),
      onTick: tick('rules'),
      onDrain: liveHeap,
    });
    const workerProfiles = stopWorkerProfiles ? await within(60_000, stopWorkerProfiles()) : null;
    memory.live.rulesUnderLoad = main.atDrain;
    memory.measureStart = main.atMeasure?.mem ?? null;
    memory.measureEnd = main.atEnd?.mem ?? null;

    // ---- alerts: wait for the expected ones --------------------------------------------
    const load = main.result;
    const from = load.measureStartEpoch;
    const to = load.measureEndEpoch - 2000;
    const expected = expectedAlerts({ plan, devices, load, from, to });
    const m = main.phases.measure;
    const hrOfEpoch = (epoch) => m.hr + (epoch - m.epoch);
    const settleStart = performance.now();
    const matchNow = () =>
      matchAlerts({ expected, frames: stream.frames, plan, from, to, hrOfEpoch });
    let match = matchNow();
    let lastArrived = match.arrived;
    let lastProgress = performance.now();
    while (
      match.missing.length > 0 &&
      performance.now() - settleStart < opts.settleSeconds * 1000
    ) {
      await sleep(500);
      match = matchNow();
      if (match.arrived > lastArrived) {
        lastArrived = match.arrived;
        lastProgress = performance.now();
      } else if (performance.now() - lastProgress > 10_000) break;
    }
    const settleSeconds = (performance.now() - settleStart) / 1000;
    // At rest: the stream stopped long enough ago (lateness 10 s + idle grace 5 s) for the
    // engine to have let go of the facts it kept for late arrivals.
    if (inspector) {
      const restAt = main.phases.drain.hr + 20_000;
      const wait = restAt - Number(process.hrtime.bigint()) / 1e6;
      if (wait > 0) await sleep(wait);
      memory.live.rulesAtRest = await liveHeap();
    }
    const totals = await ingestTotals(server, baseline, main);
    totals.acked += canary.published;
    ingest.push({ server: 'single', ...totals });
    const finalScrape = (await within(60_000, scrape(server))) ?? [];
    const alertsListed = await within(60_000, countAlerts(server));
    const sse = await stream.close();
    stream = null;
    memory.peak = readMemory(server.pid);
    stopped = await stop(server, 60_000);
    exits.push({ server: 'rules', pid: server.pid, ...stopped });

    // One profile per thread (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile): the main
    // thread (0), and the workers when no inspector profiled them (see profileWorkers).
    const serverProfiles = [];
    if (opts.cpuProfDir) {
      const measured = main.atMeasure && main.atEnd;
      const summary = (thread, profile) => ({
        thread,
        ...summarizeCpuProfile(profile, {
          top: 30,
          fromUs: main.atMeasure.monoUs,
          toUs: main.atEnd.monoUs,
        }),
      });
      const files = readdirSync(opts.cpuProfDir)
        .filter((f) => f.endsWith('.cpuprofile') && f.includes(`.${server.pid}.`))
        .map((f) => ({ f, thread: Number(f.split('.')[4]) }))
        .sort((a, b) => a.thread - b.thread);
      if (files.length > 0 && measured)
        for (const { f, thread } of files)
          serverProfiles.push(
            summary(thread === 0 ? 'main' : `worker ${thread}`, join(opts.cpuProfDir, f)),
          );
      else console.log('bench:rules: no server .cpuprofile was written');
      (workerProfiles ?? []).forEach((profile, i) => {
        writeFileSync(
          join(opts.cpuProfDir, `worker-${server.pid}-${i + 1}.cpuprofile`),
          JSON.stringify(profile),
        );
        if (measured) serverProfiles.push(summary(`worker ${i + 1}`, profile));
      });
    }

    const result = buildReport({
      opts,
      TARGET,
      startedAt,
      machine,
      exits,
      ingest,
      devices,
      plan,
      perDeviceRate,
      spikePeriodMs,
      registerSeconds,
      rulesLoaded,
      baseline,
      main,
      memory,
      scrapes: { rulesLoaded: scrapeRulesLoaded, final: finalScrape },
      match,
      sse,
      settleSeconds,
      alertsListed,
      log,
      serverProfiles,
      cpuOf: (phase, pid) =>
        phase?.atMeasure && phase?.atEnd
          ? cpuBetween(phase.atMeasure, phase.atEnd, { cpus: machine.cpus, pid })
          : null,
      pids: { baseline: server.pid, rules: server.pid },
    });
    printReport(result);
    if (opts.write) {
      const paths = writeRulesResults(opts.resultsDir, result);
      console.log(`results: ${paths.file}\n         ${paths.latest}`);
    }
    if (result.failures.length > 0) {
      for (const f of result.failures) console.log(`FAILED: ${f}`);
      process.exitCode = 1;
    }
  } finally {
    if (stream) await stream.close().catch(() => {});
    if (!stopped) await stop(server, 60_000);
    forgetCleanup();
    rmSync(dir, { recursive: true, force: true });
    if (!opts.keepData) rmSync(server.dataDir, { recursive: true, force: true });
    else console.log(`data kept in ${server.dataDir}`);
  }
}

/** Observations acknowledged by the phases run on a server, and what its /metrics counts stored. */
async function ingestTotals(server, ...phases) {
  const metrics = await within(60_000, scrape(server));
  const stored = metrics
    ? sumOf(metrics, 'citybrain_ingest_observations_total', { source: 'mqtt' })
    : null;
  const acked = phases.reduce((n, p) => n + (p?.result.totals.acked ?? 0), 0);
  const unsettled = phases.reduce((n, p) => n + (p?.result.totals.inflightAtEnd ?? 0), 0);
  return { acked, stored, unsettled };
}

main().catch(async (err) => {
  if (!isAborting()) console.log(`bench:rules failed: ${err.stack ?? err}`);
  process.exitCode = 1;
  // A failure before the run's own cleanup (e.g. while starting): nothing may outlive the bench.
  await reapChildren();
  runAbortCleanups();
});
