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

beforeEach(async () => {
  t = await startCommandTestApp();
});
afterEach(() => t.close());

describe('incident routes', () => {
  it('lists, changes and merges incidents for their commander only', async () => {
    await putMatrix(t);
    const first = await raiseInXihu(t, 'a1', T0);
    const second = await raiseInXihu(t, 'a2', T0 + 2 * HOUR);
    expect(first.incidentId).not.toBe(second.incidentId);

    const list = await t.call('env-xihu', 'GET', '/api/v1/incidents?status=open');
    expect(list.headers['x-total-count']).toBe('2');
    expect((await t.call('police', 'GET', '/api/v1/incidents')).json()).toEqual([]);
    expect(
      (await t.call('police', 'GET', `/api/v1/incidents/${enc(first.incidentId)}`)).statusCode,
    ).toBe(404);

    const merged = await t.call(
      'env-xihu',
      'POST',
      `/api/v1/incidents/${enc(first.incidentId)}/alerts`,
      {
        alerts: [second.alertId],
      },
    );
    expect(merged.statusCode).toBe(200);
    expect(merged.json().alerts).toEqual([first.alertId, second.alertId]);

    const illegal = await t.call(
      'env-xihu',
      'PATCH',
      `/api/v1/incidents/${enc(first.incidentId)}`,
      { status: 'closed' },
    );
    expect(illegal.statusCode).toBe(400);
    expect(illegal.json().detail).toMatch(/can go to resolved, not closed/);
    const resolved = await t.call(
      'env-xihu',
      'PATCH',
      `/api/v1/incidents/${enc(first.incidentId)}`,
      {
        status: 'resolved',
        note: 'air cleared',
      },
    );
    expect(resolved.json()).toMatchObject({ status: 'resolved' });
    await t.settle();
    const topics = t.events.filter((e) => e.key === first.incidentId).map((e) => e.topic);
    expect(topics[0]).toBe('incident.created');
    expect(topics).toContain('incident.updated');
    expect(t.events.find((e) => e.key === first.incidentId)?.payload).toMatchObject({
      responsibleOrganisation: 'env-xihu',
    });
  });
});
