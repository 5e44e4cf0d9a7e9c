#!/usr/bin/env node
// `npm run bench`: MQTT ingest benchmark of the real citybrain server.
// Starts `citybrain up` on free ports, registers devices, drives QoS 1 load from a separate
// process (bench/mqtt-load.mjs), probes publish-to-queryable latency over the public API,
// verifies that every acknowledged observation is queryable, and writes bench/results/.
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { trackChild } from './lib/child-reaper.mjs';
import { summarizeCpuProfile } from './lib/cpuprofile.mjs';
import { connectProbe } from './lib/probe.mjs';
import {
  filesystemOf,
  machineCpuBetween,
  readMachineCpu,
  readMemory,
  readProcessCpu,
  readSchedstat,
  readThreadsCpu,
  threadsCpuBetween,
} from './lib/proc.mjs';
import {
  histogramDelta,
  histogramOf,
  histogramQuantile,
  bucketsForJson,
  parseProm,
  sumOf,
} from './lib/prom.mjs';
import { machineInfo, printSummary, writeResults } from './lib/results.mjs';
import { api, mapLimit, registerDevices, startServer } from './lib/server.mjs';
import { round } from './lib/stats.mjs';

const TARGET = { msgsPerSec: 20_000, seconds: 30 };
const LOAD_SCRIPT = fileURLToPath(new URL('./mqtt-load.mjs', import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

const HELP = `Usage: node bench/run.mjs [options]      (npm run bench builds first, then runs this)

MQTT ingest benchmark of the real server: D devices each keep W QoS 1 publishes in flight
(one observation per message) for S seconds; PUBACK means durable, so publish->PUBACK
latency bounds publish-to-queryable latency. Every acknowledged message is then checked
through GET /ngsi-ld/v1/temporal/entities. Needs a build (packages/server/dist).

Options:
  --devices <n>         devices, one MQTT connection each                 (default 50)
  --inflight <n>        QoS 1 publishes in flight per connection          (default 64)
  --seconds <n>         measured duration in seconds                      (default 30)
  --warmup <n>          warm-up seconds before measuring, not counted     (default 3)
  --rate <n>            cap on total msgs/s; 0 = as fast as PUBACKs return (default 0)
  --quick               smoke run: 5 s, 10 devices, 1 s warm-up (explicit flags win)
  --probe-interval <ms> publish-to-queryable probe period                 (default 200)
  --no-probe            no probe device
  --sync <full|normal>  DIAGNOSTIC: override store.synchronous (server default: full).
                        A run with this flag never counts as meeting the target.
  --data-root <dir>     where the fresh data directory is made            (default: OS tmp)
  --keep-data           keep the data directory afterwards
  --server-cpu-prof <dir>  DIAGNOSTIC: run the server under node --cpu-prof (writes the
                        .cpuprofile to <dir>) and print where its CPU went during the
                        measured window. Profiling slows the server: never counts as met.
  --results <dir>       where results go                                  (default: bench/results)
  --no-write            print only; do not write result files
  -h, --help            this help

Writes <results>/ingest-<ISO timestamp>.json and overwrites <results>/ingest-latest.json.
Exit status: 0 when every acknowledged message is queryable and the server stopped
cleanly (also when the throughput target of ${TARGET.msgsPerSec} msgs/s for ${TARGET.seconds} s is missed:
that is reported, not failed); 1 otherwise; 2 for bad options.`;

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        devices: { type: 'string' },
        inflight: { type: 'string' },
        seconds: { type: 'string' },
        warmup: { type: 'string' },
        rate: { type: 'string' },
        quick: { type: 'boolean', default: false },
        'probe-interval': { type: 'string' },
        'no-probe': { type: 'boolean', default: false },
        sync: { type: 'string' },
        'data-root': { type: 'string' },
        'keep-data': { type: 'boolean', default: false },
        'server-cpu-prof': { type: 'string' },
        results: { type: 'string' },
        'no-write': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    console.log(`${err.message}\n\n${HELP}`);
    process.exit(2);
  }
  if (parsed.help) {
    console.log(HELP);
    process.exit(0);
  }
  const num = (name, fallback, min) => {
    const raw = parsed[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) {
      console.log(`--${name} must be a number >= ${min}, got ${JSON.stringify(raw)}`);
      process.exit(2);
    }
    return n;
  };
  const quick = parsed.quick;
  if (parsed.sync !== undefined && !['full', 'normal'].includes(parsed.sync)) {
    console.log(`--sync must be full or normal, got ${JSON.stringify(parsed.sync)}`);
    process.exit(2);
  }
  return {
    devices: Math.floor(num('devices', quick ? 10 : 50, 1)),
    inflight: Math.floor(num('inflight', 64, 1)),
    seconds: num('seconds', quick ? 5 : 30, 1),
    warmupSeconds: num('warmup', quick ? 1 : 3, 0),
    rate: num('rate', 0, 0),
    quick,
    probe: !parsed['no-probe'],
    probeIntervalMs: num('probe-interval', 200, 10),
    sync: parsed.sync,
    dataRoot: parsed['data-root'] ? resolve(parsed['data-root']) : tmpdir(),
    keepData: parsed['keep-data'],
    cpuProfDir: parsed['server-cpu-prof'] ? resolve(parsed['server-cpu-prof']) : null,
    resultsDir: parsed.results ? resolve(parsed.results) : RESULTS_DIR,
    write: !parsed['no-write'],
  };
}

