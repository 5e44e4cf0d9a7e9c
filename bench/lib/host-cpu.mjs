// CPU of named groups of processes between two moments, read from /proc: the nodes, the
// broker, PostgreSQL's processes, nats-server, the load generator. Groups may be given by
// pid or found by command name, so that processes started during the window count too.
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { readMachineCpu, readProcessCpu, readThreadsCpu } from './proc.mjs';

/** Processes whose command name (/proc/<pid>/comm) is `comm`: [{pid, cmdline}]. */
export function processesNamed(comm) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== comm) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      out.push({ pid: Number(entry), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * CPU seconds so far of each group: `groups` maps a name to a pid, a list of pids, or a
 * function returning pids (evaluated now). Also the machine's counters, the main-thread CPU
 * of `mainThreads` pids, and the load average.
 */
export function cpuSnapshot(groups, mainThreads = []) {
  const byGroup = {};
  for (const [name, spec] of Object.entries(groups)) {
    const pids = typeof spec === 'function' ? spec() : Array.isArray(spec) ? spec : [spec];
    byGroup[name] = new Map(pids.map((pid) => [pid, readProcessCpu(pid)]));
  }
  const main = new Map(
    mainThreads.map((pid) => [pid, readThreadsCpu(pid).find((t) => t.tid === pid)?.seconds]),
  );
  return {
    at: performance.now(),
    // The clock of V8's .cpuprofile timestamps (Linux CLOCK_MONOTONIC, µs).
    monoUs: Number(process.hrtime.bigint() / 1000n),
    groups: byGroup,
    main,
    machine: readMachineCpu(),
    self: process.cpuUsage(),
    loadavg: loadavg(),
  };
}

/**
 * CPU use between two snapshots as % of one core per group (processes that appeared in
 * between count from zero; ones that ended in between are missing), the main threads, the
 * machine's busy share of all its cores, and this process.
 */
export function cpuBetween(a, b) {
  const seconds = (b.at - a.at) / 1000;
  const groups = {};
  for (const [name, pids] of Object.entries(b.groups)) {
    let used = 0;
    for (const [pid, cpu] of pids) {
      if (cpu === null) continue;
      const before = a.groups[name]?.get(pid);
      used += cpu - (before ?? 0);
    }
    groups[name] = (100 * used) / seconds;
  }
  const mainThreads = {};
  for (const [pid, cpu] of b.main) {
    const before = a.main.get(pid);
    if (cpu !== undefined && before !== undefined)
      mainThreads[pid] = (100 * (cpu - before)) / seconds;
  }
  const total = b.machine && a.machine ? b.machine.total - a.machine.total : 0;
  const self = (b.self.user + b.self.system - a.self.user - a.self.system) / 10_000 / seconds;
  return {
    seconds,
    groups,
    mainThreads,
    machineBusyPercent: total > 0 ? (100 * (b.machine.busy - a.machine.busy)) / total : null,
    machineIowaitPercent: total > 0 ? (100 * (b.machine.iowait - a.machine.iowait)) / total : null,
    selfPercent: self,
    loadavgAtStart: a.loadavg.map((x) => Math.round(x * 100) / 100),
    loadavgAtEnd: b.loadavg.map((x) => Math.round(x * 100) / 100),
  };
}
