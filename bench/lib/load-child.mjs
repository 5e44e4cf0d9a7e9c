// The process side shared by the load generators, each forked by its benchmark with a config
// file: the config, progress messages over IPC, failing, and exiting when the orchestrator is
// gone (its IPC channel closed) or asks (SIGTERM).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Sends `msg` to the orchestrator, when there is one. */
export const send = (msg) => process.send?.(msg);

/**
 * Reads the config (JSON file named by the first argument) and wires the exits. `name`: when
 * given, failures are also printed on stderr under that name.
 */
export function loadChild({ name } = {}) {
  process.on('disconnect', () => process.exit(1)); // the orchestrator is gone
  process.on('SIGTERM', () => process.exit(1));
  const fail = (message) => {
    if (name) console.error(`${name}: ${message}`);
    send({ type: 'error', message });
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 100);
  };
  return { cfg: JSON.parse(readFileSync(process.argv[2], 'utf8')), fail };
}

/** Hands the result over (then lets go of the channel), or prints it as one JSON line without IPC. */
export function sendResult(result) {
  if (process.send) process.send(result, () => process.disconnect());
  else console.log(JSON.stringify(result));
}

/** Starts measuring this process's CPU and event loop; `usage.over(ms)` answers them since. */
export function startUsage() {
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  return {
    over(ms) {
      const used = process.cpuUsage(cpu);
      return {
        cpuPercentOfOneCore: (100 * (used.user + used.system)) / 1000 / ms,
        eventLoopUtilization: performance.eventLoopUtilization(elu).utilization,
      };
    },
  };
}

/** This process's resident set, in MiB. */
export const rssMb = () => process.memoryUsage().rss / 1048576;
