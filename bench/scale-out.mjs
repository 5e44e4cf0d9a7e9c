#!/usr/bin/env node
// `npm run bench:scale-out`: ingest of the scale-out shape with 1, 2 and 3 nodes against
// PostgreSQL + NATS JetStream + Mosquitto on this machine, and the embedded default
// (bench/run.mjs) in the same run for comparison. Per phase: observations committed by
// citybrain per second, the backlog left in the broker, publish-to-queryable latency, where
// the CPU went and what limited the rate; every acknowledged message is then checked to be
// stored exactly once. Writes bench/results/scale-out-<timestamp>.json and scale-out-latest.json.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { embeddedPhase } from './lib/embedded-phase.mjs';
import { mosquittoInstalled } from './lib/mosquitto.mjs';
import { postgresSettings } from './lib/postgres-admin.mjs';
import { machineCpuBetween, readMachineCpu } from './lib/proc.mjs';
import { machineInfo } from './lib/results.mjs';
import { scaleOutPhase } from './lib/scale-out-phase.mjs';
import { diagnose, printReport } from './lib/scale-out-report.mjs';
import { CLI } from './lib/server.mjs';
import { round } from './lib/stats.mjs';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

const HELP = `Usage: node bench/scale-out.mjs [options]   (npm run bench:scale-out builds first)

Phases: the embedded default (bench/run.mjs: SQLite, embedded broker, one node), then 1, 2
and 3 nodes sharing a fresh PostgreSQL database, a fresh NATS JetStream stream and a private
Mosquitto with dynamic security. The same devices publish QoS 1 observations (one per
message) in every phase. With an external broker a device's PUBACK comes from Mosquitto, so
the load is bounded end to end instead: at most --max-unstored messages published and not yet
committed by citybrain (as --devices x --inflight are in flight on the embedded server, whose
PUBACK follows the commit). Throughput = observations committed per second (the nodes'
citybrain_ingest_observations_total), not PUBACKs.

Options:
  --nodes <list>          node counts of the scale-out phases               (default 1,2,3)
  --devices <n>           devices, one MQTT connection each                 (default 50)
  --inflight <n>          QoS 1 publishes in flight per device              (default 64)
  --max-unstored <n>      published but not yet committed, all devices; 0 = unbounded
                          (the broker's backlog then grows without limit)   (default devices x inflight)
  --rate <n>              cap on total msgs/s, 0 = none                     (default 0)
  --seconds <n>           measured window per phase                         (default 30)
  --warmup <n>            warm-up seconds before the window                 (default 3)
  --connections <n>       MQTT sessions per node (CITYBRAIN_MQTT__CONNECTIONS; server default 32)
  --pool-size <n>         PostgreSQL pool per node (store.poolSize; server default 10)
  --probe-interval <ms>   publish-to-queryable probe period                 (default 200)
  --no-embedded           skip the embedded phase
  --idle-below <p>        before each phase wait (up to --idle-wait s) until the machine is
                          less than p % busy over 5 s: on a shared machine
  --idle-wait <s>         longest wait for --idle-below                      (default 120)
  --postgres <url>        PostgreSQL server to create the databases on
                          (default $CITYBRAIN_TEST_POSTGRES or postgres://postgres@127.0.0.1:5432/test)
  --nats <url>            NATS server   (default $CITYBRAIN_TEST_NATS or nats://127.0.0.1:4222)
  --quick                 smoke run: 10 devices, 1 s warm-up, 5 s windows
  --keep-data             keep the phases' databases
  --results <dir>         where results go                                  (default bench/results)
  --node-cpu-prof <dir>   DIAGNOSTIC: run the nodes under node --cpu-prof (profiles in <dir>)
                          and print where their CPU went in the window; slows the nodes
  --no-write              print only
  --print <json>          print the tables of an earlier results file again (diagnoses
                          recomputed) and exit
  -h, --help              this help

Exit status: 1 when a phase fails (an acknowledged message not stored exactly once, a node
that does not stop cleanly, a load error); 2 for bad options.`;

