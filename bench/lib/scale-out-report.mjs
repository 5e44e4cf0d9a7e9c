// The scale-out benchmark's diagnosis of each phase and its printed tables.
import { cpus } from 'node:os';

const int = (n) =>
  n === null || n === undefined || !Number.isFinite(n)
    ? 'n/a'
    : Math.round(n).toLocaleString('en-US');
const pct = (n) => (n === null || n === undefined ? 'n/a' : `${Math.round(n)} %`);
const ms = (n) =>
  n === null || n === undefined ? 'n/a' : n < 10 ? n.toFixed(1) : String(Math.round(n));

/** Where the CPU of a phase went, largest first, as [name, % of one core]. */
function consumers(p) {
  const c = p.cpu;
  return [
    ...Object.entries(c.groups),
    ['bench (probe, scrapes)', c.selfPercent],
    ['other processes', c.otherPercent],
  ]
    .filter(([, v]) => v !== null && v !== undefined && v >= 0.5)
    .sort((a, b) => b[1] - a[1]);
}

/**
 * A one-line hint of what limited a phase's rate, from its CPU and commit figures; `rate` is
 * the run's cap on published msgs/s (0: none).
 */
export function diagnose(p, rate = 0) {
  if (!p.cpu) return null;
  const cores = cpus().length;
  const busy = p.cpu.machineBusyPercent;
  const share = consumers(p)
    .map(([name, v]) => `${name} ${Math.round(v)} %`)
    .join(', ');
  // On a CPU or waiting for one (embedded: run.mjs's schedstat figure), else on a CPU only.
  const demand = p.cpu.nodeMainThreadDemand ?? p.cpu.nodeMainThreads ?? [];
  const hot = demand.filter((x) => x !== null && x >= 90).length;
  const commits = (p.commits ?? []).filter((c) => c.meanCommitMs !== null);
  const meanCommit = commits.length
    ? commits.reduce((a, c) => a + c.meanCommitMs, 0) / commits.length
    : null;
  const meanBatch = commits.length
    ? commits.reduce((a, c) => a + (c.meanBatch ?? 0), 0) / commits.length
    : null;
  let verdict;
  // Under a rate cap that the phase kept up with, nothing limited it.
  if (
    rate > 0 &&
    p.committed &&
    p.committed.perSecond >= 0.95 * Math.min(rate, p.published?.perSecond ?? rate)
  )
    verdict = `kept up with the offered ${Math.round(rate)} msgs/s (machine ${pct(busy)} busy, commits of ${meanBatch?.toFixed(1) ?? 'n/a'} observations in ${ms(meanCommit)} ms)`;
  else if (busy !== null && busy >= 85)
    verdict = `CPU-bound: the machine's ${cores} cores were ${Math.round(busy)} % busy`;
  else if (hot > 0)
    verdict = `${hot} node event loop(s) saturated (main thread wanted a core >= 90 % of the time), machine ${pct(busy)} busy`;
  else
    verdict = `not CPU-bound (machine ${pct(busy)} busy): latency-bound on commits (mean ${ms(meanCommit)} ms for ${meanBatch?.toFixed(1) ?? 'n/a'} observations)`;
  return `${verdict}; CPU (% of one core): ${share}`;
}

