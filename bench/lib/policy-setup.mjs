// The sharing set-up of the policy phase: one dataset of the bench city owned by one
// department and granted to another for one district and a few attributes, and the callers
// whose reads are compared (the operator, the owner's API key, the grantee's).
import { api } from './server.mjs';
import {
  DISTRICTS,
  TYPES,
  districtId,
  entityIndex,
  typeOf,
  typeQueryPath,
  typeQueryQ,
} from './ngsi-ld-city.mjs';

export const DATASET = 'TrafficFlowObserved';
export const PURPOSE = 'traffic-management';
const DISTRICT = 2;
/** What traffic management needs: how busy, whether working, where; not name, temperature, district. */
export const GRANTED = ['occupancy', 'status', 'location'];
export const ROW_FILTER = `refDistrict=="${districtId(DISTRICT)}"`;
const OWNER = 'bench-traffic-police';
const GRANTEE = 'bench-transport-bureau';
const ORGANISATIONS = [
  { id: OWNER, name: { en: 'Traffic Police Detachment (bench)', zh: '交警支队（基准）' } },
  { id: GRANTEE, name: { en: 'Transport Bureau (bench)', zh: '交通运输局（基准）' } },
];
/** Members of an entity that are not attributes. */
const NOT_ATTRIBUTES = new Set(['id', 'type', '@context']);

/** The indexes of the entities the grant lets the grantee see (of DATASET, in DISTRICT). */
export function visibleIndexes(entities) {
  const out = [];
  for (let i = TYPES.indexOf(DATASET); i < entities; i += TYPES.length)
    if (i % DISTRICTS === DISTRICT) out.push(i);
  return out;
}

/** Why the grantee must not see this entity as shown, if it must not. */
export function leakIn(entity) {
  const i = entityIndex(entity.id);
  if (i === undefined || typeOf(i) !== DATASET || i % DISTRICTS !== DISTRICT)
    return `${entity.id} is outside the grant's row filter ${ROW_FILTER}`;
  const extra = Object.keys(entity).filter((k) => !NOT_ATTRIBUTES.has(k) && !GRANTED.includes(k));
  if (extra.length) return `${entity.id} shows ${extra.join(', ')}, not granted`;
  return undefined;
}

/** The attributes of an entity as shown. */
export const attributesOf = (entity) =>
  Object.keys(entity)
    .filter((k) => !NOT_ATTRIBUTES.has(k))
    .sort();

async function expect(what, res, status) {
  if (res.status !== status)
    throw new Error(`policy set-up: ${what}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  return res.body;
}

/**
 * Declares the two departments and the dataset, makes an API key for each and puts a grant
 * in force; returns the keys and the grant.
 */
export async function setUpSharing(server) {
  for (const org of ORGANISATIONS)
    await expect(
      `organisation ${org.id}`,
      await api(server, `/api/v1/organisations/${org.id}`, {
        method: 'PUT',
        json: { ...org, kind: 'department' },
      }),
      204,
    );
  await expect(
    `dataset ${DATASET}`,
    await api(server, `/api/v1/datasets/${DATASET}`, {
      method: 'PUT',
      json: { id: DATASET, owner: OWNER, classification: 'sensitive' },
    }),
    204,
  );
  const key = async (organisation, roles) =>
    expect(
      `API key of ${organisation}`,
      await api(server, '/api/v1/api-keys', {
        method: 'POST',
        json: { name: `bench policy phase (${organisation})`, organisation, roles },
      }),
      201,
    );
  const ownerKey = await key(OWNER, ['owner']);
  const granteeKey = await key(GRANTEE, ['analyst']);
  const owner = { ...server, token: ownerKey.key };
  const grantee = { ...server, token: granteeKey.key };
  // A reused data directory may keep an earlier run's grant (if it stopped half-way): only
  // this run's may be in force, or the row filters would be ORed.
  for (const g of await expect('grants', await api(owner, '/api/v1/grants'), 200))
    if (g.assignee === GRANTEE && g.target === DATASET && g.status === 'approved')
      await expect(
        `revoking ${g.id}`,
        await api(owner, `/api/v1/grants/${g.id}/revoke`, { method: 'POST' }),
        200,
      );
  const now = Date.now();
  const asked = await expect(
    'grant request',
    await api(grantee, '/api/v1/grants', {
      method: 'POST',
      json: {
        target: DATASET,
        attributes: GRANTED,
        rowFilter: ROW_FILTER,
        purpose: PURPOSE,
        validFrom: new Date(now - 60_000).toISOString(),
        validUntil: new Date(now + 86_400_000).toISOString(),
        duties: [],
        prohibitions: ['redistribution'],
      },
    }),
    201,
  );
  await expect(
    'grant approval',
    await api(owner, `/api/v1/grants/${asked.id}/approve`, { method: 'POST' }),
    200,
  );
  return { owner, grantee, keyIds: [ownerKey.id, granteeKey.id], grant: asked.id };
}

/** Revokes the grant and the keys, so that a reused data directory keeps no live credential. */
export async function tearDownSharing(server, sharing) {
  await expect(
    'revoking the grant',
    await api(sharing.owner, `/api/v1/grants/${sharing.grant}/revoke`, { method: 'POST' }),
    200,
  );
  for (const id of sharing.keyIds)
    await expect(
      `revoking key ${id}`,
      await api(server, `/api/v1/api-keys/${id}`, { method: 'DELETE' }),
      204,
    );
}

/**
 * Who reads, and how: the operator (the baseline), the owner's key, the grantee's key with its
 * purpose, and, for reference, the operator asking explicitly for what the grantee is answered
 * (the row filter in q, the granted attributes in attrs), which is the grantee's query without
 * the policy machinery.
 */
export function callers(server, sharing) {
  const bearer = (token) => ({ authorization: `Bearer ${token}` });
  const attrs = `attrs=${GRANTED.join(',')}`;
  // The GET and the type + q query of the get and query phases, on DATASET.
  const plain = {
    getPath: (id) => `/ngsi-ld/v1/entities/${encodeURIComponent(id)}`,
    queryPath: (min) => typeQueryPath(DATASET, min),
  };
  return [
    { name: 'operator', label: 'operator (admin token)', headers: bearer(server.token), ...plain },
    { name: 'owner', label: 'owner API key', headers: bearer(sharing.owner.token), ...plain },
    {
      name: 'grantee',
      label: 'grantee API key',
      headers: { ...bearer(sharing.grantee.token), 'citybrain-purpose': PURPOSE },
      ...plain,
      grantee: true,
    },
    {
      name: 'operatorSpeltOut',
      label: "operator, grantee's answer asked",
      headers: bearer(server.token),
      getPath: (id) => `${plain.getPath(id)}?${attrs}`,
      queryPath: (min) =>
        `/ngsi-ld/v1/entities?type=${DATASET}&q=${encodeURIComponent(`${typeQueryQ(min)};${ROW_FILTER}`)}&${attrs}&limit=100`,
      reference: true,
    },
  ];
}
