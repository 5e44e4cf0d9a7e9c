import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { viewAlert } from '../alerts/alert-model.js';
import type { Actor } from './actor.js';
import { decodePhoto } from './task-photo.js';
import {
  MATRIX,
  openCommandFixture,
  pm25Raise,
  sensor,
  T0,
  type CommandFixture,
} from './test-fixture.js';

let f: CommandFixture;
const HOUR = 3_600_000;
const OPERATOR: Actor = { subject: 'op', roles: [], operator: true };
const commander: Actor = {
  subject: 'wang',
  organisation: 'env-xihu',
  roles: ['dispatcher'],
  operator: false,
};
const crew: Actor = {
  subject: 'zhao',
  organisation: 'lingyin',
  roles: ['responder'],
  operator: false,
};
/** The smallest PNG: its signature and an IHDR header are enough for the type check. */
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('0000000d49484452000000010000000108060000001f15c489', 'hex'),
]);

beforeEach(async () => {
  f = await openCommandFixture();
  for (const row of MATRIX) await f.command.matrix.put(row);
});
afterEach(() => f.close());

async function incidentTask(due = T0 + 2 * HOUR) {
  const alert = await f.command.alerts.raise(pm25Raise(sensor('a1'), T0));
  const incident = viewAlert(alert).incident!;
  const task = await f.command.tasks.dispatch(
    { title: 'Find the smoke', due: new Date(due).toISOString(), assignee: 'lingyin', incident },
    commander,
  );
  return { alert, incident, task };
}

describe('TaskService', () => {
  it('runs dispatched → accepted → in-progress → completed with a report and its photos', async () => {
    const { task, incident } = await incidentTask();
    expect(task).toMatchObject({
      status: 'dispatched',
      assignee: 'lingyin',
      category: 'environment',
      area: 'xihu',
    });
    // The assignee now sees the incident it works for.
    expect((await f.command.incidents.get(incident, crew)).participants).toContain('lingyin');
    await f.command.tasks.act(task.id, { action: 'accept' }, crew);
    await f.command.tasks.act(task.id, { action: 'progress', percent: 40, note: 'on site' }, crew);
    const photo = await f.command.tasks.addPhoto(
      task.id,
      { contentType: 'image/png', data: PNG.toString('base64') },
      crew,
    );
    const done = await f.command.tasks.act(
      task.id,
      { action: 'complete', report: 'a barbecue, put out', photos: [photo.id] },
      crew,
    );
    expect(done).toMatchObject({
      status: 'completed',
      progress: 100,
      report: { text: 'a barbecue, put out', photos: [photo.id] },
    });
    expect(done.notes).toEqual([expect.objectContaining({ percent: 40, note: 'on site' })]);
    expect(done.history.map((h) => h.action)).toEqual([
      'dispatched',
      'accepted',
      'progressed',
      'completed',
    ]);
    const back = await f.command.tasks.photo(task.id, photo.id, commander);
    expect(back.contentType).toBe('image/png');
    expect(back.bytes.equals(PNG)).toBe(true);
    await f.settle();
    const events = f.events.filter((e) => e.key === task.id).map((e) => e.topic);
    expect(events[0]).toBe('task.created');
    expect(events.filter((t) => t === 'task.updated').length).toBeGreaterThanOrEqual(4);
    expect(f.events.find((e) => e.key === task.id)?.payload).toMatchObject({ assignee: 'lingyin' });
  });

  it('lets only the assignee work and only the dispatcher cancel; outsiders get 404', async () => {
    const { task } = await incidentTask();
    await expect(
      f.command.tasks.act(task.id, { action: 'accept' }, commander),
    ).rejects.toMatchObject({
      code: 'Forbidden',
    });
    await expect(f.command.tasks.act(task.id, { action: 'cancel' }, crew)).rejects.toMatchObject({
      code: 'Forbidden',
    });
    const police: Actor = { ...crew, organisation: 'police' };
    await expect(f.command.tasks.get(task.id, police)).rejects.toMatchObject({
      code: 'ResourceNotFound',
    });
    await expect(
      f.command.tasks.act(task.id, { action: 'complete', report: 'x' }, crew),
    ).rejects.toThrow(/it is dispatched, and complete applies to accepted, in-progress/);
    const rejected = await f.command.tasks.act(
      task.id,
      { action: 'reject', reason: 'not our street' },
      crew,
    );
    expect(rejected).toMatchObject({ status: 'rejected', rejection: { reason: 'not our street' } });
  });

  it('marks a late task overdue once and escalates it past the dispatcher', async () => {
    const { task } = await incidentTask(T0 + HOUR);
    f.clock.advance(HOUR - 1);
    expect((await f.command.tick()).overdueTasks).toBe(0);
    f.clock.advance(1);
    const tick = await f.command.tick();
    expect(tick.overdueTasks).toBe(1);
    const late = await f.command.tasks.get(task.id, OPERATOR);
    expect(late).toMatchObject({ overdue: true, escalatedTo: 'env-city' });
    expect(late.participants).toContain('env-city');
    expect(late.history.at(-1)).toMatchObject({ action: 'escalated', organisation: 'env-city' });
    expect((await f.command.tick()).overdueTasks).toBe(0);
    const city: Actor = { ...commander, organisation: 'env-city' };
    expect((await f.command.tasks.list({ overdue: true }, city)).map((t) => t.id)).toEqual([
      task.id,
    ]);
  });

  it('dispatches from an alert of the dispatcher organisation', async () => {
    const alert = await f.command.alerts.raise(pm25Raise(sensor('a1'), T0));
    const task = await f.command.tasks.dispatch(
      {
        title: 'Check the sensor',
        due: new Date(T0 + HOUR).toISOString(),
        assignee: 'lingyin',
        alert: alert.id,
      },
      commander,
    );
    expect(task).toMatchObject({ alert: alert.id, incident: viewAlert(alert).incident });
    await expect(
      f.command.tasks.dispatch(
        { title: 'x', due: new Date(T0).toISOString(), assignee: 'lingyin', alert: alert.id },
        crew,
      ),
    ).rejects.toMatchObject({ code: 'ResourceNotFound' });
  });
});

describe('decodePhoto', () => {
  it('accepts an image of its declared type and refuses the rest', () => {
    expect(decodePhoto({ contentType: 'image/png', data: PNG.toString('base64') })).toEqual(PNG);
    const html = Buffer.from('<script>alert(1)</script>').toString('base64');
    expect(() => decodePhoto({ contentType: 'image/png', data: html })).toThrow(/not image\/png/);
    expect(() => decodePhoto({ contentType: 'image/jpeg', data: PNG.toString('base64') })).toThrow(
      /not image\/jpeg/,
    );
    expect(() => decodePhoto({ contentType: 'image/svg+xml', data: html })).toThrow(/one of/);
    expect(() => decodePhoto({ contentType: 'image/png', data: 'no base64!' })).toThrow(/base64/);
    expect(() =>
      decodePhoto({ contentType: 'image/png', data: PNG.toString('base64') }, 10),
    ).toThrow(/at most 10 bytes/);
  });
});
