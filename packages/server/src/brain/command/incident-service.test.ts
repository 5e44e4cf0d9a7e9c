import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CityError } from '../../core/index.js';
import { viewAlert } from '../alerts/alert-model.js';
import type { Actor } from './actor.js';
import {
  MATRIX,
  openCommandFixture,
  pm25Raise,
  sensor,
  T0,
  type CommandFixture,
} from './test-fixture.js';

let f: CommandFixture;
const OPERATOR: Actor = { subject: 'op', roles: [], operator: true };
const commander: Actor = {
  subject: 'wang',
  organisation: 'env-xihu',
  roles: ['dispatcher'],
  operator: false,
};
const MIN = 60_000;

beforeEach(async () => {
  f = await openCommandFixture({ incidentWindowMs: 30 * MIN });
  for (const row of MATRIX) await f.command.matrix.put(row);
});
afterEach(() => f.close());

const incidentOf = async (alertId: string) =>
  viewAlert(await f.command.alerts.get(alertId, OPERATOR)).incident;

describe('IncidentService', () => {
  it('groups alerts of one category and area within the window into one incident', async () => {
    const a = await f.command.alerts.raise(pm25Raise(sensor('a1'), T0));
    const b = await f.command.alerts.raise({
      ...pm25Raise(sensor('a2'), T0 + 20 * MIN),
      rule: { id: 'pm10-high', category: 'environment', severity: 'critical' },
    });
    const incident = await f.command.incidents.get((await incidentOf(a.id))!, commander);
    expect(await incidentOf(b.id)).toBe(incident.id);
    expect(incident).toMatchObject({
      status: 'open',
      category: 'environment',
      area: 'xihu',
      severity: 'critical',
      alerts: [a.id, b.id],
      responsibleOrganisation: 'env-xihu',
    });
    await f.settle();
    expect(f.events.filter((e) => e.topic === 'incident.created').map((e) => e.key)).toEqual([
      incident.id,
    ]);
    expect(f.events.some((e) => e.topic === 'incident.updated' && e.key === incident.id)).toBe(
      true,
    );
  });

  it('puts a burst of alerts raised together into one incident, losing none', async () => {
    // Forty sensors of one area breach at once: the rules raise their alerts side by side.
    const raised = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        f.command.alerts.raise(pm25Raise(sensor(`burst-${i}`), T0 + i)),
      ),
    );
    const incidents = new Set(await Promise.all(raised.map((a) => incidentOf(a.id))));
    expect(incidents.size).toBe(1);
    const incident = await f.command.incidents.get([...incidents][0]!, commander);
    expect(new Set(incident.alerts)).toEqual(new Set(raised.map((a) => a.id)));
    await f.settle();
    expect(f.events.filter((e) => e.topic === 'incident.created')).toHaveLength(1);
  });

  it('starts a new incident outside the window, in another area, or once resolved', async () => {
    const a = await f.command.alerts.raise(pm25Raise(sensor('a1'), T0));
    const late = await f.command.alerts.raise(pm25Raise(sensor('a2'), T0 + 31 * MIN));
    const other = await f.command.alerts.raise(pm25Raise(sensor('c1', 'gongshu'), T0 + MIN));
    const ids = new Set([
      await incidentOf(a.id),
      await incidentOf(late.id),
      await incidentOf(other.id),
    ]);
    expect(ids.size).toBe(3);
    await f.command.incidents.patch(
      (await incidentOf(late.id))!,
      { status: 'resolved' },
      commander,
    );
    const after = await f.command.alerts.raise(pm25Raise(sensor('a3'), T0 + 32 * MIN));
    expect(await incidentOf(after.id)).not.toBe(await incidentOf(late.id));
    expect((await f.command.incidents.list({}, OPERATOR)).length).toBe(4);
  });

  it('lets the commander change status along the lifecycle, refusing illegal changes', async () => {
    const a = await f.command.alerts.raise(pm25Raise(sensor('a1'), T0));
    const id = (await incidentOf(a.id))!;
    await expect(f.command.incidents.patch(id, { status: 'closed' }, commander)).rejects.toThrow(
      /is open: it can go to resolved, not closed/,
    );
    const outsider: Actor = { ...commander, organisation: 'police' };
    await expect(
      f.command.incidents.patch(id, { status: 'resolved' }, outsider),
    ).rejects.toMatchObject({
      code: 'ResourceNotFound',
    });
    await f.command.incidents.patch(id, { status: 'resolved', note: 'cleared' }, commander);
    const closed = await f.command.incidents.patch(id, { status: 'closed' }, commander);
    expect(closed.history.map((h) => h.action)).toEqual(['created', 'resolved', 'closed']);
    expect(closed.history[1]).toMatchObject({
      by: { subject: 'wang', organisation: 'env-xihu' },
      note: 'cleared',
    });
  });

  it('merges alerts into an incident by hand, closing the emptied one', async () => {
    const a = await f.command.alerts.raise(pm25Raise(sensor('a1'), T0));
    const b = await f.command.alerts.raise(pm25Raise(sensor('a2'), T0 + 40 * MIN));
    const target = (await incidentOf(a.id))!;
    const former = (await incidentOf(b.id))!;
    const merged = await f.command.incidents.merge(target, [b.id], commander);
    expect(merged.alerts).toEqual([a.id, b.id]);
    expect(await incidentOf(b.id)).toBe(target);
    const emptied = await f.command.incidents.get(former, OPERATOR);
    expect(emptied).toMatchObject({ status: 'closed', alerts: [] });
    const err = await f.command.incidents
      .merge(target, ['urn:ngsi-ld:Alert:none'], commander)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CityError);
    expect((err as CityError).code).toBe('ResourceNotFound');
  });

  it('lets the organisation an alert escalates to see its incident', async () => {
    const a = await f.command.alerts.raise(pm25Raise(sensor('a1'), T0));
    const id = (await incidentOf(a.id))!;
    const city: Actor = { ...commander, organisation: 'env-city' };
    await expect(f.command.incidents.get(id, city)).rejects.toMatchObject({
      code: 'ResourceNotFound',
    });
    f.clock.advance(600_000);
    await f.command.tick();
    expect((await f.command.incidents.get(id, city)).participants).toEqual([
      'env-xihu',
      'env-city',
    ]);
  });
});
