import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import { withNewestPage, withOlderPage } from './access-log-pages.js';
import type { AccessLogPage } from './sharing-model.js';
import type { Loadable } from './use-loadable.js';

/** The access log as shown: its newest page read again now and then, older pages on demand. */
export interface AccessLogData {
  /** `value` undefined once settled: the server keeps no access log. */
  log: Loadable<AccessLogPage | undefined>;
  /** Leave out the owner organisation's own reads (the server filters). */
  othersOnly: boolean;
  setOthersOnly: (othersOnly: boolean) => void;
  /** Reads the next older page and appends it (the log's `next`). */
  showMore: () => void;
  loadingMore: boolean;
  /** Why the last older page could not be read. */
  moreError?: unknown;
}

/** Records per page. */
const LOG_PAGE = 50;

interface Shown {
  othersOnly: boolean;
  page: AccessLogPage;
}

/** Reads the access log: its newest page whenever `version` bumps, older pages on demand. */
export function useAccessLog(api: ApiClient, version: number): AccessLogData {
  const [othersOnly, setOthersOnly] = useState(true);
  const [state, setState] = useState<Loadable<Shown | undefined>>({
    settled: false,
    loading: true,
  });
  const [more, setMore] = useState<{ loading: boolean; error?: unknown }>({ loading: false });

  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    api.accessLog({ limit: LOG_PAGE, others: othersOnly }).then(
      (newest) =>
        current &&
        setState((s) => {
          // Pages of the other filter are no part of this log.
          const kept = s.value?.othersOnly === othersOnly ? s.value.page : undefined;
          const value = newest && { othersOnly, page: withNewestPage(kept, newest) };
          return { value, settled: true, loading: false };
        }),
      (error: unknown) =>
        current && setState((s) => ({ ...s, error, settled: true, loading: false })),
    );
    return () => {
      current = false;
    };
  }, [api, version, othersOnly]);

  const shown = state.value;
  const showMore = (): void => {
    const before = shown?.page.next;
    if (!shown || before === undefined || more.loading) return;
    setMore({ loading: true });
    api.accessLog({ limit: LOG_PAGE, before, others: shown.othersOnly }).then(
      (older) => {
        setMore({ loading: false });
        if (!older) return;
        setState((s) =>
          s.value?.othersOnly === shown.othersOnly
            ? { ...s, value: { ...s.value, page: withOlderPage(s.value.page, before, older) } }
            : s,
        );
      },
      (error: unknown) => setMore({ loading: false, error }),
    );
  };

  return {
    log: { ...state, value: shown?.page },
    othersOnly,
    setOthersOnly,
    showMore,
    loadingMore: more.loading,
    moreError: more.error,
  };
}
