import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MATRIX, pm25Raise, sensor, T0 } from '../../brain/command/test-fixture.js';
import { verifyAuditChain } from '../../sharing/index.js';
import { enc, startCommandTestApp, type CommandTestApp } from './command-test-app.js';

// Reads of alerts, incidents and tasks leave evidence in the real audit chain (SQLite): who,
// what, whose, allowed or denied and why, kept before the answer goes out.
let t: CommandTestApp;
let alertId: string;
let incidentId: string;
let taskId: string;

beforeEach(async () => {
  t = await startCommandTestApp();
  for (const row of MATRIX)
    expect(
      (await t.call('operator', 'PUT', `/api/v1/responsibility/${row.id}`, row)).statusCode,
    ).toBe(204);
  const alert = await t.command.alerts.raise(pm25Raise(sensor('a1'), T0));
  alertId = alert.id;
  incidentId = (alert.incident as { object: string }).object;
  const task = await t.call('env-xihu', 'POST', '/api/v1/tasks', {
    title: 'Find the smoke',
    due: new Date(T0 + 3_600_000).toISOString(),
    assignee: 'lingyin',
    incident: incidentId,
  });
  expect(task.statusCode).toBe(201);
  taskId = task.json().id;
});
afterEach(() => t.close());

/** The entries of one action, recorded since the test's setup. */
async function recorded(action: string) {
  return (await t.entries()).filter((e) => e.action === action);
}

