#!/usr/bin/env node
// Runs bench/run.mjs over a matrix of devices x inflight and prints one comparison table.
//   node bench/sweep.mjs [--devices 20,50,100] [--inflight 32,64,128] [--seconds 30] [-- extra run.mjs flags]
// Each run's JSON goes to bench/results/sweep-<timestamp>/ (ingest-latest.json is not touched);
// the table is also written there as sweep.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineCpuBetween, readMachineCpu } from './lib/proc.mjs';

const { values, positionals } = parseArgs({
  options: {
    devices: { type: 'string', default: '20,50,100' },
    inflight: { type: 'string', default: '32,64,128' },
    seconds: { type: 'string', default: '30' },
    'idle-below': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  allowPositionals: true,
});
if (values.help) {
  console.log(
    'usage: node bench/sweep.mjs [--devices 20,50,100] [--inflight 32,64,128] [--seconds 30]\n' +
      '                            [--idle-below <percent>] [-- run.mjs flags]\n' +
      '  --idle-below p   before each run, wait (up to 10 min) until the machine is less than p % busy\n' +
      '                   over 5 s (on a shared machine, so that runs do not compete with other work)',
  );
  process.exit(0);
}
const list = (s) =>
  s
    .split(',')
    .map((x) => Number(x.trim()))
    .filter((x) => x > 0);
const run = fileURLToPath(new URL('./run.mjs', import.meta.url));
const dir = fileURLToPath(
  new URL(`./results/sweep-${new Date().toISOString().replace(/:/g, '-')}/`, import.meta.url),
);
mkdirSync(dir, { recursive: true });

/** Waits until the machine's CPUs are less than `percent` busy over 5 s (at most 10 min). */
async function waitIdle(percent) {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const a = readMachineCpu();
    await new Promise((r) => setTimeout(r, 5000));
    const busy = 100 * (machineCpuBetween(a, readMachineCpu())?.busy ?? 0);
    if (busy < percent) return;
    if (Date.now() > deadline) {
      console.log(`machine still ${Math.round(busy)} % busy after 10 min; running anyway`);
      return;
    }
    console.log(`machine ${Math.round(busy)} % busy; waiting for < ${percent} %...`);
  }
}

const rows = [];
for (const devices of list(values.devices)) {
  for (const inflight of list(values.inflight)) {
    const sub = join(dir, `d${devices}-w${inflight}`);
    if (values['idle-below']) await waitIdle(Number(values['idle-below']));
    console.log(`\n=== devices ${devices}, inflight ${inflight} ===`);
    const args = [
      run,
      '--devices',
      String(devices),
      '--inflight',
      String(inflight),
      '--seconds',
      values.seconds,
      '--results',
      sub,
      ...positionals,
    ];
    const res = spawnSync(process.execPath, args, { stdio: 'inherit' });
    let r = null;
    try {
      const file = readdirSync(sub).find(
        (f) => f.startsWith('ingest-') && f !== 'ingest-latest.json',
      );
      r = JSON.parse(readFileSync(join(sub, file), 'utf8'));
    } catch {
      // the run failed before writing
    }
    rows.push({
      devices,
      inflight,
      exit: res.status,
      msgsPerSec: r?.summary.sustainedMsgsPerSec ?? null,
      minPerSecond: r?.summary.minPerSecondMsgs ?? null,
      p50: r?.summary.latencyP50Ms ?? null,
      p99: r?.summary.latencyP99Ms ?? null,
      max: r?.summary.latencyMaxMs ?? null,
      probeP50: r?.summary.probeP50Ms ?? null,
      probeP99: r?.summary.probeP99Ms ?? null,
      peakRssMb: r?.summary.serverPeakRssMb ?? null,
      verified: r
        ? `${r.verification.found}/${r.verification.expected} ${r.verification.ok ? 'ok' : 'FAIL'}`
        : 'n/a',
      serverCpu: r ? Math.round(r.cpu.serverProcessPercent) : null,
      serverMain: r ? Math.round(r.cpu.serverMainThreadPercent) : null,
      serverMainWantsCpu: r?.cpu.serverMainThreadSched
        ? Math.round(r.cpu.serverMainThreadSched.demandPercent)
        : null,
      genCpu: r ? Math.round(r.cpu.generatorPercent) : null,
      genElu: r ? Math.round(100 * r.cpu.generatorEventLoopUtilization) / 100 : null,
      otherCpu: r ? Math.round(r.cpu.otherProcessesPercent) : null,
      meanBatch: r?.commits.window ? Math.round(r.commits.window.meanBatch) : null,
      commitPct: r?.commits.window ? Math.round(r.commits.window.commitTimePercentOfWall) : null,
      met: r?.target.met ?? false,
    });
  }
}
writeFileSync(join(dir, 'sweep.json'), `${JSON.stringify(rows, null, 2)}\n`);
console.log('\n');
console.table(rows);
console.log(`sweep results in ${dir}`);
process.exitCode = rows.some((r) => r.exit !== 0) ? 1 : 0;
