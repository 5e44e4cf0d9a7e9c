// One load phase of the rules benchmark: forks the observation stream (lib/rules-load.mjs),
// samples the server's RSS and CPU from /proc every 500 ms, scrapes /metrics when the measured
// window starts and ends, and answers the generator's result with those figures.
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  machineCpuBetween,
  readMachineCpu,
  readMemory,
  readProcessCpu,
  readSchedstat,
  readThreadsCpu,
  threadsCpuBetween,
} from './proc.mjs';
import { trackChild } from './child-reaper.mjs';
import { parseProm } from './prom.mjs';
import { round } from './stats.mjs';

const LOAD_SCRIPT = fileURLToPath(new URL('./rules-load.mjs', import.meta.url));

/** `promise`, or `fallback` if it has not settled in `ms` (an overloaded server answers late). */
export function within(ms, promise, fallback = null) {
  let timer;
  return Promise.race([
    promise.catch(() => fallback),
    new Promise((r) => (timer = setTimeout(() => r(fallback), ms))),
  ]).finally(() => clearTimeout(timer));
}

/**
 * The server's /metrics, parsed. node:http without a timeout: an overloaded server may take
 * minutes to answer, and its figures are wanted all the same.
 */
export async function scrape(server) {
  const text = await new Promise((resolve, reject) => {
    get(`${server.url}/metrics`, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    }).on('error', reject);
  });
  return parseProm(text);
}

const mb = (kb) => (kb === null || kb === undefined ? null : round(kb / 1024, 1));

function snapshot(server, generator) {
  return {
    at: performance.now(),
    hr: Number(process.hrtime.bigint()) / 1e6,
    monoUs: Number(process.hrtime.bigint() / 1000n),
    mem: readMemory(server.pid),
    serverCpu: readProcessCpu(server.pid),
    serverMainSched: readSchedstat(server.pid),
    generatorCpu: generator ? readProcessCpu(generator.pid) : null,
    selfCpu: process.cpuUsage(),
    server: readThreadsCpu(server.pid),
    machine: readMachineCpu(),
  };
}

/** CPU between two snapshots, as % of one core (see bench/README.md, "Reading the figures"). */
export function cpuBetween(a, b, { cpus, pid }) {
  const seconds = (b.at - a.at) / 1000;
  const pct = (x, y) => (x === null || y === null ? null : (100 * (y - x)) / seconds);
  const threads = threadsCpuBetween(a.server, b.server, seconds);
  const machine = machineCpuBetween(a.machine, b.machine);
  const out = {
    seconds,
    serverProcessPercent: pct(a.serverCpu, b.serverCpu),
    serverMainThreadPercent: threads.find((t) => t.tid === pid)?.cpuPercent ?? null,
    serverThreads: threads.map((t) => ({ ...t, cpuPercent: round(t.cpuPercent, 1) })),
    serverMainThreadWaitingPercent:
      a.serverMainSched && b.serverMainSched
        ? (100 * (b.serverMainSched.waiting - a.serverMainSched.waiting)) / seconds
        : null,
    generatorPercent: pct(a.generatorCpu, b.generatorCpu),
    orchestratorPercent:
      (b.selfCpu.user + b.selfCpu.system - a.selfCpu.user - a.selfCpu.system) / 10_000 / seconds,
    machineBusyPercent: machine ? 100 * machine.busy : null,
    machineIowaitPercent: machine ? 100 * machine.iowait : null,
  };
  out.otherProcessesPercent =
    out.machineBusyPercent !== null && out.serverProcessPercent !== null
      ? Math.max(
          0,
          out.machineBusyPercent * cpus -
            out.serverProcessPercent -
            (out.generatorPercent ?? 0) -
            out.orchestratorPercent,
        )
      : null;
  return out;
}

/**
 * Runs the generator with `config` (written to `dir`) and answers {result, atMeasure, atEnd,
 * scrapes: {measureStart, measureEnd}, samples, phases: {warmup, measure, drain}, atDrain: what
 * `onDrain` answered, called when the measured window ends}. `onTick` gets each second's progress.
 */
export async function runLoadPhase({
  server,
  dir,
  name,
  config,
  onTick = () => {},
  onDrain = async () => null,
}) {
  const configPath = join(dir, `${name}.json`);
  writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
  const samples = [];
  let last = null;
  let t0 = null;
  let generator = null;
  const sample = () => {
    const now = performance.now();
    const mem = readMemory(server.pid);
    const cpu = readProcessCpu(server.pid);
    const gen = generator ? readProcessCpu(generator.pid) : null;
    if (last && mem) {
      const dt = (now - last.now) / 1000;
      const d = (x, y) => (x === null || y === null ? null : round((100 * (x - y)) / dt, 1));
      samples.push({
        t: round((now - t0) / 1000, 2),
        serverRssMb: mb(mem.rssKb),
        serverCpuPercent: d(cpu, last.cpu),
        generatorCpuPercent: d(gen, last.gen),
      });
    }
    last = { now, cpu, gen };
  };
  let sampler = null;
  let result = null;
  let error = null;
  let atMeasure = null;
  let atEnd = null;
  let atDrain = null;
  const scrapes = {};
  const pending = [];
  const phases = {};
  generator = trackChild(
    fork(LOAD_SCRIPT, [configPath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const exit = new Promise((r) => generator.once('exit', (code, signal) => r({ code, signal })));
  const budgetMs = (config.warmupSeconds + config.seconds) * 1000 + 300_000;
  const watchdog = setTimeout(() => {
    error = `the load generator did not finish in ${budgetMs / 1000} s`;
    generator.kill('SIGKILL');
  }, budgetMs);
  generator.on('message', (msg) => {
    if (msg.type === 'connected') {
      console.log(`  ${name}: ${msg.connections} MQTT connections in ${Math.round(msg.ms)} ms`);
      t0 = performance.now();
      sample();
      sampler = setInterval(sample, 500);
    } else if (msg.type === 'phase') {
      phases[msg.phase] = { epoch: msg.at, hr: msg.hr };
      if (msg.phase === 'measure') {
        atMeasure = snapshot(server, generator);
        pending.push(within(30_000, scrape(server)).then((s) => (scrapes.measureStart = s)));
      } else if (msg.phase === 'drain') {
        atEnd = snapshot(server, generator);
        pending.push(
          within(30_000, scrape(server))
            .then((s) => (scrapes.measureEnd = s))
            .then(() => within(60_000, onDrain()))
            .then((x) => (atDrain = x)),
        );
      }
    } else if (msg.type === 'tick') {
      onTick(msg, samples.at(-1));
    } else if (msg.type === 'result') {
      result = msg;
    } else if (msg.type === 'error') {
      error = msg.message;
    }
  });
  try {
    const code = await exit;
    await Promise.all(pending);
    if (!result)
      throw new Error(
        `load generator failed (${code.code ?? code.signal}): ${error ?? 'no result'}`,
      );
  } finally {
    clearTimeout(watchdog);
    if (sampler) clearInterval(sampler);
    if (generator.exitCode === null && generator.signalCode === null) generator.kill('SIGKILL');
  }
  return { result, atMeasure, atEnd, atDrain, scrapes, samples, phases };
}
