// Summarises a V8 .cpuprofile (node --cpu-prof) by self time: where a process spent its CPU.
import { readFileSync } from 'node:fs';

/** The component a call frame belongs to: an npm package, a citybrain module, node, or V8. */
function componentOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1];
  const own = /packages\/server\/dist\/([^/]+)\//.exec(url);
  if (own) return `citybrain/${own[1]}`;
  if (url.startsWith('node:')) return 'node core';
  return url;
}

/**
 * Self time by component and by function, in % of sampled time. `fromUs`/`toUs` keep only
 * samples in that window of the monotonic clock (process.hrtime.bigint() / 1000n on Linux
 * is the clock of V8's profile timestamps).
 */
export function summarizeCpuProfile(file, { top = 25, fromUs = -Infinity, toUs = Infinity } = {}) {
  const profile = typeof file === 'string' ? JSON.parse(readFileSync(file, 'utf8')) : file;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (t < fromUs || t > toUs) continue;
    total += dt;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  const fns = new Map();
  const comps = new Map();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const comp = componentOf(url, functionName);
    const short = url
      ? url.replace(/^.*node_modules\//, '').replace(/^.*packages\/server\/dist\//, 'citybrain/')
      : '';
    const key = `${functionName || '(anonymous)'} ${short}${url ? `:${lineNumber + 1}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    comps.set(comp, (comps.get(comp) ?? 0) + us);
  }
  const pct = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, percent: Math.round((1000 * us) / total) / 10 }));
  return {
    file,
    profileStartUs: profile.startTime,
    profileEndUs: profile.endTime,
    sampledSeconds: total / 1e6,
    components: pct(comps).slice(0, top),
    functions: pct(fns).slice(0, top),
  };
}