describe('reads of command objects in the audit chain', () => {
  it('records a list per owner of what it shows, with the stated purpose', async () => {
    const list = await t.app.inject({
      url: '/api/v1/tasks',
      headers: { authorization: 'Bearer lingyin', 'citybrain-purpose': 'public-safety' },
    });
    expect(list.json()).toHaveLength(1);
    expect(await recorded('task.list')).toEqual([
      expect.objectContaining({
        actor: 'lingyin-user',
        organisation: 'lingyin',
        purpose: 'public-safety',
        resource: 'tasks',
        owner: 'env-xihu',
        result: 'allow',
        reason: 'participant',
        records: 1,
      }),
    ]);
    // A list that shows nothing is a read too.
    expect((await t.call('police', 'GET', '/api/v1/incidents')).json()).toEqual([]);
    expect(await recorded('incident.list')).toEqual([
      expect.objectContaining({ actor: 'police-user', result: 'allow', records: 0 }),
    ]);
    expect((await recorded('incident.list'))[0]).not.toHaveProperty('owner');
  });

  it('records reads by id, and a hidden item asked for as a denial its owner sees', async () => {
    expect((await t.call('env-xihu', 'GET', `/api/v1/tasks/${enc(taskId)}`)).statusCode).toBe(200);
    expect((await t.call('police', 'GET', `/api/v1/tasks/${enc(taskId)}`)).statusCode).toBe(404);
    const missing = 'urn:ngsi-ld:Task:missing';
    expect((await t.call('police', 'GET', `/api/v1/tasks/${enc(missing)}`)).statusCode).toBe(404);
    const reads = await recorded('task.read');
    expect(reads).toEqual([
      expect.objectContaining({
        actor: 'env-xihu-user',
        resource: taskId,
        owner: 'env-xihu',
        result: 'allow',
        reason: 'owner',
        records: 1,
      }),
      expect.objectContaining({
        actor: 'police-user',
        organisation: 'police',
        resource: taskId,
        owner: 'env-xihu',
        result: 'deny',
        reason: 'not-visible',
        records: 0,
      }),
      expect.objectContaining({ resource: missing, result: 'deny', reason: 'not-visible' }),
    ]);
    expect(reads[2]).not.toHaveProperty('owner');

    expect(
      (await t.call('operator', 'GET', `/api/v1/incidents/${enc(incidentId)}`)).statusCode,
    ).toBe(200);
    expect((await t.call('police', 'GET', `/api/v1/incidents/${enc(incidentId)}`)).statusCode).toBe(
      404,
    );
    expect(await recorded('incident.read')).toEqual([
      expect.objectContaining({ actor: 'operator', resource: incidentId, reason: 'operator' }),
      expect.objectContaining({ actor: 'police-user', owner: 'env-xihu', result: 'deny' }),
    ]);
    expect((await verifyAuditChain(t.store.audit, { keys: new Map() })).ok).toBe(true);
  });

  it('records reads of alerts: the list, one, its history and its comments', async () => {
    expect((await t.call('env-xihu', 'GET', '/api/v1/alerts')).json()).toHaveLength(1);
    for (const rest of ['', '/history', '/comments'])
      expect(
        (await t.call('lingyin', 'GET', `/api/v1/alerts/${enc(alertId)}${rest}`)).statusCode,
      ).toBe(404);
    expect((await t.call('env-xihu', 'GET', `/api/v1/alerts/${enc(alertId)}`)).statusCode).toBe(
      200,
    );
    expect(await recorded('alert.list')).toEqual([
      expect.objectContaining({
        resource: 'alerts',
        owner: 'env-xihu',
        reason: 'owner',
        records: 1,
      }),
    ]);
    expect(await recorded('alert.read')).toEqual([
      expect.objectContaining({ actor: 'lingyin-user', resource: alertId, result: 'deny' }),
      expect.objectContaining({ actor: 'env-xihu-user', resource: alertId, result: 'allow' }),
    ]);
    expect(await recorded('alert.history')).toEqual([
      expect.objectContaining({ owner: 'env-xihu', result: 'deny' }),
    ]);
    expect(await recorded('alert.comments')).toHaveLength(1);
  });

  it("records reads of a task's photo: allowed, and a 404 as a denial its owner sees", async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from('0000000d49484452000000010000000108060000001f15c489', 'hex'),
    ]);
    const upload = await t.call('lingyin', 'POST', `/api/v1/tasks/${enc(taskId)}/photos`, {
      contentType: 'image/png',
      data: png.toString('base64'),
    });
    expect(upload.statusCode).toBe(201);
    const { id: photoId, url } = upload.json();
    const resource = `${taskId}/photos/${photoId}`;
    const ask = (who: string, path = url) =>
      t.app.inject({
        url: path,
        headers: { authorization: `Bearer ${who}`, 'citybrain-purpose': 'public-safety' },
      });

    const seen = await ask('env-xihu');
    expect(seen.statusCode).toBe(200);
    expect(seen.rawPayload.equals(png)).toBe(true);
    expect((await ask('lingyin')).statusCode).toBe(200);
    expect((await ask('police')).statusCode).toBe(404);
    const missing = `/api/v1/tasks/${enc(taskId)}/photos/no-such-photo`;
    expect((await ask('lingyin', missing)).statusCode).toBe(404);
    const absentTask = `/api/v1/tasks/${enc('urn:ngsi-ld:Task:missing')}/photos/${photoId}`;
    expect((await ask('police', absentTask)).statusCode).toBe(404);

    const reads = await recorded('task.photo');
    expect(reads).toEqual([
      expect.objectContaining({
        actor: 'env-xihu-user',
        purpose: 'public-safety',
        resource,
        owner: 'env-xihu',
        result: 'allow',
        reason: 'owner',
        records: 1,
      }),
      expect.objectContaining({
        actor: 'lingyin-user',
        resource,
        owner: 'env-xihu',
        result: 'allow',
        reason: 'participant',
      }),
      expect.objectContaining({
        actor: 'police-user',
        organisation: 'police',
        resource,
        owner: 'env-xihu',
        result: 'deny',
        reason: 'not-visible',
        records: 0,
      }),
      expect.objectContaining({
        actor: 'lingyin-user',
        resource: `${taskId}/photos/no-such-photo`,
        owner: 'env-xihu',
        result: 'deny',
      }),
      expect.objectContaining({
        resource: `urn:ngsi-ld:Task:missing/photos/${photoId}`,
        result: 'deny',
      }),
    ]);
    expect(reads[4]).not.toHaveProperty('owner');
    // The records are links of the signed chain like any other read.
    expect((await verifyAuditChain(t.store.audit, { keys: new Map() })).ok).toBe(true);
  });

  it('answers nothing when the evidence cannot be kept', async () => {
    vi.spyOn(t.store.audit, 'append').mockRejectedValue(new Error('disk full'));
    const res = await t.call('env-xihu', 'GET', `/api/v1/tasks/${enc(taskId)}`);
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('Find the smoke');
  });
});
