import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0 } from '../../brain/command/test-fixture.js';
import {
  enc,
  putMatrix,
  raiseInXihu,
  startCommandTestApp,
  type CommandTestApp,
} from './command-test-app.js';

let t: CommandTestApp;
const HOUR = 3_600_000;
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('0000000d49484452000000010000000108060000001f15c489', 'hex'),
]);

beforeEach(async () => {
  t = await startCommandTestApp();
});
afterEach(() => t.close());

describe('task routes', () => {
  async function dispatch(due = T0 + 2 * HOUR) {
    await putMatrix(t);
    const { incidentId } = await raiseInXihu(t);
    const res = await t.call('env-xihu', 'POST', '/api/v1/tasks', {
      title: 'Find the smoke',
      description: 'Walk the hill',
      priority: 'high',
      due: new Date(due).toISOString(),
      assignee: 'lingyin',
      incident: incidentId,
    });
    expect(res.statusCode).toBe(201);
    return res.json().id as string;
  }

  it('refuses a misspelt field with a 400 naming it, instead of dropping it', async () => {
    await putMatrix(t);
    const res = await t.call('env-xihu', 'POST', '/api/v1/tasks', {
      title: 'Find the smoke',
      priority: 'high',
      due: new Date(T0 + HOUR).toISOString(),
      assignee: 'lingyin',
      asignee: 'lingyin',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/asignee/);
  });

  it('runs a task to completion with a report whose photo can be fetched back', async () => {
    const id = await dispatch();
    const task = (path = '') => `/api/v1/tasks/${enc(id)}${path}`;
    expect((await t.call('lingyin', 'POST', task('/accept'))).json().status).toBe('accepted');
    const progress = await t.call('lingyin', 'POST', task('/progress'), {
      percent: 50,
      note: 'half',
    });
    expect(progress.json()).toMatchObject({ status: 'in-progress', progress: 50 });

    const upload = await t.call('lingyin', 'POST', task('/photos'), {
      contentType: 'image/png',
      data: PNG.toString('base64'),
    });
    expect(upload.statusCode).toBe(201);
    const photo = upload.json();
    const fetched = await t.call('env-xihu', 'GET', photo.url);
    expect(fetched.statusCode).toBe(200);
    expect(fetched.headers['content-type']).toBe('image/png');
    expect(fetched.headers['x-content-type-options']).toBe('nosniff');
    expect(fetched.rawPayload.equals(PNG)).toBe(true);
    expect((await t.call('police', 'GET', photo.url)).statusCode).toBe(404);

    const svg = await t.call('lingyin', 'POST', task('/photos'), {
      contentType: 'image/svg+xml',
      data: Buffer.from('<svg onload="x()"/>').toString('base64'),
    });
    expect(svg.statusCode).toBe(400);
    const fake = await t.call('lingyin', 'POST', task('/photos'), {
      contentType: 'image/jpeg',
      data: Buffer.from('<html>').toString('base64'),
    });
    expect(fake.json().detail).toMatch(/not image\/jpeg/);

    const done = await t.call('lingyin', 'POST', task('/complete'), {
      report: 'a barbecue, put out',
      photos: [photo.id],
    });
    expect(done.json()).toMatchObject({
      status: 'completed',
      report: { text: 'a barbecue, put out', photos: [photo.id], by: { organisation: 'lingyin' } },
    });
    const again = await t.call('lingyin', 'POST', task('/progress'), { percent: 10 });
    expect(again.statusCode).toBe(400);
    await t.settle();
    const topics = t.events.filter((e) => e.key === id).map((e) => e.topic);
    expect(topics[0]).toBe('task.created');
    expect(topics.filter((x) => x === 'task.updated')).toHaveLength(4);
  });

  it('sends a rejection back to the dispatcher and lets the dispatcher cancel', async () => {
    const id = await dispatch();
    expect(
      (
        await t.call('env-xihu', 'POST', `/api/v1/tasks/${enc(id)}/cancel`, { note: 'wrong crew' })
      ).json().status,
    ).toBe('cancelled');
    const second = await dispatch();
    expect(
      (await t.call('env-xihu', 'POST', `/api/v1/tasks/${enc(second)}/reject`, { reason: 'x' }))
        .statusCode,
    ).toBe(403);
    const rejected = await t.call('lingyin', 'POST', `/api/v1/tasks/${enc(second)}/reject`, {
      reason: 'not our street',
    });
    expect(rejected.json()).toMatchObject({
      status: 'rejected',
      rejection: { reason: 'not our street' },
    });
    const mine = await t.call('env-xihu', 'GET', '/api/v1/tasks?status=rejected');
    expect(mine.json().map((x: { id: string }) => x.id)).toEqual([second]);
  });

  it('escalates an overdue task to the next organisation, who then sees it', async () => {
    const id = await dispatch(T0 + HOUR);
    expect((await t.call('env-city', 'GET', `/api/v1/tasks/${enc(id)}`)).statusCode).toBe(404);
    t.clock.advance(HOUR + 1);
    expect((await t.command.tick()).overdueTasks).toBe(1);
    const late = await t.call('env-city', 'GET', `/api/v1/tasks/${enc(id)}`);
    expect(late.statusCode).toBe(200);
    expect(late.json()).toMatchObject({ overdue: true, escalatedTo: 'env-city' });
    const overdue = await t.call('operator', 'GET', '/api/v1/tasks?overdue=true');
    expect(overdue.json()).toHaveLength(1);
    await t.settle();
    const last = t.events.filter((e) => e.key === id).at(-1);
    expect(last).toMatchObject({
      topic: 'task.updated',
      payload: { overdue: true, assignee: 'lingyin' },
    });
    expect((await t.call('police', 'GET', '/api/v1/tasks')).json()).toEqual([]);
  });
});
