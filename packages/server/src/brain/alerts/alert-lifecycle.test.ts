import { describe, expect, it } from 'vitest';
import { CityError, type Entity } from '../../core/index.js';
import type { Actor } from '../command/actor.js';
import { buildAlert } from './alert-raise.js';
import { transitionAlert, type AlertAction } from './alert-lifecycle.js';
import { escalateIfDue, commentOn } from './alert-escalation.js';
import { viewAlert } from './alert-model.js';
import { pm25Raise, sensor, T0 } from '../command/test-fixture.js';

const route = {
  entry: 'env-xihu',
  chain: [
    { organisation: 'env-xihu', acknowledgeWithinSeconds: 600 },
    { organisation: 'env-city', acknowledgeWithinSeconds: 900 },
  ],
};
const fresh = () => buildAlert(pm25Raise(sensor('a1'), T0), route, T0);
const member = (organisation: string, roles = ['responder']): Actor => ({
  subject: `${organisation}-user`,
  organisation,
  roles,
  operator: false,
});
const xihu = member('env-xihu');

function act(alert: Entity, action: AlertAction, actor = xihu, extra = {}) {
  return transitionAlert(alert, { action, actor, at: T0 + 60_000, ...extra });
}

function refusal(run: () => unknown): CityError {
  try {
    run();
  } catch (err) {
    if (err instanceof CityError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('alert lifecycle', () => {
  it('goes raised → acknowledged → assigned → resolved → closed, recording who, when and why', () => {
    let alert = act(fresh(), 'acknowledge', xihu, { note: 'on it' });
    alert = act(alert, 'assign', xihu, { assignee: 'lingyin-community' });
    alert = act(alert, 'resolve', member('lingyin-community'));
    alert = act(alert, 'close');
    const view = viewAlert(alert);
    expect(view.status).toBe('closed');
    expect(view.assignee).toBe('lingyin-community');
    expect(view.participants).toEqual(['env-xihu', 'lingyin-community']);
    expect(view.history.map((h) => [h.action, h.from, h.to])).toEqual([
      ['raised', undefined, 'raised'],
      ['acknowledged', 'raised', 'acknowledged'],
      ['assigned', 'acknowledged', 'assigned'],
      ['resolved', 'assigned', 'resolved'],
      ['closed', 'resolved', 'closed'],
    ]);
    expect(view.history[1]).toMatchObject({
      by: { subject: 'env-xihu-user', organisation: 'env-xihu' },
      at: new Date(T0 + 60_000).toISOString(),
      note: 'on it',
    });
    expect(alert.validTo).toMatchObject({ value: new Date(T0 + 60_000).toISOString() });
  });

  it('refuses illegal transitions with a 400 that says why', () => {
    const closedTooEarly = refusal(() => act(fresh(), 'close'));
    expect(closedTooEarly.code).toBe('BadRequestData');
    expect(closedTooEarly.message).toMatch(/it is raised, and close applies to resolved alerts/);
    const twice = refusal(() => act(act(fresh(), 'acknowledge'), 'acknowledge'));
    expect(twice.message).toMatch(/it is acknowledged/);
    const resolved = act(fresh(), 'resolve');
    expect(refusal(() => act(resolved, 'escalate')).code).toBe('BadRequestData');
    expect(refusal(() => act(fresh(), 'assign')).message).toMatch(/assignee/);
  });

  it('hides the alert from other organisations (404) and refuses members without a role (403)', () => {
    expect(refusal(() => act(fresh(), 'acknowledge', member('police'))).code).toBe(
      'ResourceNotFound',
    );
    expect(refusal(() => act(fresh(), 'acknowledge', member('env-xihu', ['analyst']))).code).toBe(
      'Forbidden',
    );
    const operator: Actor = { subject: 'op', roles: [], operator: true };
    expect(viewAlert(act(fresh(), 'acknowledge', operator)).status).toBe('acknowledged');
  });

  it('escalates by hand to the next level and stops at the end of the chain', () => {
    const up = act(fresh(), 'escalate', xihu, { note: 'too big for us' });
    const view = viewAlert(up);
    expect(view).toMatchObject({
      escalationLevel: 2,
      responsibleOrganisation: 'env-city',
      participants: ['env-xihu', 'env-city'],
      status: 'raised',
    });
    expect(view.acknowledgeBy).toBe(T0 + 60_000 + 900_000);
    expect(view.history.at(-1)).toMatchObject({ action: 'escalated', level: 2 });
    // env-xihu still sees it but no longer holds it.
    expect(refusal(() => act(up, 'acknowledge')).code).toBe('Forbidden');
    expect(refusal(() => act(up, 'escalate', member('env-city'))).message).toMatch(/no level 3/);
  });

  it('escalates when not acknowledged in time, only once the deadline passed', () => {
    const alert = fresh();
    expect(escalateIfDue(alert, T0 + 599_000)).toBeUndefined();
    const up = escalateIfDue(alert, T0 + 600_000)!;
    expect(viewAlert(up)).toMatchObject({
      escalationLevel: 2,
      responsibleOrganisation: 'env-city',
    });
    expect(viewAlert(up).history.at(-1)).toMatchObject({ by: { subject: 'system' } });
    const last = escalateIfDue(up, T0 + 600_000 + 900_000)!;
    expect(viewAlert(last).history.at(-1)?.action).toBe('unacknowledged');
    expect(escalateIfDue(last, T0 + 10 * 3_600_000)).toBeUndefined();
    expect(escalateIfDue(act(alert, 'acknowledge'), T0 + 3_600_000)).toBeUndefined();
  });

  it('takes comments from anyone who sees the alert', () => {
    const reader = member('env-xihu', ['analyst']);
    const alert = commentOn(fresh(), { id: 'c1', actor: reader, at: T0, text: ' smoke seen ' });
    expect(viewAlert(alert).comments).toEqual([
      {
        id: 'c1',
        at: new Date(T0).toISOString(),
        by: { subject: 'env-xihu-user', organisation: 'env-xihu' },
        text: 'smoke seen',
      },
    ]);
    expect(
      refusal(() => commentOn(fresh(), { id: 'c2', actor: member('police'), at: T0, text: 'x' }))
        .code,
    ).toBe('ResourceNotFound');
  });
});
