// The correctness half of the policy phase: what each caller is shown, before anything is
// timed. A grantee shown an entity outside its row filter or an attribute outside its grant is
// a leak, and fails the phase.
import {
  entityId,
  makeEntity,
  rng,
  typeOf,
  typeQueryPath,
  typeQueryQ,
  TYPES,
} from './ngsi-ld-city.mjs';
import { attributesOf, DATASET, GRANTED, leakIn } from './policy-setup.mjs';
import { api } from './server.mjs';

/** The query phase's minimum occupancies (60…79). */
export const MIN_OCCUPANCIES = Array.from({ length: 20 }, (_, k) => 60 + k);
const SAMPLE = 100;

/** A read as one caller: status, parsed body and NGSILD-Results-Count. */
async function read(server, caller, path) {
  const res = await fetch(server.url + path, {
    headers: { accept: 'application/json', ...caller.headers },
  });
  const text = await res.text();
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  const count = res.headers.get('ngsild-results-count');
  return { status: res.status, body, text, count: count === null ? undefined : Number(count) };
}

/** The seq of the audit chain's newest record (0 when empty). */
export async function auditHead(server) {
  const res = await api(server, '/api/v1/access-log?limit=1');
  if (res.status !== 200)
    throw new Error(`GET /api/v1/access-log: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  return res.body.records[0]?.seq ?? 0;
}

/**
 * What each caller sees, before anything is timed: GETs of a sample of the visible entities
 * (all attributes for the operator and the owner, the granted ones for the grantee), GETs and
 * queries of what the grantee must not see, and every query's count for each caller (the
 * grantee's must be the operator's with the row filter, and smaller).
 */
export async function verify(server, all, { entities, visible }) {
  const problems = [];
  const leaks = [];
  const random = rng(11);
  const pickIndex = (accept) => {
    for (;;) {
      const i = Math.floor(random() * entities);
      if (accept(i)) return i;
    }
  };
  const everyAttribute = attributesOf(makeEntity(0, rng(1))).join();
  const ids = Array.from({ length: SAMPLE }, () => entityId(pickIndex((i) => visible.has(i))));
  for (const caller of all)
    for (const id of ids) {
      const r = await read(server, caller, caller.getPath(id));
      if (r.status !== 200) {
        problems.push(`${caller.name} GET ${id}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
        continue;
      }
      const leak = caller.grantee && leakIn(r.body);
      if (leak) leaks.push(`GET ${id}: ${leak}`);
      const want = caller.grantee || caller.reference ? [...GRANTED].sort().join() : everyAttribute;
      const got = attributesOf(r.body).join();
      if (got !== want)
        problems.push(`${caller.name} GET ${id}: attributes ${got}, wanted ${want}`);
    }

  // The grantee asks for what it may not see: it must not exist for it.
  const grantee = all.find((c) => c.grantee);
  const hidden = [
    ...Array.from({ length: SAMPLE / 2 }, () =>
      pickIndex((i) => typeOf(i) === DATASET && !visible.has(i)),
    ),
    ...Array.from({ length: SAMPLE / 2 }, () => pickIndex((i) => typeOf(i) !== DATASET)),
  ].map(entityId);
  for (const id of hidden) {
    const r = await read(server, grantee, grantee.getPath(id));
    if (r.status === 200) leaks.push(`GET ${id} answered 200: ${r.text.slice(0, 200)}`);
    else if (r.status !== 404) problems.push(`grantee GET ${id}: HTTP ${r.status}, wanted 404`);
  }
  const otherType = TYPES.find((t) => t !== DATASET);
  for (const path of [
    typeQueryPath(otherType, 60),
    `/ngsi-ld/v1/entities?q=${encodeURIComponent(typeQueryQ(90))}&limit=1000`,
  ]) {
    const r = await read(server, grantee, path);
    for (const e of Array.isArray(r.body) ? r.body : []) {
      const leak = leakIn(e);
      if (leak) leaks.push(`${path}: ${leak}`);
    }
  }

  const counts = {};
  for (const min of MIN_OCCUPANCIES) {
    const n = {};
    for (const caller of all) {
      const r = await read(server, caller, `${caller.queryPath(min)}&count=true`);
      if (r.status !== 200 || r.count === undefined) {
        problems.push(
          `${caller.name} count of ${typeQueryQ(min)}: HTTP ${r.status} ${r.text.slice(0, 200)}`,
        );
        continue;
      }
      n[caller.name] = r.count;
      if (caller.grantee)
        for (const e of r.body) {
          const leak = leakIn(e);
          if (leak) leaks.push(`query ${typeQueryQ(min)}: ${leak}`);
        }
    }
    counts[min] = n;
    const says = `${typeQueryQ(min)}: operator ${n.operator}, owner ${n.owner}, grantee ${n.grantee}, operator with the row filter ${n.operatorSpeltOut}`;
    if (n.grantee > n.operatorSpeltOut) leaks.push(`count of ${says}`);
    else if (!(
      n.grantee === n.operatorSpeltOut &&
      n.grantee < n.operator &&
      n.owner === n.operator
    ))
      problems.push(`count of ${says}`);
  }
  return {
    ok: problems.length === 0 && leaks.length === 0,
    getsPerCaller: ids.length,
    hiddenGets: hidden.length,
    counts,
    leaks,
    problems,
  };
}
