import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addAttributes,
  dayInputValue,
  dayStartIso,
  emptyDraft,
  splitAttributes,
  toGrantRequest,
  type RequestDraft,
} from './request-draft.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const filled = (patch: Partial<RequestDraft> = {}): RequestDraft => ({
  ...emptyDraft(NOW),
  target: 'AirQualityObserved',
  attributes: ['pm25'],
  purpose: 'research',
  ...patch,
});

describe('request draft', () => {
  it('splits typed attributes on commas (also Chinese ones) and blanks, without repeats', () => {
    expect(splitAttributes(' pm25, no2，pm25  o3;')).toEqual(['pm25', 'no2', 'o3']);
    expect(addAttributes(['pm25'], 'no2, pm25')).toEqual(['pm25', 'no2']);
  });

  it('never yields an empty, blank-holding or repeated attribute name', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const names = splitAttributes(text);
        expect(new Set(names).size).toBe(names.length);
        for (const n of names) expect(n).toMatch(/^[^\s,，;；]+$/);
      }),
    );
  });

  it('round-trips a local day through the date input', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), (ms) => {
        const day = dayInputValue(ms);
        expect(dayInputValue(Date.parse(dayStartIso(day)!))).toBe(day);
      }),
    );
    expect(dayStartIso('next week')).toBeUndefined();
  });

  it('builds the request the server expects, typed attributes and terms included', () => {
    const built = toGrantRequest(
      filled({
        attributeText: 'no2',
        rowFilter: '  pm25>35 ',
        deleteAfter: true,
        deleteAfterDays: '7',
        prohibitions: ['commercial-use'],
      }),
      { namesAssignee: false },
    );
    expect(built).toEqual({
      request: {
        target: 'AirQualityObserved',
        attributes: ['pm25', 'no2'],
        rowFilter: 'pm25>35',
        purpose: 'research',
        validFrom: dayStartIso(dayInputValue(NOW)),
        validUntil: dayStartIso(dayInputValue(NOW + 30 * 86_400_000)),
        duties: [
          { action: 'inform', party: 'owner' },
          { action: 'delete', afterDays: 7 },
        ],
        prohibitions: ['commercial-use'],
      },
    });
  });

  it('says what is missing before asking the server', () => {
    const problem = (d: RequestDraft, namesAssignee = false) => {
      const built = toGrantRequest(d, { namesAssignee });
      return 'problem' in built ? built.problem : undefined;
    };
    expect(problem(filled({ target: '' }))).toBe('share.form.needDataset');
    expect(problem(filled({ attributes: [] }))).toBe('share.form.needAttributes');
    expect(problem(filled({ purpose: '' }))).toBe('share.form.needPurpose');
    expect(problem(filled(), true)).toBe('share.form.needAssignee');
    expect(problem(filled({ validUntil: '2026-03-01', validFrom: '2026-03-02' }))).toBe(
      'share.form.untilAfterFrom',
    );
    expect(problem(filled({ deleteAfter: true, deleteAfterDays: '0' }))).toBe(
      'share.form.deleteDays',
    );
    expect(problem(filled({ assignee: 'transport' }), true)).toBeUndefined();
  });
});
