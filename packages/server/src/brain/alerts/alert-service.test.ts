import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../command/actor.js';
import {
  MATRIX,
  openCommandFixture,
  pm25Raise,
  sensor,
  T0,
  type CommandFixture,
} from '../command/test-fixture.js';
import { viewAlert } from './alert-model.js';

let f: CommandFixture;
const xihu: Actor = {
  subject: 'li',
  organisation: 'env-xihu',
  roles: ['responder'],
  operator: false,
};

beforeEach(async () => {
  f = await openCommandFixture();
  for (const row of MATRIX) await f.command.matrix.put(row);
});
afterEach(() => f.close());

const topics = () => f.events.map((e) => `${e.topic} ${e.key}`);

describe('AlertService', () => {
  it('routes a new alert by the matrix (area beats *) and announces it with its organisation', async () => {
    const inXihu = await f.command.alerts.raise(pm25Raise(sensor('a1'), T0));
    const elsewhere = await f.command.alerts.raise(pm25Raise(sensor('b1', 'gongshu'), T0));
    expect(viewAlert(inXihu)).toMatchObject({
      status: 'raised',
      responsibleOrganisation: 'env-xihu',
      escalationLevel: 1,
      acknowledgeBy: T0 + 600_000,
    });
    expect(viewAlert(elsewhere).responsibleOrganisation).toBe('env-city');
    await f.settle();
    const raised = f.events.filter((e) => e.topic === 'alert.raised');
    expect(raised.map((e) => e.key)).toEqual([inXihu.id, elsewhere.id]);
    expect(raised[0]!.payload).toMatchObject({
      responsibleOrganisation: { value: 'env-xihu' },
      incident: { type: 'Relationship' },
    });
    // It stays an NGSI-LD Alert entity in the store.
    expect(await f.store.entities.get(inXihu.id)).toMatchObject({ type: 'Alert' });
  });

  it('keeps one open alert per (rule, key): raising again refreshes it', async () => {
    const source = sensor('a1');
    // As the rule engine raises: with what the alert says (the value that decided it).
    const says = (v: number) => ({ en: `PM2.5 now ${v}`, zh: `PM2.5 当前 ${v}` });
    const first = await f.command.alerts.raise({
      ...pm25Raise(source, T0, 120),
      description: says(120),
    });
    const again = await f.command.alerts.raise({
      ...pm25Raise(source, T0 + 60_000, 130),
      since: T0,
      description: says(130),
    });
    expect(again.id).toBe(first.id);
    expect(again.occurrences).toMatchObject({ value: 2 });
    expect(again.lastSeen).toMatchObject({ value: new Date(T0 + 60_000).toISOString() });
    expect((again.evidence as { value: unknown[] }).value).toHaveLength(2);
    // What it says follows the newest value, in both languages.
    const said = (a: typeof first, name = 'description') => (a[name] as { value: string }).value;
    expect(said(first)).toContain('120');
    expect(said(again)).toContain('130');
    expect(said(again)).not.toContain('120');
    expect(said(again, 'descriptionZh')).toContain('130');
    expect(await f.command.alerts.list()).toHaveLength(1);
    await f.settle();
    expect(topics()).toContain(`alert.updated ${first.id}`);

    // Resolved, the next breach is a new alert.
    await f.command.alerts.resolve(first.id, T0 + 120_000);
    const next = await f.command.alerts.raise(pm25Raise(source, T0 + 600_000));
    expect(next.id).not.toBe(first.id);
    expect((await f.command.alerts.open()).map((a) => a.id)).toEqual([next.id]);
  });

  it('treats a replayed raise (same rule, key and start) as the same alert', async () => {
    const input = pm25Raise(sensor('a1'), T0);
    const first = await f.command.alerts.raise(input);
    await f.command.alerts.resolve(first.id, T0 + 1000);
    const replay = await f.command.alerts.raise(input);
    expect(replay.id).toBe(first.id);
    expect(viewAlert(replay).status).toBe('resolved');
  });

  it('escalates an alert not acknowledged in time when the clock ticks past its deadline', async () => {
    const alert = await f.command.alerts.raise(pm25Raise(sensor('a1'), T0));
    f.clock.advance(599_000);
    expect(await f.command.tick()).toEqual({ escalatedAlerts: 0, overdueTasks: 0 });
    f.clock.advance(1000);
    expect((await f.command.tick()).escalatedAlerts).toBe(1);
    const up = await f.command.alerts.get(alert.id, { ...xihu, operator: true });
    expect(viewAlert(up)).toMatchObject({
      escalationLevel: 2,
      responsibleOrganisation: 'env-city',
      acknowledgeBy: T0 + 600_000 + 900_000,
    });
    expect(viewAlert(up).history.at(-1)).toMatchObject({
      action: 'escalated',
      organisation: 'env-city',
    });
    await f.settle();
    const updates = f.events.filter((e) => e.topic === 'alert.updated' && e.key === alert.id);
    expect(updates.at(-1)?.payload).toMatchObject({
      responsibleOrganisation: { value: 'env-city' },
    });
    // A tick at the same time does nothing more; acknowledged alerts never escalate.
    expect((await f.command.tick()).escalatedAlerts).toBe(0);
    const city: Actor = { ...xihu, organisation: 'env-city' };
    await f.command.alerts.act(alert.id, { action: 'acknowledge', actor: city });
    f.clock.advance(3_600_000);
    expect((await f.command.tick()).escalatedAlerts).toBe(0);
  });

  it('applies a bulk action id by id, reporting each failure', async () => {
    const a = await f.command.alerts.raise(pm25Raise(sensor('a1'), T0));
    const b = await f.command.alerts.raise(pm25Raise(sensor('a2'), T0));
    const other = await f.command.alerts.raise(pm25Raise(sensor('c1', 'gongshu'), T0));
    await f.command.alerts.act(b.id, { action: 'acknowledge', actor: xihu });
    const results = await f.command.alerts.bulk([a.id, b.id, other.id, 'urn:x'], {
      action: 'acknowledge',
      actor: xihu,
    });
    expect(results.map((r) => [r.id, r.ok, r.ok ? '' : r.error.code])).toEqual([
      [a.id, true, ''],
      [b.id, false, 'BadRequestData'],
      [other.id, false, 'ResourceNotFound'],
      ['urn:x', false, 'ResourceNotFound'],
    ]);
  });

  it('lists only what an organisation takes part in, with filters', async () => {
    await f.command.alerts.raise(pm25Raise(sensor('a1'), T0));
    await f.command.alerts.raise(pm25Raise(sensor('c1', 'gongshu'), T0 + 1000));
    expect(await f.command.alerts.find({}, xihu)).toHaveLength(1);
    const operator: Actor = { subject: 'op', roles: [], operator: true };
    const all = await f.command.alerts.find({}, operator);
    expect(all.map((a) => viewAlert(a).areas[0])).toEqual(['gongshu', 'xihu']);
    expect(
      await f.command.alerts.find({ area: 'urn:ngsi-ld:District:gongshu' }, operator),
    ).toHaveLength(1);
    expect(
      await f.command.alerts.find({ responsible: 'env-city', status: ['raised'] }, operator),
    ).toHaveLength(1);
    expect(await f.command.alerts.find({ severity: ['low', 'medium'] }, operator)).toHaveLength(0);
  });
});