const mb = (kb) => (kb === null || kb === undefined ? null : kb / 1024);

async function scrape(server) {
  const res = await fetch(`${server.url}/metrics`);
  return parseProm(await res.text());
}

/** Commit figures from two scrapes: rate, mean batch, mean commit and share of wall time. */
function commitFigures(a, b, seconds) {
  const batch = a
    ? histogramDelta(
        histogramOf(a, 'citybrain_ingest_batch_observations'),
        histogramOf(b, 'citybrain_ingest_batch_observations'),
      )
    : histogramOf(b, 'citybrain_ingest_batch_observations');
  const commit = a
    ? histogramDelta(
        histogramOf(a, 'citybrain_ingest_commit_seconds'),
        histogramOf(b, 'citybrain_ingest_commit_seconds'),
      )
    : histogramOf(b, 'citybrain_ingest_commit_seconds');
  const latency = a
    ? histogramDelta(
        histogramOf(a, 'citybrain_ingest_latency_seconds'),
        histogramOf(b, 'citybrain_ingest_latency_seconds'),
      )
    : histogramOf(b, 'citybrain_ingest_latency_seconds');
  const q = (h, x) => {
    const v = histogramQuantile(h, x);
    return v === null ? null : Number.isFinite(v) ? v * 1000 : '>1000';
  };
  return {
    count: commit.count,
    perSecond: seconds ? commit.count / seconds : null,
    observations: batch.sum,
    meanBatch: batch.count ? batch.sum / batch.count : null,
    meanCommitMs: commit.count ? (commit.sum / commit.count) * 1000 : null,
    commitP50UpperBoundMs: q(commit, 0.5),
    commitP99UpperBoundMs: q(commit, 0.99),
    commitTimePercentOfWall: seconds ? (100 * commit.sum) / seconds : null,
    serverReceiveToCommitMeanMs: latency.count ? (latency.sum / latency.count) * 1000 : null,
    serverReceiveToCommitP99UpperBoundMs: q(latency, 0.99),
    batchBuckets: bucketsForJson(batch),
    commitSecondsBuckets: bucketsForJson(commit),
  };
}

