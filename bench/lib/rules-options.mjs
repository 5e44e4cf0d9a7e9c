// Command-line options of the rules benchmark (bench/rules.mjs) and its target.
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** Issue 6: 1,000 active rules over 20,000 observations/s, p99 observation-to-alert < 100 ms. */
export const TARGET = { rules: 1000, observationsPerSec: 20_000, p99Ms: 100, seconds: 30 };
const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

const HELP = `Usage: node bench/rules.mjs [options]   (npm run bench:rules builds first, then runs this)

The rule engine under load: R active rules (threshold, aggregate, rate, absence, geofence,
countInArea, correlation) over an open-loop stream of N observations/s from D MQTT devices (4
entity types, 10 areas). Trigger devices push a value over the thresholds at known times; each
alert is timed from the publish of the observation that decided it to its arrival on
GET /api/v1/events. Needs a build (packages/server/dist).

Options:
  --rules <n>            active rules (the server's default rules count)     (default 1000)
  --rate <n>             observations/s, open loop                           (default 20000)
  --devices <n>          MQTT devices, one connection each                  (default 2000)
  --areas <n>            areas the devices and rules are spread over        (default 10)
  --seconds <n>          measured window                                    (default 30)
  --warmup <n>           warm-up seconds with the rules, not measured       (default 5)
  --baseline <n>         seconds of the same load before the rules exist    (default 10; 0: none)
  --alert-rate <n>       alerts/s the trigger spikes aim at                  (default 20)
  --citywide <0..1>      share of rules reading a type in every area         (default 0.3)
  --quick                smoke run: 100 rules, 2,000 obs/s, 400 devices, 5 s (explicit flags win)
  --inflight-cap <n>     QoS 1 publishes in flight per device before skipping (default 64)
  --entity-keys-only     DIAGNOSTIC: every rule keyed by one entity (aggregates grouped by entity,
                         geofences for countInArea, thresholds for correlation): the engine
                         without keys fed by many devices; never counts as meeting the target
  --no-gc-probe          do not run the server with --inspect=127.0.0.1:0; by default the bench asks
                         its inspector for a full GC (only when a window has ended) to read the
                         live heap, for the memory figures
  --settle <n>           seconds to wait for the expected alerts after the load (default 30)
  --data-root <dir>      where the fresh data directory is made             (default: OS tmp)
  --keep-data            keep the data directory afterwards
  --server-cpu-prof <dir>  DIAGNOSTIC: run the server under node --cpu-prof and print where its
                         CPU went in the measured window (never counts as meeting the target)
  --results <dir>        where results go                                   (default: bench/results)
  --no-write             print only
  -h, --help             this help

Writes <results>/rules-<ISO timestamp>.json and rules-latest.json. Exit status: 1 when an
expected alert is missing, an alert came that no rule should have raised, the server logged an
error, did not stop cleanly, or the stream fell short of the rate; missing the latency target is
reported (target.met), not failed; 2 for bad options.`;

/** The parsed options; prints the help and exits on --help or a bad option. */
export function options() {
  let v;
  try {
    v = parseArgs({
      options: {
        rules: { type: 'string' },
        rate: { type: 'string' },
        devices: { type: 'string' },
        areas: { type: 'string' },
        seconds: { type: 'string' },
        warmup: { type: 'string' },
        baseline: { type: 'string' },
        'alert-rate': { type: 'string' },
        citywide: { type: 'string' },
        quick: { type: 'boolean', default: false },
        'inflight-cap': { type: 'string' },
        'entity-keys-only': { type: 'boolean', default: false },
        'no-gc-probe': { type: 'boolean', default: false },
        settle: { type: 'string' },
        'data-root': { type: 'string' },
        'keep-data': { type: 'boolean', default: false },
        'server-cpu-prof': { type: 'string' },
        results: { type: 'string' },
        'no-write': { type: 'boolean', default: false },
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
  const q = v.quick;
  const num = (name, fallback, min, max = Infinity) => {
    if (v[name] === undefined) return fallback;
    const n = Number(v[name]);
    if (!Number.isFinite(n) || n < min || n > max) {
      console.log(`--${name} must be a number in [${min}, ${max}], got ${JSON.stringify(v[name])}`);
      process.exit(2);
    }
    return n;
  };
  return {
    entityKeysOnly: v['entity-keys-only'],
    gcProbe: !v['no-gc-probe'],
    rules: Math.floor(num('rules', q ? 100 : 1000, 10)),
    rate: num('rate', q ? 2000 : 20_000, 1),
    devices: Math.floor(num('devices', q ? 400 : 2000, 8)),
    areas: Math.floor(num('areas', 10, 1, 50)),
    seconds: num('seconds', q ? 5 : 30, 1),
    warmupSeconds: num('warmup', q ? 2 : 5, 0),
    baselineSeconds: num('baseline', q ? 3 : 10, 0),
    alertRate: num('alert-rate', q ? 10 : 20, 0.1),
    citywideShare: num('citywide', 0.3, 0, 1),
    quick: q,
    inflightCap: Math.floor(num('inflight-cap', 64, 1)),
    settleSeconds: num('settle', 30, 1),
    dataRoot: v['data-root'] ? resolve(v['data-root']) : tmpdir(),
    keepData: v['keep-data'],
    cpuProfDir: v['server-cpu-prof'] ? resolve(v['server-cpu-prof']) : null,
    resultsDir: v.results ? resolve(v.results) : RESULTS_DIR,
    write: !v['no-write'],
  };
}
