import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import { byId } from './names.js';
import type { AccessRecord, Dataset, Grant, Me, Organisation } from './sharing-model.js';
import { useLoadable, type Loadable } from './use-loadable.js';

/** Everything the sharing view shows, with a way to load it again. */
export interface SharingData {
  me: Loadable<Me>;
  organisations: Loadable<Organisation[]>;
  organisationsById: ReadonlyMap<string, Organisation>;
  datasets: Loadable<Dataset[]>;
  datasetsById: ReadonlyMap<string, Dataset>;
  grants: Loadable<Grant[]>;
  /** `value` undefined once settled: the server keeps no access log. */
  accessLog: Loadable<AccessRecord[] | undefined>;
  /** How many access records are asked for. */
  logLimit: number;
  showMoreLog: () => void;
  /** Loads grants, datasets and the access log again (after an action, or on demand). */
  refresh: () => void;
}

const LOG_PAGE = 50;
/** The server answers at most 500 records at once. */
const LOG_MAX = 500;
/** Requests and reads by others arrive without a push: look again now and then. */
const POLL_MS = 30_000;

/** Loads who is signed in, organisations, datasets, grants and the access log. */
export function useSharing(api: ApiClient): SharingData {
  const [version, setVersion] = useState(0);
  const [logLimit, setLogLimit] = useState(LOG_PAGE);
  useEffect(() => {
    const timer = setInterval(() => setVersion((v) => v + 1), POLL_MS);
    return () => clearInterval(timer);
  }, []);

  const me = useLoadable(() => api.me(), [api]);
  const organisations = useLoadable(() => api.organisations(), [api, version]);
  const datasets = useLoadable(() => api.datasets(), [api, version]);
  const grants = useLoadable(() => api.grants(), [api, version]);
  const accessLog = useLoadable(() => api.accessLog(logLimit), [api, version, logLimit]);
  const organisationsById = useMemo(() => byId(organisations.value), [organisations.value]);
  const datasetsById = useMemo(() => byId(datasets.value), [datasets.value]);

  return {
    me,
    organisations,
    organisationsById,
    datasets,
    datasetsById,
    grants,
    accessLog,
    logLimit,
    showMoreLog: () => setLogLimit((n) => Math.min(n + LOG_PAGE, LOG_MAX)),
    refresh: () => setVersion((v) => v + 1),
  };
}