async function main() {
  const opts = options();
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  console.log(
    `bench: ${opts.devices} devices x ${opts.inflight} in flight, ${opts.warmupSeconds} s warm-up + ${opts.seconds} s measured` +
      `${opts.rate ? `, rate cap ${opts.rate} msgs/s` : ''}; starting citybrain...`,
  );

  const serverEnv = { CITYBRAIN_LOG_LEVEL: 'info' };
  if (opts.sync) serverEnv.CITYBRAIN_STORE__SYNCHRONOUS = opts.sync;
  const nodeArgs = opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : [];
  if (opts.cpuProfDir) mkdirSync(opts.cpuProfDir, { recursive: true });
  const profilesBefore = opts.cpuProfDir ? new Set(readdirSync(opts.cpuProfDir)) : null;
  const server = await startServer({ dataRoot: opts.dataRoot, env: serverEnv, nodeArgs });
  const loadDir = mkdtempSync(join(tmpdir(), 'citybrain-bench-load-'));
  let generator = null;
  let probe = null;
  let serverStopped = null;
  try {
    console.log(
      `bench: server pid ${server.pid} up (HTTP ${server.httpPort}, MQTT ${server.mqttPort}), data ${server.dataDir}`,
    );
    const ids = Array.from(
      { length: opts.devices },
      (_, i) => `bench-${String(i + 1).padStart(4, '0')}`,
    );
    const devices = await registerDevices(server, opts.probe ? [...ids, 'bench-probe'] : ids);
    const loadDevices = devices.filter((d) => d.id !== 'bench-probe');
    const probeDevice = devices.find((d) => d.id === 'bench-probe');
    console.log(`bench: registered ${devices.length} devices`);

    probe = probeDevice
      ? await connectProbe({ server, device: probeDevice, intervalMs: opts.probeIntervalMs })
      : null;

    const configPath = join(loadDir, 'load.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        mqttUrl: server.mqttUrl,
        devices: loadDevices.map(({ id, secret }) => ({ id, secret })),
        seconds: opts.seconds,
        warmupSeconds: opts.warmupSeconds,
        inflight: opts.inflight,
        rate: opts.rate,
        drainTimeoutMs: 60_000,
      }),
      { mode: 0o600 },
    );

    // ---- samplers -------------------------------------------------------------------
    const samples = [];
    let lastSample = null;
    let loadT0 = null;
    const sample = () => {
      const now = performance.now();
      const mem = readMemory(server.pid);
      const cpu = readProcessCpu(server.pid);
      const main = readThreadsCpu(server.pid).find((t) => t.tid === server.pid)?.seconds ?? null;
      const gen = generator ? readProcessCpu(generator.pid) : null;
      const machineCpu = readMachineCpu();
      const s = { now, mem, cpu, main, gen, machineCpu };
      if (lastSample && mem) {
        const dt = (now - lastSample.now) / 1000;
        const d = (a, b) => (a === null || b === null ? null : round((100 * (a - b)) / dt, 1));
        samples.push({
          t: round((now - (loadT0 ?? now)) / 1000, 2),
          serverRssMb: round(mb(mem.rssKb), 1),
          serverCpuPercent: d(cpu, lastSample.cpu),
          serverMainThreadCpuPercent: d(main, lastSample.main),
          generatorCpuPercent: d(gen, lastSample.gen),
          machineBusyPercent: round(
            100 * (machineCpuBetween(lastSample.machineCpu, machineCpu)?.busy ?? NaN),
            1,
          ),
        });
      }
      lastSample = s;
    };
    const snapshot = () => ({
      at: performance.now(),
      monoUs: Number(process.hrtime.bigint() / 1000n),
      serverCpu: readProcessCpu(server.pid),
      serverMainSched: readSchedstat(server.pid),
      generatorMainSched: generator ? readSchedstat(generator.pid) : null,
      generatorCpu: generator ? readProcessCpu(generator.pid) : null,
      selfCpu: process.cpuUsage(),
      server: readThreadsCpu(server.pid),
      generator: generator ? readThreadsCpu(generator.pid) : [],
      machine: readMachineCpu(),
    });

    // ---- load -----------------------------------------------------------------------
    let sampler = null;
    let loadResult = null;
    let loadError = null;
    let atMeasure = null;
    let atEnd = null;
    const scrapes = {};
    const pendingScrapes = [];
    generator = trackChild(
      fork(LOAD_SCRIPT, [configPath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    const generatorExit = new Promise((r) =>
      generator.once('exit', (code, signal) => r({ code, signal })),
    );
    const budgetMs = (opts.warmupSeconds + opts.seconds) * 1000 + 180_000;
    const watchdog = setTimeout(() => {
      loadError = `load generator did not finish in ${budgetMs / 1000} s`;
      generator.kill('SIGKILL');
    }, budgetMs);

    generator.on('message', (msg) => {
      if (msg.type === 'connected') {
        console.log(
          `bench: ${msg.connections} MQTT connections in ${Math.round(msg.ms)} ms; load starts`,
        );
        loadT0 = performance.now();
        sample();
        sampler = setInterval(sample, 500);
      } else if (msg.type === 'phase' && msg.phase === 'measure') {
        atMeasure = snapshot();
        pendingScrapes.push(scrape(server).then((s) => (scrapes.measureStart = s)));
        if (probe) probe.start();
      } else if (msg.type === 'phase' && msg.phase === 'drain') {
        atEnd = snapshot();
        pendingScrapes.push(scrape(server).then((s) => (scrapes.measureEnd = s)));
        if (probe) pendingScrapes.push(probe.stop().then((p) => (scrapes.probe = p)));
        console.log(`bench: measured window over; ${msg.inflight} publishes in flight settle`);
      } else if (msg.type === 'tick') {
        if ((msg.second + 1) % 5 === 0) {
          const rss = samples.at(-1)?.serverRssMb;
          console.log(
            `  t=${String(msg.second + 1).padStart(3)} s  ${msg.acked.toLocaleString('en-US').padStart(7)} acked/s` +
              `  in flight ${String(msg.inflight).padStart(6)}  server RSS ${rss ?? '?'} MB`,
          );
        }
      } else if (msg.type === 'result') {
        loadResult = msg;
      } else if (msg.type === 'error') {
        loadError = msg.message;
      }
    });
    const genExit = await generatorExit;
    clearTimeout(watchdog);
    if (sampler) clearInterval(sampler);
    await Promise.all(pendingScrapes);
    if (!loadResult)
      throw new Error(
        `load generator failed (${genExit.code ?? genExit.signal}): ${loadError ?? 'no result'}`,
      );
    const rssAtEnd = readMemory(server.pid);

    // ---- verification ---------------------------------------------------------------
    const finalScrape = await scrape(server);
    console.log(
      `bench: verifying ${loadResult.totals.acked.toLocaleString('en-US')} acknowledged observations...`,
    );
    const perDevice = await mapLimit(loadResult.perDevice, 4, async (d) => {
      const id = `urn:ngsi-ld:AirQualityObserved:${d.id}`;
      const res = await api(
        server,
        `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}?attrs=pm25&options=temporalValues&lastN=${d.acked + 10}`,
      );
      let found = null;
      if (res.status === 200) found = res.body?.pm25?.values?.length ?? 0;
      else if (res.status === 404) found = 0;
      return {
        id: d.id,
        acked: d.acked,
        sent: d.sent,
        errors: d.errors,
        found,
        status: res.status,
      };
    });
    const mismatches = perDevice.filter((d) => d.found !== d.acked);
    const expected = perDevice.reduce((a, d) => a + d.acked, 0);
    const found = perDevice.reduce((a, d) => a + (d.found ?? 0), 0);
    const observationsMetric = sumOf(finalScrape, 'citybrain_ingest_observations_total', {
      source: 'mqtt',
    });
    const rejectedMetric = sumOf(finalScrape, 'citybrain_ingest_rejected_total') ?? 0;
    const verification = {
      ok: mismatches.length === 0 && loadResult.totals.inflightAtEnd === 0,
      devices: perDevice.length,
      expected,
      found,
      unsettledAtEnd: loadResult.totals.inflightAtEnd,
      mismatches: mismatches.map((d) => ({
        id: d.id,
        acked: d.acked,
        found: d.found,
        sent: d.sent,
        errors: d.errors,
        httpStatus: d.status,
        kind:
          d.found === null
            ? 'query failed'
            : d.found < d.acked
              ? 'MISSING (acked but not stored)'
              : 'extra (stored but not acked)',
      })),
      metricObservationsTotalMqtt: observationsMetric,
      probeObservationsPublished: scrapes.probe?.published ?? 0,
      metricRejectedTotal: rejectedMetric,
    };

    const peak = readMemory(server.pid);
    serverStopped = await server.stop();
    const serverExit = { ...serverStopped, ok: serverStopped.code === 0 && !serverStopped.killed };

    let serverProfile = null;
    if (opts.cpuProfDir) {
      const file = readdirSync(opts.cpuProfDir).find(
        (f) => f.endsWith('.cpuprofile') && !profilesBefore.has(f),
      );
      if (file && atMeasure && atEnd)
        serverProfile = summarizeCpuProfile(join(opts.cpuProfDir, file), {
          fromUs: atMeasure.monoUs,
          toUs: atEnd.monoUs,
        });
      else console.log('bench: no server .cpuprofile was written');
    }

    // ---- figures --------------------------------------------------------------------
    const w = loadResult.measuredSeconds;
    const windowSeconds = atMeasure && atEnd ? (atEnd.at - atMeasure.at) / 1000 : w;
    const between = (key) =>
      atMeasure && atEnd && atMeasure[key] !== null && atEnd[key] !== null
        ? (100 * (atEnd[key] - atMeasure[key])) / windowSeconds
        : null;
    const serverThreads =
      atMeasure && atEnd ? threadsCpuBetween(atMeasure.server, atEnd.server, windowSeconds) : [];
    const machineCpu =
      atMeasure && atEnd ? machineCpuBetween(atMeasure.machine, atEnd.machine) : null;
    const cpu = {
      serverProcessPercent: between('serverCpu'),
      serverMainThreadPercent: serverThreads.find((t) => t.tid === server.pid)?.cpuPercent ?? null,
      serverThreads: serverThreads.map((t) => ({ ...t, cpuPercent: round(t.cpuPercent, 1) })),
      generatorPercent: loadResult.generator.cpuPercentOfOneCore,
      generatorProcPercent: between('generatorCpu'),
      orchestratorPercent:
        atMeasure && atEnd
          ? (atEnd.selfCpu.user +
              atEnd.selfCpu.system -
              atMeasure.selfCpu.user -
              atMeasure.selfCpu.system) /
            10_000 /
            windowSeconds
          : null,
      generatorEventLoopUtilization: loadResult.generator.eventLoopUtilization,
      machineBusyPercent: machineCpu ? 100 * machineCpu.busy : null,
      machineIowaitPercent: machineCpu ? 100 * machineCpu.iowait : null,
      machineStealPercent: machineCpu ? 100 * machineCpu.steal : null,
    };
    // CPU used by anything but this benchmark (other work on a shared machine), % of one core.
    cpu.otherProcessesPercent =
      cpu.machineBusyPercent !== null && cpu.serverProcessPercent !== null
        ? Math.max(
            0,
            cpu.machineBusyPercent * machine.cpus -
              cpu.serverProcessPercent -
              (cpu.generatorProcPercent ?? cpu.generatorPercent ?? 0) -
              (cpu.orchestratorPercent ?? 0),
          )
        : null;
    // Main threads: on-CPU + waiting-for-a-CPU as % of wall time (100 % = always had work).
    const demand = (key) => {
      const a = atMeasure?.[key];
      const b = atEnd?.[key];
      if (!a || !b) return null;
      return {
        runningPercent: (100 * (b.running - a.running)) / windowSeconds,
        waitingForCpuPercent: (100 * (b.waiting - a.waiting)) / windowSeconds,
        demandPercent: (100 * (b.running - a.running + b.waiting - a.waiting)) / windowSeconds,
      };
    };
    cpu.serverMainThreadSched = demand('serverMainSched');
    cpu.generatorMainThreadSched = demand('generatorMainSched');
    const perSecond = loadResult.perSecond;
    const throughput = {
      msgsPerSec: loadResult.window.msgsPerSec,
      ackedInWindow: loadResult.window.acked,
      measuredSeconds: w,
      minPerSecond: perSecond.length ? Math.min(...perSecond) : null,
      maxPerSecond: perSecond.length ? Math.max(...perSecond) : null,
      perSecond,
    };
    const commits = {
      window:
        scrapes.measureStart && scrapes.measureEnd
          ? commitFigures(scrapes.measureStart, scrapes.measureEnd, windowSeconds)
          : null,
      total: commitFigures(null, finalScrape, null),
    };
    const durableDefault = !opts.sync && !opts.cpuProfDir;
    const met =
      durableDefault &&
      verification.ok &&
      opts.seconds >= TARGET.seconds &&
      throughput.msgsPerSec >= TARGET.msgsPerSec;
    const reason = !durableDefault
      ? `${opts.sync ? `--sync ${opts.sync}` : '--server-cpu-prof'} is a diagnostic run`
      : !verification.ok
        ? 'verification failed'
        : opts.seconds < TARGET.seconds
          ? `measured ${opts.seconds} s < ${TARGET.seconds} s`
          : throughput.msgsPerSec < TARGET.msgsPerSec
            ? `${Math.round(throughput.msgsPerSec)} < ${TARGET.msgsPerSec} msgs/s`
            : undefined;

    // What the figures suggest about the bottleneck (hints, not proof).
    const observations = [];
    const g = cpu.generatorPercent;
    if (g !== null && g >= 90)
      observations.push(
        `the load generator used ${Math.round(g)} % of a core: it may be the bottleneck (figures are a lower bound)`,
      );
    const sd = cpu.serverMainThreadSched;
    if (sd && sd.demandPercent >= 90)
      observations.push(
        `the server main thread was on a CPU ${Math.round(sd.runningPercent)} % and waiting for one ${Math.round(sd.waitingForCpuPercent)} % of the time: it is CPU-bound (the server's event loop is the bottleneck)`,
      );
    else if (cpu.serverMainThreadPercent !== null && cpu.serverMainThreadPercent >= 90)
      observations.push(
        `the server main thread used ${Math.round(cpu.serverMainThreadPercent)} % of a core: the server's event loop is saturated`,
      );
    const gd = cpu.generatorMainThreadSched;
    if (gd && gd.demandPercent >= 90)
      observations.push(
        `the load generator's main thread wanted a CPU ${Math.round(gd.demandPercent)} % of the time: it may limit the figures`,
      );
    if (cpu.machineBusyPercent !== null && cpu.machineBusyPercent >= 95)
      observations.push(
        `the machine's CPUs were ${Math.round(cpu.machineBusyPercent)} % busy: server and generator compete for cores`,
      );
    if (
      commits.window?.commitTimePercentOfWall !== null &&
      commits.window?.commitTimePercentOfWall !== undefined
    )
      observations.push(
        `SQLite commits (incl. fsync) took ${Math.round(commits.window.commitTimePercentOfWall)} % of the window's wall time on the server main thread` +
          ` (mean ${commits.window.meanCommitMs?.toFixed(2)} ms for ${commits.window.meanBatch?.toFixed(1)} observations)`,
      );
    if (cpu.machineIowaitPercent !== null && cpu.machineIowaitPercent >= 10)
      observations.push(
        `iowait was ${Math.round(cpu.machineIowaitPercent)} %: the disk (fsync) is a likely limit`,
      );
    if (cpu.otherProcessesPercent !== null && cpu.otherProcessesPercent >= 20)
      observations.push(
        `other processes on this machine used ${Math.round(cpu.otherProcessesPercent)} % of a core during the window: the figures understate an idle machine`,
      );
    if (!verification.ok)
      observations.push(
        `VERIFICATION FAILED: ${verification.mismatches.length} devices differ (see verification.mismatches)`,
      );

    const result = {
      benchmark: 'citybrain MQTT ingest (single observation per QoS 1 message)',
      startedAt,
      finishedAt: new Date().toISOString(),
      machine,
      parameters: {
        devices: opts.devices,
        inflight: opts.inflight,
        seconds: opts.seconds,
        warmupSeconds: opts.warmupSeconds,
        rate: opts.rate,
        quick: opts.quick,
        probeIntervalMs: opts.probe ? opts.probeIntervalMs : null,
        storeSynchronous: opts.sync ?? 'full (server default)',
        serverCpuProfile: opts.cpuProfDir !== null,
        payload: '{"observedAt": <epoch ms, strictly increasing per device>, "pm25": <number>}',
      },
      target: { ...TARGET, met, ...(reason && { reason }) },
      throughput,
      latencyMs: loadResult.latencyMs,
      probe: scrapes.probe ?? null,
      server: {
        // VmHWM right after the load (start-up, warm-up, window and drain).
        peakRssMb: mb(rssAtEnd?.hwmKb ?? null),
        // VmHWM at the very end: the verification reads every series through the API too.
        peakRssInclVerificationMb: mb(peak?.hwmKb ?? null),
        maxSampledRssMb: samples.length ? Math.max(...samples.map((x) => x.serverRssMb)) : null,
        rssAtEndMb: mb(rssAtEnd?.rssKb ?? null),
        dataFilesystem: filesystemOf(server.dataDir),
        exit: serverExit,
      },
      cpu,
      commits,
      verification,
      load: {
        ...loadResult.totals,
        sentInWindow: loadResult.window.sent,
        drainMs: loadResult.drainMs,
        generatorRssMb: loadResult.generator.rssMb,
        timeline: loadResult.timeline,
      },
      samples,
      observations,
      ...(serverProfile && { serverProfile }),
    };
    // Headline fields the task asks for, easy to find at the top level.
    result.summary = {
      sustainedMsgsPerSec: round(throughput.msgsPerSec, 0),
      minPerSecondMsgs: throughput.minPerSecond,
      latencyP50Ms: round(loadResult.latencyMs.p50, 3),
      latencyP90Ms: round(loadResult.latencyMs.p90, 3),
      latencyP99Ms: round(loadResult.latencyMs.p99, 3),
      latencyMaxMs: round(loadResult.latencyMs.max, 3),
      probeP50Ms: round(scrapes.probe?.latencyMs.p50 ?? null, 2),
      probeP99Ms: round(scrapes.probe?.latencyMs.p99 ?? null, 2),
      serverPeakRssMb: round(result.server.peakRssMb, 1),
      verificationOk: verification.ok,
      targetMet: met,
    };

    printSummary(result);
    if (serverProfile) {
      console.log(
        `server CPU profile, measured window only (${serverProfile.sampledSeconds.toFixed(1)} s sampled; self time):`,
      );
      for (const c of serverProfile.components.slice(0, 15))
        console.log(`  ${String(c.percent).padStart(5)} %  ${c.name}`);
      console.log('  top functions:');
      for (const f of serverProfile.functions.slice(0, 20))
        console.log(`  ${String(f.percent).padStart(5)} %  ${f.name}`);
      console.log('');
    }
    if (opts.write) {
      const paths = writeResults(opts.resultsDir, result);
      console.log(`results: ${paths.file}\n         ${paths.latest}`);
    }
    if (!verification.ok) {
      console.log('FAILED: not every acknowledged message is queryable');
      for (const m of verification.mismatches.slice(0, 20))
        console.log(`  ${m.id}: acked ${m.acked}, found ${m.found} (${m.kind})`);
      process.exitCode = 1;
    }
    if (!serverExit.ok) {
      console.log(
        `FAILED: the server did not stop cleanly (exit ${serverExit.code ?? serverExit.signal})`,
      );
      console.log(server.tail.slice(-20).join('\n'));
      process.exitCode = 1;
    }
    if (!met)
      console.log(
        `target ${TARGET.msgsPerSec} msgs/s for ${TARGET.seconds} s: NOT MET (${reason})`,
      );
  } finally {
    if (generator && generator.exitCode === null && generator.signalCode === null)
      generator.kill('SIGKILL');
    if (probe) await probe.stop().catch(() => {});
    if (!serverStopped) await server.stop(5_000);
    rmSync(loadDir, { recursive: true, force: true });
    if (!opts.keepData) rmSync(server.dataDir, { recursive: true, force: true });
    else console.log(`data kept in ${server.dataDir}`);
  }
}

main().catch((err) => {
  console.log(`bench failed: ${err.stack ?? err}`);
  process.exitCode = 1;
});