/** Prints the comparison tables, the diagnoses and how throughput grows with nodes. */
export function printReport(r) {
  const m = r.machine;
  const p0 = r.parameters;
  console.log('');
  console.log(
    `citybrain scale-out ingest benchmark: ${p0.devices} devices, ${p0.inflight} in flight each, ` +
      `at most ${p0.maxUnstored ? int(p0.maxUnstored) : 'unbounded'} unstored; ${p0.seconds} s measured (+${p0.warmupSeconds} s warm-up) per phase`,
  );
  console.log(
    `machine: ${m.cpus} x ${m.cpuModel}, ${int(m.totalMemMb)} MB, node ${m.node}; load avg at start ${m.loadAvgAtStart.join(' ')}, at end ${r.loadAvgAtEnd.join(' ')}`,
  );
  console.log(
    `PostgreSQL ${r.postgres.server_version}: shared_buffers ${r.postgres.shared_buffers}, synchronous_commit ${r.postgres.synchronous_commit}; NATS ${p0.nats} (shared server)`,
  );
  console.log('');
  const base = r.phases.find((p) => p.phase === '1 node' && p.committed)?.committed.perSecond;
  const head = [
    'phase'.padEnd(9),
    'stored obs/s'.padStart(12),
    'x 1 node'.padStart(8),
    'slowest s'.padStart(9),
    'per node'.padEnd(22),
    'backlog@end'.padStart(11),
    'drain s'.padStart(7),
    'probe p50/p99/max ms'.padStart(21),
    'verified',
  ];
  console.log(head.join('  '));
  for (const p of r.phases) {
    if (!p.committed) {
      // The first lines say why; the whole error is in the JSON.
      const why = (p.error ?? 'see the JSON').split('\n').slice(0, 2).join(' ');
      console.log(`${p.phase.padEnd(9)}  FAILED: ${why}`);
      continue;
    }
    const q = p.probe?.latencyMs;
    const v = p.verification;
    console.log(
      [
        p.phase.padEnd(9),
        int(p.committed.perSecond).padStart(12),
        (p.store === 'PostgreSQL' && base
          ? `${(p.committed.perSecond / base).toFixed(2)}x`
          : '-'
        ).padStart(8),
        int(p.committed.minPerSecond).padStart(9),
        p.committed.perNode.map(int).join(' + ').padEnd(22),
        int(p.backlogAtEnd).padStart(11),
        (p.drainSeconds?.toFixed(1) ?? 'n/a').padStart(7),
        (q ? `${ms(q.p50)} / ${ms(q.p99)} / ${ms(q.max)}` : 'n/a').padStart(21),
        v ? `${v.ok ? 'OK' : 'FAILED'} ${int(v.found)}/${int(v.expected)}` : 'n/a',
      ].join('  '),
    );
  }
  console.log('');
  const cpuHead = [
    'phase'.padEnd(9),
    'machine'.padStart(7),
    'nodes (each)'.padEnd(24),
    'node main thr'.padEnd(16),
    'pg db/rest'.padStart(11),
    'nats'.padStart(5),
    'mosq'.padStart(5),
    'gen'.padStart(5),
    'other'.padStart(5),
    'load avg start -> end',
  ];
  console.log(`CPU in the window, % of one core (machine: % of all ${m.cpus} cores)`);
  console.log(cpuHead.join('  '));
  for (const p of r.phases) {
    if (!p.cpu) continue;
    const g = p.cpu.groups;
    const n = (x) => (x === null || x === undefined ? 'n/a' : String(Math.round(x)));
    console.log(
      [
        p.phase.padEnd(9),
        pct(p.cpu.machineBusyPercent).padStart(7),
        `${n(g.nodes)} (${p.cpu.perNode.map(n).join(' + ')})`.padEnd(24),
        p.cpu.nodeMainThreads.map(n).join(' / ').padEnd(16),
        (g['postgres (this database)'] === undefined
          ? '-'
          : `${n(g['postgres (this database)'])}/${n(g['postgres (rest of the server)'])}`
        ).padStart(11),
        (g['nats-server'] === undefined ? '-' : n(g['nats-server'])).padStart(5),
        (g.mosquitto === undefined ? '-' : n(g.mosquitto)).padStart(5),
        n(g.generator).padStart(5),
        n(p.cpu.otherPercent).padStart(5),
        `${p.cpu.loadavgAtStart.join(' ')} -> ${p.cpu.loadavgAtEnd.join(' ')}`,
      ].join('  '),
    );
  }
  console.log('');
  console.log('store commits per node in the window');
  for (const p of r.phases) {
    if (!p.commits?.length) continue;
    console.log(
      `  ${p.phase.padEnd(9)} ${p.commits
        .map(
          (c) =>
            `${int(c.perSecond)}/s x ${c.meanBatch?.toFixed(1) ?? 'n/a'} obs, mean ${ms(c.meanCommitMs)} ms, ${pct(c.commitTimePercentOfWall)} of wall in commits`,
        )
        .join(' | ')}`,
    );
  }
  console.log('');
  console.log(
    "PostgreSQL backends of the phase's database, mean number in each state over the window",
  );
  for (const p of r.phases) {
    const a = p.postgresActivity;
    if (!a) continue;
    const states = Object.entries(a.meanBackends)
      .filter(([, n]) => n >= 0.05)
      .map(([k, n]) => `${k} ${n.toFixed(1)}`)
      .join(', ');
    console.log(`  ${p.phase.padEnd(9)} ${states}`);
  }
  for (const p of r.phases) {
    if (!p.nodeProfiles) continue;
    console.log('');
    console.log(`${p.phase}: node CPU profiles (DIAGNOSTIC, window only, self time)`);
    p.nodeProfiles.forEach((prof, i) => {
      if (!prof) return console.log(`  n${i + 1}: no profile written`);
      console.log(
        `  n${i + 1} (${prof.sampledSeconds.toFixed(1)} s sampled): ${prof.components
          .slice(0, 10)
          .map((c) => `${c.name} ${c.percent} %`)
          .join(', ')}`,
      );
      if (i === 0)
        for (const f of prof.functions.slice(0, 12))
          console.log(`      ${String(f.percent).padStart(5)} %  ${f.name}`);
    });
  }
  console.log('');
  for (const p of r.phases) {
    if (p.diagnosis) console.log(`  * ${p.phase}: ${p.diagnosis}`);
    if (p.warning) console.log(`  ! ${p.phase}: ${p.warning}`);
    if (p.verification && !p.verification.ok)
      for (const x of p.verification.mismatches.slice(0, 10))
        console.log(`  ! ${p.phase}: ${x.id} acked ${x.acked}, found ${x.found} (${x.kind})`);
    if (p.nodeExits?.some((e) => !e.ok))
      console.log(`  ! ${p.phase}: a node did not stop cleanly: ${JSON.stringify(p.nodeExits)}`);
  }
  const growth = r.phases
    .filter((p) => p.store === 'PostgreSQL' && p.committed && base)
    .map(
      (p) =>
        `${p.nodes} node${p.nodes > 1 ? 's' : ''} ${(p.committed.perSecond / base).toFixed(2)}x`,
    );
  if (growth.length > 1 && p0.rate)
    console.log(
      `\n  rate-capped run (${int(p0.rate)} msgs/s offered): throughput is the offered rate, the figures to compare are latency and CPU`,
    );
  else if (growth.length > 1)
    console.log(`\n  growth with nodes (stored obs/s vs 1 node): ${growth.join(', ')}`);
  console.log('');
}
