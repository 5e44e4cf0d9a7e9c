import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MATRIX, pm25Raise, sensor, T0 } from '../../brain/command/test-fixture.js';
import { enc, startCommandTestApp, type CommandTestApp } from './command-test-app.js';

let t: CommandTestApp;
let alertId: string;

beforeEach(async () => {
  t = await startCommandTestApp();
  for (const row of MATRIX) await t.command.matrix.put(row);
  alertId = (await t.command.alerts.raise(pm25Raise(sensor('a1'), T0))).id;
});
afterEach(() => t.close());

const url = (suffix = '') => `/api/v1/alerts/${enc(alertId)}${suffix}`;

describe('alert routes', () => {
  it('lists alerts in the keyValues shape the cockpit reads, with paging and filters', async () => {
    await t.command.alerts.raise(pm25Raise(sensor('c1', 'gongshu'), T0 + 1000));
    const res = await t.call('operator', 'GET', '/api/v1/alerts?limit=1');
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-total-count']).toBe('2');
    const [newest] = res.json();
    expect(newest).toMatchObject({
      type: 'Alert',
      severity: 'high',
      status: 'raised',
      category: 'environment',
      areaServed: 'gongshu',
      responsibleOrganisation: 'env-city',
      alertSource: 'urn:ngsi-ld:AirQualityObserved:c1',
      location: { type: 'Point' },
    });
    for (const key of ['id', 'description', 'descriptionZh', 'dateIssued'])
      expect(newest).toHaveProperty(key);
    const second = await t.call('operator', 'GET', '/api/v1/alerts?limit=1&offset=1');
    expect(second.json()[0].id).toBe(alertId);
    const xihu = await t.call(
      'operator',
      'GET',
      '/api/v1/alerts?area=xihu&status=raised,acknowledged',
    );
    expect(xihu.json().map((a: { id: string }) => a.id)).toEqual([alertId]);
    const none = await t.call('operator', 'GET', '/api/v1/alerts?severity=low');
    expect(none.json()).toEqual([]);
  });

  it('runs the lifecycle over HTTP, recording who did what and when', async () => {
    t.clock.advance(60_000);
    const ack = await t.call('env-xihu', 'POST', url('/acknowledge'));
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({ status: 'acknowledged' });
    const assigned = await t.call('env-xihu', 'POST', url('/assign'), {
      assignee: 'lingyin',
      note: 'go',
    });
    expect(assigned.json()).toMatchObject({ status: 'assigned', assignee: 'lingyin' });
    expect((await t.call('lingyin', 'POST', url('/resolve'), { note: 'fixed' })).statusCode).toBe(
      200,
    );
    expect((await t.call('env-xihu', 'POST', url('/close'), {})).json().status).toBe('closed');
    const history = (await t.call('lingyin', 'GET', url('/history'))).json();
    expect(history.map((h: { action: string }) => h.action)).toEqual([
      'raised',
      'acknowledged',
      'assigned',
      'resolved',
      'closed',
    ]);
    expect(history[1]).toMatchObject({
      by: { subject: 'env-xihu-user', organisation: 'env-xihu' },
      at: new Date(T0 + 60_000).toISOString(),
    });
    expect(history[3]).toMatchObject({ by: { organisation: 'lingyin' }, note: 'fixed' });
  });

  it('answers an illegal transition with a ProblemDetails that says why', async () => {
    const res = await t.call('env-xihu', 'POST', url('/close'));
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({
      status: 400,
      title: 'BadRequestData',
      detail: expect.stringMatching(/it is raised, and close applies to resolved alerts only/),
      action: 'close',
      allowedFrom: ['resolved'],
    });
    const analyst = await t.call('env-xihu-analyst', 'POST', url('/acknowledge'));
    expect(analyst.statusCode).toBe(403);
  });

  it('answers 404 to an organisation that takes no part, on every path', async () => {
    expect((await t.call('police', 'GET', '/api/v1/alerts')).json()).toEqual([]);
    for (const [method, path] of [
      ['GET', url()],
      ['GET', url('/history')],
      ['GET', url('/comments')],
      ['POST', url('/acknowledge')],
      ['POST', url('/comments')],
    ] as const) {
      const res = await t.call(
        'police',
        method,
        path,
        path.endsWith('/comments') && method === 'POST' ? { text: 'hi' } : undefined,
      );
      expect(res.statusCode, `${method} ${path}`).toBe(404);
      expect(res.json().detail).toBe(`no alert ${alertId}`);
    }
    expect((await t.call('env-city', 'GET', url())).statusCode).toBe(404);
    expect((await t.call('env-xihu', 'GET', url())).statusCode).toBe(200);
  });

  it('takes and lists comments', async () => {
    const posted = await t.call('env-xihu-analyst', 'POST', url('/comments'), {
      text: 'smoke seen',
    });
    expect(posted.statusCode).toBe(201);
    expect(posted.json()).toMatchObject({ text: 'smoke seen', by: { organisation: 'env-xihu' } });
    const list = await t.call('operator', 'GET', url('/comments'));
    expect(list.json().map((c: { text: string }) => c.text)).toEqual(['smoke seen']);
    await t.settle();
    expect(t.events.filter((e) => e.topic === 'alert.updated' && e.key === alertId)).toHaveLength(
      1,
    );
  });

  it('acts on many alerts at once, reporting each', async () => {
    const other = (await t.command.alerts.raise(pm25Raise(sensor('a2'), T0))).id;
    await t.call('env-xihu', 'POST', `/api/v1/alerts/${enc(other)}/acknowledge`);
    const res = await t.call('env-xihu', 'POST', '/api/v1/alerts/bulk', {
      action: 'acknowledge',
      ids: [alertId, other],
      note: 'morning round',
    });
    expect(res.statusCode).toBe(200);
    const { results } = res.json();
    expect(results[0]).toEqual({ id: alertId, ok: true, status: 'acknowledged' });
    expect(results[1]).toMatchObject({
      id: other,
      ok: false,
      problem: { status: 400, title: 'BadRequestData' },
    });
    const bad = await t.call('env-xihu', 'POST', '/api/v1/alerts/bulk', {
      action: 'explode',
      ids: [alertId],
    });
    expect(bad.statusCode).toBe(400);
  });
});
