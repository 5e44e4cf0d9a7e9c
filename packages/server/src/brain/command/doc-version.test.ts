import { describe, expect, it } from 'vitest';
import { appended } from '../alerts/alert-model.js';
import { nextVersion } from './doc-version.js';

const by = { subject: 'u' };
const doc = {
  version: 3,
  lastChange: 'accepted',
  history: [{ action: 'accepted', at: '2025-01-01T08:00:00.000Z', by }],
};

describe('nextVersion', () => {
  it('counts on and names the history entry the change added', () => {
    const after = {
      ...doc,
      history: appended(doc.history, { action: 'progressed', at: '2025-01-01T08:01:00.000Z', by }),
    };
    expect(nextVersion(doc, after, 'updated')).toMatchObject({
      version: 4,
      lastChange: 'progressed',
    });
  });

  it('names a change without a history entry by what the caller says it was', () => {
    expect(nextVersion(doc, { ...doc }, 'photo-added')).toMatchObject({
      version: 4,
      lastChange: 'photo-added',
    });
  });

  it('starts a document stored before versions at 1', () => {
    const old = { history: doc.history };
    expect(nextVersion(old, { ...old }, 'updated')).toMatchObject({ version: 1 });
  });
});
