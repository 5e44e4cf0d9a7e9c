import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALERT_STATUSES, type Alert, type AlertStatus } from '../model.js';
import { actionsFor, alertStamp, bulkActions, matchesQuery, withLiveAlerts } from './alert-list.js';
import type { AlertQuery } from './command-model.js';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 8, minute)).toISOString();
const alert = (
  id: string,
  minute: number,
  status: AlertStatus = 'raised',
  more: Partial<Alert> = {},
): Alert => ({
  id,
  type: 'Alert',
  severity: 'high',
  category: 'environment',
  areaServed: 'xihu',
  refDistrict: 'urn:ngsi-ld:District:xihu',
  status,
  dateIssued: at(minute),
  history: [{ action: 'raised', at: at(minute), by: { subject: 'system' } }],
  ...more,
});
const acted = (a: Alert, status: AlertStatus, minute: number): Alert => ({
  ...a,
  status,
  history: [...(a.history ?? []), { action: status, at: at(minute), by: { subject: 'operator' } }],
});
const ALL: AlertQuery = { status: [], severity: [] };

describe('alert list', () => {
  it('matches the filters as the server does, area by slug or district', () => {
    const a = alert('a', 1);
    expect(matchesQuery(a, ALL)).toBe(true);
    expect(matchesQuery(a, { ...ALL, status: ['raised', 'assigned'] })).toBe(true);
    expect(matchesQuery(a, { ...ALL, status: ['resolved'] })).toBe(false);
    expect(matchesQuery(a, { ...ALL, severity: ['low'] })).toBe(false);
    expect(matchesQuery(a, { ...ALL, category: 'traffic' })).toBe(false);
    expect(matchesQuery(a, { ...ALL, area: 'urn:ngsi-ld:District:xihu' })).toBe(true);
    expect(matchesQuery(a, { ...ALL, area: 'xihu' })).toBe(true);
    expect(matchesQuery(a, { ...ALL, area: 'binjiang' })).toBe(false);
  });

  it('takes live changes in: newer copies, new alerts, and alerts leaving the filter', () => {
    const listed = [alert('a', 1), alert('b', 2)];
    const open: AlertQuery = { ...ALL, status: ['raised'] };
    const live = [alert('c', 3), acted(listed[0]!, 'acknowledged', 4)];
    expect(withLiveAlerts(listed, live, open).map((x) => x.id)).toEqual(['c', 'b']);
    expect(withLiveAlerts(listed, live, ALL).map((x) => [x.id, x.status])).toEqual([
      ['c', 'raised'],
      ['b', 'raised'],
      ['a', 'acknowledged'],
    ]);
  });

  it('keeps the newer copy, whichever side it is on', () => {
    const a = alert('a', 1);
    const later = acted(a, 'acknowledged', 5);
    expect(withLiveAlerts([later], [a], ALL)[0]?.status).toBe('acknowledged');
    expect(withLiveAlerts([a], [later], ALL)[0]?.status).toBe('acknowledged');
    expect(alertStamp({ ...a, lastSeen: at(9) })).toBe(Date.parse(at(9)));
  });

  it('lists each alert once, newest first, whatever arrives live', () => {
    const anAlert = fc
      .record({
        id: fc.constantFrom('a', 'b', 'c', 'd'),
        minute: fc.nat(59),
        status: fc.constantFrom(...ALERT_STATUSES),
      })
      .map(({ id, minute, status }) => alert(id, minute, status));
    fc.assert(
      fc.property(fc.array(anAlert), fc.array(anAlert), (listed, live) => {
        const q: AlertQuery = { ...ALL, status: ['raised', 'acknowledged'] };
        // What the server lists: each alert once, only those that pass.
        const served = [...new Map(listed.map((a) => [a.id, a])).values()].filter((a) =>
          matchesQuery(a, q),
        );
        const out = withLiveAlerts(served, live, q);
        expect(new Set(out.map((a) => a.id)).size).toBe(out.length);
        for (const a of out) expect(['raised', 'acknowledged']).toContain(a.status);
        const times = out.map((a) => Date.parse(a.dateIssued));
        expect(times).toEqual([...times].sort((x, y) => y - x));
      }),
    );
  });

  it('offers the actions the lifecycle allows', () => {
    expect(actionsFor('raised')).toEqual(['acknowledge', 'assign', 'escalate', 'resolve']);
    expect(actionsFor('acknowledged')).toEqual(['assign', 'escalate', 'resolve']);
    expect(actionsFor('resolved')).toEqual(['close']);
    expect(actionsFor('closed')).toEqual([]);
    expect(bulkActions(['raised', 'resolved'])).toEqual([
      'acknowledge',
      'assign',
      'escalate',
      'resolve',
      'close',
    ]);
    expect(bulkActions([])).toEqual([]);
  });
});
