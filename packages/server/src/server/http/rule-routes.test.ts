import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RuleStore, type Rule } from '../../brain/index.js';
import { MemoryBus } from '../../bus/memory/index.js';
import { OPERATOR, type Principal } from '../../sharing/index.js';
import { SqliteStore } from '../../store/sqlite/index.js';
import { installErrorHandler } from './error-handler.js';
import { ruleRoutes } from './rule-routes.js';

const ANALYST: Principal = {
  kind: 'user',
  subject: 'ana',
  organisation: 'env',
  roles: ['analyst'],
  via: 'oidc',
};
const base = { name: 'n', severity: 'high', category: 'air' };
const common = { ...base, select: { entityType: 'Air' } };
const SQUARE = {
  type: 'Polygon',
  coordinates: [
    [
      [120, 30],
      [120.1, 30],
      [120.1, 30.1],
      [120, 30.1],
      [120, 30],
    ],
  ],
};

/** One valid rule of every kind, with each kind's own properties. */
const RULES = [
  { ...common, id: 'thr', kind: 'threshold', attribute: 'pm25', operator: '>', value: 75 },
  {
    ...common,
    id: 'agg',
    kind: 'aggregate',
    attribute: 'pm25',
    function: 'percentile',
    percentile: 95,
    window: { type: 'sliding', sizeSeconds: 600, slideSeconds: 60 },
    groupBy: 'area',
    operator: '>',
    value: 75,
    clear: { operator: '<', value: 50, forSeconds: 60 },
  },
  {
    ...common,
    id: 'rate',
    kind: 'rate',
    attribute: 'pm25',
    overSeconds: 300,
    operator: '>',
    value: 5,
  },
  { ...common, id: 'abs', kind: 'absence', silentForSeconds: 600 },
  { ...common, id: 'geo', kind: 'geofence', area: SQUARE, on: 'leave' },
  {
    ...common,
    id: 'cia',
    kind: 'countInArea',
    area: SQUARE,
    where: { attribute: 'speed', operator: '<', value: 5 },
    operator: '>=',
    value: 10,
  },
  {
    ...base,
    id: 'cor',
    kind: 'correlation',
    withinSeconds: 86_400,
    conditions: [
      {
        select: { entityType: 'Clinic' },
        attribute: 'feverVisits',
        function: 'sum',
        window: { type: 'tumbling', sizeSeconds: 3600 },
        groupBy: 'area',
        operator: '>',
        value: 20,
      },
      {
        select: { entityType: 'Pharmacy' },
        function: 'count',
        window: { type: 'tumbling', sizeSeconds: 3600 },
        groupBy: 'area',
        operator: '>',
        value: 50,
      },
    ],
  },
] as const;

let dir: string;
let store: SqliteStore;
let app: FastifyInstance;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cb-rule-routes-'));
  store = new SqliteStore({ file: join(dir, 'city.db'), synchronous: 'normal' });
  const bus = new MemoryBus((err) => {
    throw err;
  });
  app = Fastify();
  installErrorHandler(app);
  app.addHook('onRequest', (request, _reply, done) => {
    request.principal = request.headers.authorization === 'Bearer analyst' ? ANALYST : OPERATOR;
    done();
  });
  await ruleRoutes(app, { rules: new RuleStore(store, bus), store });
  await app.ready();
});

afterEach(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const put = (rule: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'PUT',
    url: `/api/v1/rules/${(rule as { id: string }).id}`,
    payload: rule as object,
    headers,
  });

describe('PUT /api/v1/rules/:id', () => {
  it.each(RULES.map((r) => [r.kind, r] as const))(
    'stores a %s rule exactly as sent',
    async (_kind, rule) => {
      const created = await put(rule);
      expect(created.statusCode, created.body).toBe(201);
      expect(created.headers.etag).toBe('"1"');
      const read = await app.inject({ url: `/api/v1/rules/${rule.id}` });
      expect(read.json()).toMatchObject({ ...rule, version: 1, updatedBy: 'operator' });
    },
  );

  it('takes YAML, the same as JSON', async () => {
    const rule = RULES[1];
    const res = await app.inject({
      method: 'PUT',
      url: `/api/v1/rules/${rule.id}`,
      payload: stringify(rule),
      headers: { 'content-type': 'application/yaml' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect((await app.inject({ url: `/api/v1/rules/${rule.id}` })).json()).toMatchObject(rule);
  });

  it('refuses an unknown property with a ProblemDetails naming it, instead of dropping it', async () => {
    const res = await put({ ...RULES[1], windw: { type: 'tumbling', sizeSeconds: 60 } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().detail).toContain('body/windw is not a property of this kind of rule');
    expect((await app.inject({ url: '/api/v1/rules/agg' })).statusCode).toBe(404);
  });

  it("judges a rule by its own kind's schema and says what is wrong in words", async () => {
    const res = await put({ ...RULES[1], window: { type: 'hopping', sizeSeconds: 60 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toContain('body/window/type must be one of tumbling, sliding');
    expect(res.json().detail).not.toContain('anyOf');
    const kind = await put({ ...RULES[0], kind: 'magic' });
    expect(kind.json().detail).toContain('body/kind must be one of threshold, aggregate');
    const missing = await put({ ...RULES[2], overSeconds: undefined });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().detail).toContain('overSeconds');
  });

  it('refuses what the schema cannot say: a tumbling window that slides, an open ring', async () => {
    const slides = await put({
      ...RULES[1],
      window: { type: 'tumbling', sizeSeconds: 600, slideSeconds: 60 },
    });
    expect(slides.statusCode).toBe(400);
    expect(slides.json().detail).toContain('a tumbling window slides by its size');
    const open = await put({
      ...RULES[4],
      area: { type: 'Polygon', coordinates: [SQUARE.coordinates[0]!.slice(0, 4)] },
    });
    expect(open.statusCode).toBe(400);
  });

  it('versions every change and keeps If-Match honest (412 on a stale version)', async () => {
    expect((await put(RULES[0])).statusCode).toBe(201);
    const changed = await put({ ...RULES[0], value: 80 }, { 'if-match': '"1"' });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).toBe('"2"');
    const stale = await put({ ...RULES[0], value: 90 }, { 'if-match': '"1"' });
    expect(stale.statusCode).toBe(412);
    const versions = await app.inject({ url: '/api/v1/rules/thr/versions' });
    expect(versions.json().map((v: { rule: Rule }) => (v.rule as { value: number }).value)).toEqual(
      [75, 80],
    );
  });

  it('lets only the operator and administrators change rules', async () => {
    const res = await put(RULES[0], { authorization: 'Bearer analyst' });
    expect(res.statusCode).toBe(403);
  });
});

describe('POST /api/v1/rules/:id/backtest', () => {
  it('runs an unsaved aggregate draft, validated like a rule', async () => {
    const from = '2025-01-01T00:00:00Z';
    const to = '2025-01-02T00:00:00Z';
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/rules/agg/backtest',
      payload: { from, to, rule: RULES[1] },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ rule: 'agg', facts: 0, alerts: [] });
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/rules/agg/backtest',
      payload: { from, to, rule: { ...RULES[1], function: 'median' } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toContain('body/rule/function must be one of count, sum');
  });
});
