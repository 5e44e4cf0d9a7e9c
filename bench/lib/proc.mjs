// Linux /proc readers: memory and CPU of a process, its threads, and of the machine.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // getconf missing: 100 is the Linux default
}
/** Clock ticks per second of the utime/stime fields. */
export const CLK_TCK = clkTck;

/** VmRSS and VmHWM (peak RSS) of a process in kB, or null when it is gone / not Linux. */
export function readMemory(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
      return m ? Number(m[1]) : null;
    };
    return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
  } catch {
    return null;
  }
}

/** utime+stime (ticks) and comm of /proc/.../stat; null when unreadable. */
function readStat(path) {
  try {
    const text = readFileSync(path, 'utf8');
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    const comm = text.slice(open + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // fields[0] is the state (field 3); utime is field 14, stime field 15.
    return { comm, ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** CPU time (seconds) a process has used so far (all its threads). */
export function readProcessCpu(pid) {
  const s = readStat(`/proc/${pid}/stat`);
  return s ? s.ticks / CLK_TCK : null;
}

/** CPU seconds of each thread of a process: [{tid, comm, seconds}]. */
export function readThreadsCpu(pid) {
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out = [];
  for (const tid of tids) {
    const s = readStat(`/proc/${pid}/task/${tid}/stat`);
    if (s) out.push({ tid: Number(tid), comm: s.comm, seconds: s.ticks / CLK_TCK });
  }
  return out;
}

/** Machine-wide CPU counters (seconds summed over all cores) from /proc/stat. */
export function readMachineCpu() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [, ...nums] = line.trim().split(/\s+/);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = nums.map(Number);
    const busy = user + nice + system + irq + softirq + (steal || 0);
    return {
      busy: busy / CLK_TCK,
      idle: idle / CLK_TCK,
      iowait: (iowait || 0) / CLK_TCK,
      steal: (steal || 0) / CLK_TCK,
      total: (busy + idle + (iowait || 0)) / CLK_TCK,
    };
  } catch {
    return null;
  }
}

/** CPU use between two readMachineCpu() samples, as fractions of all cores. */
export function machineCpuBetween(a, b) {
  if (!a || !b) return null;
  const total = b.total - a.total;
  if (total <= 0) return null;
  return {
    busy: (b.busy - a.busy) / total,
    iowait: (b.iowait - a.iowait) / total,
    steal: (b.steal - a.steal) / total,
  };
}

/** Per-thread CPU use between two readThreadsCpu() samples, as % of one core, busiest first. */
export function threadsCpuBetween(a, b, seconds) {
  const before = new Map(a.map((t) => [t.tid, t.seconds]));
  return b
    .map((t) => ({
      tid: t.tid,
      comm: t.comm,
      cpuPercent: (100 * (t.seconds - (before.get(t.tid) ?? 0))) / seconds,
    }))
    .filter((t) => t.cpuPercent > 0.5)
    .sort((x, y) => y.cpuPercent - x.cpuPercent);
}

/** The filesystem type holding a path (longest mount prefix in /proc/mounts). */
export function filesystemOf(path) {
  try {
    let best = { mount: '', type: null, device: null };
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [device, mount, type] = line.split(' ');
      if (!mount) continue;
      const prefix = mount.endsWith('/') ? mount : `${mount}/`;
      if ((path === mount || path.startsWith(prefix)) && mount.length >= best.mount.length)
        best = { mount, type, device };
    }
    return best.type ? best : null;
  } catch {
    return null;
  }
}

/**
 * Scheduler times of one thread in seconds: on a CPU, and runnable but waiting for one
 * (/proc/<pid>/task/<tid>/schedstat). Their sum over wall time near 100 % means the
 * thread always had work: it is CPU-bound even when it got less than a whole core.
 */
export function readSchedstat(pid, tid = pid) {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    return { running: run / 1e9, waiting: wait / 1e9 };
  } catch {
    return null;
  }
}
