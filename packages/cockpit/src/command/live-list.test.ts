import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCommandFeed, type CommandFeedEvent } from './command-feed.js';
import { bySoonestDue, isNewer, reconcile, upsert } from './live-list.js';

interface Copy {
  id: string;
  version: number;
  modifiedAt: string;
  due: string;
}

const copy = fc.record({
  id: fc.constantFrom('a', 'b', 'c', 'd'),
  version: fc.integer({ min: 1, max: 20 }),
  due: fc.constantFrom('2026-03-01T10:00:00Z', '2026-03-01T11:00:00Z', '2026-03-02T09:00:00Z'),
});
/** Copies of a few items, each version of an item the same whatever copy carries it. */
const copies = fc.array(copy, { maxLength: 30 }).map((cs) =>
  cs.map((c): Copy => ({
    ...c,
    due: `${c.due.slice(0, 11)}${String(c.version % 24).padStart(2, '0')}:00:00Z`,
    modifiedAt: new Date(Date.UTC(2026, 2, 1, 0, c.version)).toISOString(),
  })),
);

/** For each id, its newest copy: what any order of arrival must end with. */
function newest(cs: readonly Copy[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of cs) out.set(c.id, Math.max(out.get(c.id) ?? 0, c.version));
  return out;
}

const versions = (list: readonly Copy[]) => new Map(list.map((c) => [c.id, c.version]));

describe('live list merging', () => {
  it('ends with the newest copy of each item, in order, whatever order copies arrive in', () => {
    fc.assert(
      fc.property(copies, fc.func(fc.integer()), (cs, key) => {
        const shuffled = [...cs].sort((x, y) => key(x) - key(y));
        const merged = shuffled.reduce<Copy[]>((l, c) => upsert(l, c, bySoonestDue), []);
        expect(versions(merged)).toEqual(newest(cs));
        expect(merged).toHaveLength(new Set(cs.map((c) => c.id)).size);
        expect([...merged].sort(bySoonestDue)).toEqual(merged);
      }),
    );
  });

  it('keeps what came live while a list loaded, unless the list is newer; drops what went', () => {
    fc.assert(
      fc.property(
        copies,
        copies,
        fc.subarray(['a', 'b', 'c', 'd']),
        (loadedCopies, liveCopies, gone) => {
          const loaded = loadedCopies.reduce<Copy[]>((l, c) => upsert(l, c, bySoonestDue), []);
          const live = new Map<string, Copy | null>();
          for (const c of liveCopies)
            if (isNewer(c, live.get(c.id) ?? undefined)) live.set(c.id, c);
          for (const id of gone) live.set(id, null);
          const out = reconcile(loaded, live, bySoonestDue);
          const expected = newest([
            ...loaded.filter((c) => !gone.includes(c.id)),
            ...[...live.values()].filter((c): c is Copy => c !== null),
          ]);
          expect(versions(out)).toEqual(expected);
          expect([...out].sort(bySoonestDue)).toEqual(out);
        },
      ),
    );
  });

  it('tells newer by version, else by modification time', () => {
    const held = { id: 'a', version: 3, modifiedAt: '2026-03-01T10:00:00Z' };
    expect(isNewer({ version: 3, modifiedAt: '2026-03-01T11:00:00Z' }, held)).toBe(false);
    expect(isNewer({ version: 4, modifiedAt: '2026-03-01T09:00:00Z' }, held)).toBe(true);
    expect(
      isNewer(
        { modifiedAt: '2026-03-01T11:00:00Z' },
        { id: 'a', modifiedAt: '2026-03-01T10:00:00Z' },
      ),
    ).toBe(true);
    expect(isNewer({ version: 1, modifiedAt: '2026-03-01T10:00:00Z' }, undefined)).toBe(true);
  });
});

describe('command feed', () => {
  it('hands each event to the listeners subscribed at the time', () => {
    const feed = createCommandFeed();
    const got: CommandFeedEvent[] = [];
    const stop = feed.subscribe((e) => got.push(e));
    const change = { id: 't', change: 'accepted', status: 'accepted', version: 2, modifiedAt: '' };
    feed.publish({ type: 'change', kind: 'task', change });
    stop();
    feed.publish({ type: 'resync' });
    expect(got).toEqual([{ type: 'change', kind: 'task', change }]);
  });
});
