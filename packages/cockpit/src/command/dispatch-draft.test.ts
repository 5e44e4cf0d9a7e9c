import { describe, expect, it } from 'vitest';
import { dispatchRequest, emptyDispatch, localInput } from './dispatch-draft.js';

const NOW = new Date(2026, 2, 1, 9, 30).getTime();
const incident = {
  kind: 'incident',
  id: 'urn:ngsi-ld:Incident:1',
  title: 'Air pollution',
} as const;

describe('dispatch draft', () => {
  it('starts due in four hours, local time, minutes only', () => {
    expect(emptyDispatch(NOW).due).toBe('2026-03-01T13:30');
    expect(localInput(new Date(2026, 11, 31, 23, 5).getTime())).toBe('2026-12-31T23:05');
  });

  it('says what is missing, in the order of the form', () => {
    const draft = emptyDispatch(NOW);
    expect(dispatchRequest(draft, incident, NOW)).toEqual({ problem: 'cmd.dispatch.needAssignee' });
    expect(dispatchRequest({ ...draft, assignee: 'env' }, incident, NOW)).toEqual({
      problem: 'cmd.dispatch.needTitle',
    });
    const titled = { ...draft, assignee: 'env', title: 'Inspect' };
    expect(dispatchRequest({ ...titled, due: '' }, incident, NOW)).toEqual({
      problem: 'cmd.dispatch.needDue',
    });
    expect(dispatchRequest({ ...titled, due: '2026-03-01T09:00' }, incident, NOW)).toEqual({
      problem: 'cmd.dispatch.duePast',
    });
  });

  it('sends the due time as an instant, from the incident or the alert', () => {
    const draft = { ...emptyDispatch(NOW), assignee: 'env', title: ' Inspect ', description: ' ' };
    expect(dispatchRequest(draft, incident, NOW)).toEqual({
      request: {
        title: 'Inspect',
        priority: 'normal',
        due: new Date(2026, 2, 1, 13, 30).toISOString(),
        assignee: 'env',
        incident: incident.id,
      },
    });
    const fromAlert = dispatchRequest(draft, { kind: 'alert', id: 'a1', title: 'x' }, NOW);
    expect(fromAlert).toMatchObject({ request: { alert: 'a1' } });
    expect(fromAlert).not.toHaveProperty('request.incident');
  });
});
