import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api.js';
import type { Loadable } from '../sharing/use-loadable.js';
import type { CommandFeed } from './command-feed.js';
import type { CommandKind } from './command-model.js';
import { isNewer, reconcile, upsert, type ListOrder, type LiveItem } from './live-list.js';

/** Options of useLiveList. */
export interface LiveListOptions<T extends LiveItem> {
  kind: CommandKind;
  /** Changes pushed by the event stream; absent: the list is only polled. */
  feed: CommandFeed | undefined;
  /** The whole list, as the caller sees it. */
  load: () => Promise<T[]>;
  /** One item; rejects with a 404 ApiError when the caller no longer sees it. */
  loadOne: (id: string) => Promise<T>;
  order: ListOrder<T>;
  /** Bump to read the whole list again (a poll, a reconnect, an action). */
  version: number;
  /** What the list is read from (the API client): another one reads it all again. */
  source: unknown;
  /** False while the view is hidden: changes are not read then (all is read again on return). */
  active: boolean;
}

/**
 * A list read whole now and then (`version`) and kept current in between from the event
 * stream: each pushed change newer than the copy held reads that one item again (an audited
 * read, as the server decides what the caller may see), and merges it in. A change that
 * arrives while an item is being read reads it once more after.
 */
export function useLiveList<T extends LiveItem>(options: LiveListOptions<T>): Loadable<T[]> {
  const { kind, feed, order } = options;
  const [state, setState] = useState<Loadable<T[]>>({ settled: false, loading: true });
  const held = useRef<readonly T[]>([]);
  held.current = state.value ?? [];
  /** Copies read live since the current whole-list load started (null: gone). */
  const live = useRef(new Map<string, T | null>());
  const loadOne = useRef(options.loadOne);
  loadOne.current = options.loadOne;
  const active = useRef(options.active);
  active.current = options.active;

  useEffect(() => {
    let current = true;
    live.current = new Map();
    setState((s) => ({ ...s, loading: true }));
    options.load().then(
      (value) =>
        current &&
        setState({ value: reconcile(value, live.current, order), settled: true, loading: false }),
      (error: unknown) =>
        current && setState((s) => ({ ...s, error, settled: true, loading: false })),
    );
    return () => {
      current = false;
    };
    // Read again whenever the caller bumps the version or hands another client.
  }, [options.version, options.source]);

  useEffect(() => {
    if (!feed) return;
    let alive = true;
    /** Ids being read: true when another change came meanwhile. */
    const reading = new Map<string, boolean>();
    const read = (id: string): void => {
      reading.set(id, false);
      loadOne
        .current(id)
        .then(
          (item) => {
            if (!alive) return;
            live.current.set(id, item);
            setState((s) => ({ ...s, value: upsert(s.value ?? [], item, order) }));
          },
          (err: unknown) => {
            if (!alive || !(err instanceof ApiError && err.status === 404)) return;
            live.current.set(id, null);
            setState((s) => (s.value ? { ...s, value: s.value.filter((i) => i.id !== id) } : s));
          },
        )
        .finally(() => {
          const again = reading.get(id);
          reading.delete(id);
          if (alive && again) read(id);
        });
    };
    const unsubscribe = feed.subscribe((event) => {
      if (event.type !== 'change' || event.kind !== kind || !active.current) return;
      const { id } = event.change;
      if (
        !isNewer(
          event.change,
          held.current.find((i) => i.id === id),
        )
      )
        return;
      if (reading.has(id)) reading.set(id, true);
      else read(id);
    });
    return () => {
      alive = false;
      unsubscribe();
    };
  }, [feed, kind]);

  return state;
}