function options() {
  let v;
  try {
    v = parseArgs({
      options: {
        nodes: { type: 'string' },
        devices: { type: 'string' },
        inflight: { type: 'string' },
        'max-unstored': { type: 'string' },
        rate: { type: 'string' },
        seconds: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string' },
        'pool-size': { type: 'string' },
        'probe-interval': { type: 'string' },
        'no-embedded': { type: 'boolean', default: false },
        'idle-below': { type: 'string' },
        'idle-wait': { type: 'string' },
        postgres: { type: 'string' },
        nats: { type: 'string' },
        quick: { type: 'boolean', default: false },
        'keep-data': { type: 'boolean', default: false },
        results: { type: 'string' },
        'no-write': { type: 'boolean', default: false },
        'node-cpu-prof': { type: 'string' },
        print: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    console.log(`${err.message}\n\n${HELP}`);
    process.exit(2);
  }
  if (v.help) {
    console.log(HELP);
    process.exit(0);
  }
  const num = (name, fallback, min) => {
    if (v[name] === undefined) return fallback;
    const n = Number(v[name]);
    if (!Number.isFinite(n) || n < min) {
      console.log(`--${name} must be a number >= ${min}, got ${JSON.stringify(v[name])}`);
      process.exit(2);
    }
    return n;
  };
  const nodes = (v.nodes ?? '1,2,3').split(',').map((s) => Number(s.trim()));
  if (nodes.some((n) => !Number.isInteger(n) || n < 1 || n > 16)) {
    console.log(`--nodes must list node counts 1..16, got ${JSON.stringify(v.nodes)}`);
    process.exit(2);
  }
  const q = v.quick;
  const devices = Math.floor(num('devices', q ? 10 : 50, 1));
  const inflight = Math.floor(num('inflight', 64, 1));
  return {
    nodes,
    devices,
    inflight,
    maxUnstored: Math.floor(num('max-unstored', devices * inflight, 0)),
    rate: num('rate', 0, 0),
    seconds: num('seconds', q ? 5 : 30, 1),
    warmupSeconds: num('warmup', q ? 1 : 3, 0),
    connections: v.connections === undefined ? null : Math.floor(num('connections', 8, 1)),
    poolSize: v['pool-size'] === undefined ? null : Math.floor(num('pool-size', 10, 1)),
    probeIntervalMs: num('probe-interval', 200, 10),
    embedded: !v['no-embedded'],
    idleBelow: v['idle-below'] === undefined ? null : num('idle-below', 0, 1),
    idleWaitSeconds: num('idle-wait', 120, 0),
    postgres:
      v.postgres ??
      process.env.CITYBRAIN_TEST_POSTGRES ??
      'postgres://postgres@127.0.0.1:5432/test',
    nats: v.nats ?? process.env.CITYBRAIN_TEST_NATS ?? 'nats://127.0.0.1:4222',
    quick: q,
    keepData: v['keep-data'],
    resultsDir: v.results ? resolve(v.results) : RESULTS_DIR,
    write: !v['no-write'],
    cpuProfDir: v['node-cpu-prof'] ? resolve(v['node-cpu-prof']) : null,
    print: v.print ? resolve(v.print) : null,
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until the machine's CPUs are less than `percent` busy over 5 s; answers the wait. */
async function waitIdle(percent, maxSeconds) {
  const started = Date.now();
  for (;;) {
    const a = readMachineCpu();
    await sleep(5000);
    const busy = 100 * (machineCpuBetween(a, readMachineCpu())?.busy ?? 0);
    if (busy < percent) return { waitedSeconds: (Date.now() - started) / 1000, busy };
    if (Date.now() - started > maxSeconds * 1000) {
      console.log(`  machine still ${Math.round(busy)} % busy after ${maxSeconds} s: going on`);
      return { waitedSeconds: (Date.now() - started) / 1000, busy, gaveUp: true };
    }
    console.log(`  machine ${Math.round(busy)} % busy; waiting for < ${percent} %...`);
  }
}

function distBuiltAt() {
  try {
    return statSync(CLI).mtime.toISOString();
  } catch {
    return null;
  }
}

async function main() {
  const opts = options();
  if (opts.print) {
    const earlier = JSON.parse(readFileSync(opts.print, 'utf8'));
    for (const p of earlier.phases) p.diagnosis = diagnose(p, earlier.parameters.rate);
    printReport(earlier);
    return;
  }
  if (!distBuiltAt()) {
    console.log(`${CLI} is missing: run npm run build first`);
    process.exit(1);
  }
  if (!mosquittoInstalled()) {
    console.log('/usr/sbin/mosquitto or its dynamic-security plugin is not installed');
    process.exit(1);
  }
  const run = randomBytes(3).toString('hex');
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const result = {
    benchmark: 'citybrain scale-out ingest (single observation per QoS 1 message)',
    startedAt,
    machine,
    distBuiltAt: distBuiltAt(),
    parameters: {
      ...opts,
      payload: '{"observedAt": <epoch ms, strictly increasing per device>, "pm25": <number>}',
    },
    postgres: await postgresSettings(opts.postgres),
    phases: [],
  };
  console.log(
    `scale-out bench: ${opts.devices} devices x ${opts.inflight} in flight (at most ${opts.maxUnstored || 'unbounded'} unstored), ` +
      `${opts.warmupSeconds} s warm-up + ${opts.seconds} s per phase; load avg ${machine.loadAvgAtStart.join(' ')}`,
  );
  const plan = [...(opts.embedded ? ['embedded'] : []), ...opts.nodes];
  for (const step of plan) {
    if (opts.idleBelow)
      result.idleWaits = [
        ...(result.idleWaits ?? []),
        await waitIdle(opts.idleBelow, opts.idleWaitSeconds),
      ];
    const builtAt = distBuiltAt();
    let phase;
    try {
      phase =
        step === 'embedded'
          ? (console.log('\n== embedded default: bench/run.mjs =='), await embeddedPhase(opts))
          : await scaleOutPhase(opts, step, run);
    } catch (err) {
      console.log(`phase ${step} failed: ${err.stack ?? err}`);
      phase = {
        phase: step === 'embedded' ? step : `${step} node${step > 1 ? 's' : ''}`,
        ok: false,
        error: String(err.message ?? err),
      };
    }
    if (distBuiltAt() !== builtAt || builtAt !== result.distBuiltAt)
      phase.warning = 'packages/server/dist was rebuilt during the run: phases may differ in code';
    result.phases.push(phase);
  }
  result.finishedAt = new Date().toISOString();
  result.loadAvgAtEnd = loadavg().map((x) => round(x, 2));
  printReport(result);
  if (opts.write) {
    mkdirSync(opts.resultsDir, { recursive: true });
    const text = `${JSON.stringify(result, null, 2)}\n`;
    const file = join(opts.resultsDir, `scale-out-${result.finishedAt.replace(/:/g, '-')}.json`);
    writeFileSync(file, text);
    writeFileSync(join(opts.resultsDir, 'scale-out-latest.json'), text);
    console.log(`results: ${file}\n         ${join(opts.resultsDir, 'scale-out-latest.json')}`);
  }
  if (result.phases.some((p) => !p.ok)) process.exitCode = 1;
}

main().catch((err) => {
  console.log(`bench failed: ${err.stack ?? err}`);
  process.exitCode = 1;
});
