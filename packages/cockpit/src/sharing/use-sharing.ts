import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import { byId } from './names.js';
import type { Dataset, Grant, Me, Organisation } from './sharing-model.js';
import { useAccessLog, type AccessLogData } from './use-access-log.js';
import { useLoadable, type Loadable } from './use-loadable.js';

/** Everything the sharing view shows, with a way to load it again. */
export interface SharingData {
  me: Loadable<Me>;
  organisations: Loadable<Organisation[]>;
  organisationsById: ReadonlyMap<string, Organisation>;
  datasets: Loadable<Dataset[]>;
  datasetsById: ReadonlyMap<string, Dataset>;
  grants: Loadable<Grant[]>;
  accessLog: AccessLogData;
  /** Loads grants, datasets and the access log again (after an action, or on demand). */
  refresh: () => void;
}

/** Requests and reads by others arrive without a push: look again now and then. */
const POLL_MS = 30_000;

/** Loads who is signed in, organisations, datasets, grants and the access log. */
export function useSharing(api: ApiClient): SharingData {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setVersion((v) => v + 1), POLL_MS);
    return () => clearInterval(timer);
  }, []);

  const me = useLoadable(() => api.me(), [api]);
  const organisations = useLoadable(() => api.organisations(), [api, version]);
  const datasets = useLoadable(() => api.datasets(), [api, version]);
  const grants = useLoadable(() => api.grants(), [api, version]);
  const accessLog = useAccessLog(api, version);
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
    refresh: () => setVersion((v) => v + 1),
  };
}
