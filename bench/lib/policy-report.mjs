// The printed table of the policy phase, and where the server's CPU went for each caller.
import { summarizeCpuProfile } from './cpuprofile.mjs';

const int = (n) => (n === undefined ? 'n/a' : n.toLocaleString('en-US'));
const signed = (n) => (n === undefined || n === null ? '' : `${n >= 0 ? '+' : ''}${n} %`);
const PATHS = [
  ['getById', 'GET by id (autocannon, 16 connections)'],
  ['typeQuery', 'type + q, page of 100 (closed loop, 2 clients)'],
];

/** The phase's lines for the summary: one row per caller and path, overheads, checks, audit. */
export function policyLines(p) {
  const g = p.grant;
  const lines = [
    `  policy check             ${p.dataset}: the grantee reads ${g.attributes.join(', ')} where ${g.rowFilter}, for ${g.purpose}` +
      ` (${int(p.visibleEntities)} of ${int(p.entitiesOfType)} entities of the type)`,
  ];
  const v = p.verification;
  if (!v.ok) {
    lines.push(
      `    VERIFICATION FAILED${v.leaks.length ? `: ${v.leaks.length} LEAK(S) OUTSIDE THE GRANT` : ''}`,
      ...v.leaks.slice(0, 10).map((l) => `      LEAK ${l}`),
      ...v.problems.slice(0, 10).map((l) => `      ${l}`),
    );
  }
  if (p.overheadPercent) {
    const cells = (...xs) => xs.map(([x, w]) => String(x).padStart(w)).join(' ');
    const over = (o) =>
      `${signed(o.serverCpuPerRequest)}, ${signed(o.timePerRequest)}, ${signed(o.p50)}, ${signed(o.p95)}, ${signed(o.p99)}`;
    lines.push(
      `    ${''.padEnd(36)} ${cells(['CPU us/req', 10], ['req/s', 7], ['rounds', 13], ['p50 ms', 7], ['p95 ms', 7], ['p99 ms', 7])}` +
        '   more than the operator: CPU/request, time/request, p50, p95, p99',
    );
    for (const [key, title] of PATHS) {
      lines.push(`    ${title}`);
      const o = p.overheadPercent[key];
      for (const [name, r] of Object.entries(p[key])) {
        const l = r.latencyMs;
        const spread = `${int(Math.min(...r.roundsPerSec))}-${int(Math.max(...r.roundsPerSec))}`;
        const bad = r.non2xx || r.failures ? `   (${r.non2xx ?? r.failures} failed)` : '';
        lines.push(
          `      ${p.callers[name].padEnd(34)} ${cells([int(Math.round(r.serverCpuUsPerRequest)), 10], [int(r.perSec), 7], [spread, 13], [l.p50, 7], [l.p95, 7], [l.p99, 7])}` +
            (o[name] ? `   ${over(o[name])}` : '') +
            bad,
        );
      }
      lines.push(
        `      grantee over the operator asking for the same answer: ${over(o.granteeVsSpeltOut)}`,
      );
    }
    const busy = Object.values(p.getById)
      .concat(Object.values(p.typeQuery))
      .map((r) => r.machineBusyPercent);
    lines.push(
      `    machine busy during the rounds: ${Math.min(...busy)}-${Math.max(...busy)} % of all cores (server, load generator and anyone else)`,
    );
  }
  const t = p.target;
  const verdict = (x) =>
    `[${x.met ? 'met' : 'MISSED'}${x.worstPercent !== undefined ? `, worst ${signed(x.worstPercent)}` : ''}${t.reason ? `: ${t.reason}` : ''}]`;
  lines.push(
    `    target: < ${t.percent} % more server CPU per request than the operator, owner and grantee, both paths   ${verdict(t)}`,
  );
  if (t.policyCheck)
    lines.push(
      `    the policy check alone (the grantee against the operator asking for the same answer)      ${verdict(t.policyCheck)}`,
    );
  const [min, n] = Object.entries(v.counts)[0] ?? [];
  lines.push(
    v.ok
      ? `    correctness: OK (${v.getsPerCaller} GETs per caller, ${v.hiddenGets} GETs of hidden entities, ` +
          `${Object.keys(v.counts).length} counts: grantee = operator with the row filter < operator, e.g. occupancy>=${min}: ${int(n?.grantee)} = ${int(n?.operatorSpeltOut)} < ${int(n?.operator)})`
      : '    correctness: FAILED (see above)',
  );
  const a = p.audit;
  lines.push(
    `    audit chain: ${int(a.recordsInPhase)} records appended in the phase` +
      (a.timedRecords !== undefined
        ? `; ${int(a.timedRecords)} in ${a.timedSeconds} s of timed load = ${int(a.recordsPerSec)} records/s (${a.recordsPerRequest} per request)`
        : ''),
  );
  return lines;
}

/** Self µs per request of each function (or component) over one caller's rounds, idle left out. */
function selfPerRequest(file, run, by) {
  const us = new Map();
  for (const w of run.windowsUs) {
    const s = summarizeCpuProfile(file, { top: Infinity, fromUs: w.from, toUs: w.to });
    for (const x of s[by])
      if (x.name.trim() !== '(idle)')
        us.set(x.name, (us.get(x.name) ?? 0) + x.percent * s.sampledSeconds * 1e4);
  }
  for (const [name, total] of us) us.set(name, total / run.requests);
  return us;
}

/**
 * The server main thread's self time per request (µs) by component and function, for each
 * caller and path, from one CPU profile of the whole run: where a caller's extra cost goes.
 */
export function policyProfiles(file, p, top = 20) {
  const out = {};
  for (const [key] of PATHS) {
    const callers = Object.keys(p[key] ?? {});
    out[key] = { callers };
    for (const by of ['components', 'functions']) {
      const per = callers.map((c) => selfPerRequest(file, p[key][c], by));
      const names = new Set(per.flatMap((m) => [...m.keys()]));
      const rows = [...names].map((name) => ({
        name,
        usPerRequest: per.map((m) => Math.round((m.get(name) ?? 0) * 10) / 10),
      }));
      rows.sort((a, b) => Math.max(...b.usPerRequest) - Math.max(...a.usPerRequest));
      const total = callers.map((_, i) =>
        Math.round(rows.reduce((t, r) => t + r.usPerRequest[i], 0)),
      );
      out[key][by] = [{ name: 'all (idle left out)', usPerRequest: total }, ...rows.slice(0, top)];
    }
  }
  return out;
}

/** The profile tables: one line per function, one column per caller. */
export function policyProfileLines(profiles, callerLabels) {
  const lines = ['', 'server main thread, self time per request (us), by function:'];
  for (const [key, title] of PATHS) {
    const { callers, functions } = profiles[key];
    lines.push(`  ${title}`, `  ${callers.map((c) => c.slice(0, 12).padStart(12)).join(' ')}`);
    for (const f of functions)
      lines.push(`  ${f.usPerRequest.map((x) => x.toFixed(1).padStart(12)).join(' ')}   ${f.name}`);
  }
  lines.push(`  (columns: ${Object.values(callerLabels).join('; ')})`);
  return lines;
}
