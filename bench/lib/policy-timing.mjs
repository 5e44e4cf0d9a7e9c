// The timing half of the policy phase: each caller on GET by id and the type + q query, in
// interleaved rounds (the order rotated each round) so that load from elsewhere on the machine
// weighs on every caller alike; a caller's rounds are then merged into one run. The server's
// CPU time per request is kept too: other processes' load moves it much less than throughput.
import { cannon, closedLoop, latencySummary } from './http-load.mjs';
import { entityId, rng } from './ngsi-ld-city.mjs';
import { leakIn } from './policy-setup.mjs';
import { auditHead, MIN_OCCUPANCIES } from './policy-verify.mjs';
import { readMachineCpu, readProcessCpu } from './proc.mjs';
import { round } from './stats.mjs';

/** GET by id of the visible entities: round r draws the same ids for every caller. */
const getRun = (server, caller, { seconds, round, visibleList }) => {
  const random = rng(100 + round);
  return cannon(server, {
    seconds,
    connections: 16,
    headers: caller.headers,
    keepLatencies: true,
    build: () => ({
      method: 'GET',
      path: caller.getPath(entityId(visibleList[Math.floor(random() * visibleList.length)])),
    }),
  });
};

/** The type + q query; each page must hold min(100, the count seen in verification) entities. */
const queryRun = (server, caller, { seconds, round, counts, leaks }) => {
  const random = rng(200 + round);
  return closedLoop(server, {
    seconds,
    concurrency: 2,
    headers: caller.headers,
    keepLatencies: true,
    path: () => caller.queryPath(MIN_OCCUPANCIES[Math.floor(random() * MIN_OCCUPANCIES.length)]),
    check: (body, res) => {
      if (!Array.isArray(body)) return 'not an array';
      if (caller.grantee)
        for (const e of body) {
          const leak = leakIn(e);
          if (leak) {
            leaks.push(`query ${res.url}: ${leak}`);
            return `LEAK: ${leak}`;
          }
        }
      const min = Number(/occupancy>=(\d+)/.exec(new URL(res.url).searchParams.get('q'))?.[1]);
      const want = Math.min(100, counts[min]?.[caller.name] ?? NaN);
      return body.length === want ? undefined : `got ${body.length} entities, wanted ${want}`;
    },
  });
};

const sum = (runs, key) => runs.reduce((s, r) => s + (r[key] ?? 0), 0);

/** One caller's rounds as one run: counts summed, latencies merged, each round's req/s kept. */
function merge(rounds, seconds) {
  const latencies = new Float64Array(rounds.reduce((s, r) => s + r.latencies.length, 0));
  let n = 0;
  for (const r of rounds) {
    latencies.set(r.latencies, n);
    n += r.latencies.length;
  }
  const requests = sum(rounds, 'requests');
  const machine = { busy: sum(rounds, 'machineBusySeconds'), total: sum(rounds, 'machineSeconds') };
  const failed =
    rounds[0].failures === undefined
      ? {
          non2xx: sum(rounds, 'non2xx'),
          errors: sum(rounds, 'errors'),
          timeouts: sum(rounds, 'timeouts'),
        }
      : {
          failures: sum(rounds, 'failures'),
          lastFailure: rounds.findLast((r) => r.lastFailure)?.lastFailure,
        };
  return {
    requests,
    perSec: Math.round(requests / seconds),
    ...failed,
    latencyMs: latencySummary(latencies.sort()),
    roundsPerSec: rounds.map((r) => r.perSec),
    serverCpuUsPerRequest: round((1e6 * sum(rounds, 'serverCpuSeconds')) / requests, 1),
    machineBusyPercent: Math.round((100 * machine.busy) / machine.total),
    auditRecords: sum(rounds, 'auditRecords'),
    windowsUs: rounds.map((r) => r.windowUs),
  };
}

/**
 * Times every caller for `seconds` on each path, in up to 5 rounds; returns per path and caller
 * the merged run (latencies from hrtime; `auditRecords`: the chain's growth during its rounds).
 */
export async function timeCallers(server, all, { seconds, visibleList, counts, leaks, log }) {
  const rounds = Math.max(1, Math.min(5, Math.floor(seconds)));
  const slice = seconds / rounds;
  const out = {};
  for (const [key, run, what] of [
    ['getById', getRun, 'GET by id'],
    ['typeQuery', queryRun, 'type + q'],
  ]) {
    log(`  ${what}: ${rounds} rounds of ${slice} s per caller (and one warm-up round) …`);
    const byCaller = new Map(all.map((c) => [c.name, []]));
    for (let round = -1; round < rounds; round++) {
      const order = all.map((_, k) => all[(k + Math.max(round, 0)) % all.length]);
      for (const caller of order) {
        const before = await auditHead(server);
        const cpu = readProcessCpu(server.pid);
        const machine = readMachineCpu();
        const r = await run(server, caller, { seconds: slice, round, visibleList, counts, leaks });
        r.serverCpuSeconds = readProcessCpu(server.pid) - cpu;
        const machineAfter = readMachineCpu();
        r.machineBusySeconds = machineAfter.busy - machine.busy;
        r.machineSeconds = machineAfter.total - machine.total;
        r.auditRecords = (await auditHead(server)) - before;
        if (round >= 0) byCaller.get(caller.name).push(r);
      }
    }
    out[key] = Object.fromEntries(all.map((c) => [c.name, merge(byCaller.get(c.name), seconds)]));
  }
  return out;
}
