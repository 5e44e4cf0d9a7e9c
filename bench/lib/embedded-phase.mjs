// The embedded default for the scale-out benchmark: bench/run.mjs (one node, SQLite, the
// embedded broker, PUBACK after commit) as a child, its figures in the scale-out phase shape.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackChild } from './child-reaper.mjs';
import { diagnose } from './scale-out-report.mjs';
import { round } from './stats.mjs';

const RUN_SCRIPT = fileURLToPath(new URL('../run.mjs', import.meta.url));

/** The embedded default: bench/run.mjs as a child, its JSON read from a temp dir. */
export async function embeddedPhase(opts) {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-embedded-'));
  const args = [
    RUN_SCRIPT,
    '--devices',
    String(opts.devices),
    '--inflight',
    String(opts.inflight),
    '--seconds',
    String(opts.seconds),
    '--warmup',
    String(opts.warmupSeconds),
    '--probe-interval',
    String(opts.probeIntervalMs),
    '--results',
    dir,
    ...(opts.rate ? ['--rate', String(opts.rate)] : []),
  ];
  const loadBefore = loadavg();
  const code = await new Promise((res) => {
    const child = trackChild(
      spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] }),
    );
    child.once('exit', (c, s) => res(c ?? s));
  });
  let r;
  try {
    r = JSON.parse(readFileSync(join(dir, 'ingest-latest.json'), 'utf8'));
  } catch {
    return { phase: 'embedded', ok: false, error: `bench/run.mjs exited ${code} without results` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const cpu = r.cpu;
  const phase = {
    phase: 'embedded',
    nodes: 1,
    store: 'SQLite (synchronous=full)',
    ok: code === 0 && r.verification.ok && r.server.exit.ok,
    runExitCode: code,
    committed: {
      perSecond: r.throughput.msgsPerSec,
      minPerSecond: r.throughput.minPerSecond,
      inWindow: r.throughput.ackedInWindow,
      perNode: [r.throughput.msgsPerSec],
    },
    backlogAtEnd: 0,
    drainSeconds: r.load.drainMs / 1000,
    probe: r.probe,
    cpu: {
      seconds: r.throughput.measuredSeconds,
      groups: {
        nodes: cpu.serverProcessPercent,
        generator: cpu.generatorProcPercent ?? cpu.generatorPercent,
      },
      perNode: [cpu.serverProcessPercent],
      nodeMainThreads: [cpu.serverMainThreadPercent],
      nodeMainThreadDemand: [cpu.serverMainThreadSched?.demandPercent ?? null],
      machineBusyPercent: cpu.machineBusyPercent,
      machineIowaitPercent: cpu.machineIowaitPercent,
      selfPercent: cpu.orchestratorPercent,
      otherPercent: cpu.otherProcessesPercent,
      loadavgAtStart: loadBefore.map((x) => round(x, 2)),
      loadavgAtEnd: loadavg().map((x) => round(x, 2)),
    },
    commits: r.commits.window
      ? [
          {
            perSecond: r.commits.window.perSecond,
            meanBatch: r.commits.window.meanBatch,
            meanCommitMs: r.commits.window.meanCommitMs,
            commitTimePercentOfWall: r.commits.window.commitTimePercentOfWall,
          },
        ]
      : [],
    verification: {
      ok: r.verification.ok,
      expected: r.verification.expected,
      found: r.verification.found,
      mismatches: r.verification.mismatches,
    },
    nodeExits: [r.server.exit],
    publishToPubackMs: r.latencyMs,
    runObservations: r.observations,
  };
  phase.diagnosis = diagnose(phase, opts.rate);
  return phase;
}
