import { useEffect, useState } from 'preact/hooks';

/** Data loaded from the server: the last value stays shown while it reloads or fails. */
export interface Loadable<T> {
  value?: T;
  /** True once a first answer (value or error) came. */
  settled: boolean;
  loading: boolean;
  /** The last failure, cleared by the next success. */
  error?: unknown;
}

/**
 * Loads `load()` now and again whenever one of `deps` changes (bump a counter to reload);
 * an answer that arrives after a newer load started is dropped.
 */
export function useLoadable<T>(load: () => Promise<T>, deps: readonly unknown[]): Loadable<T> {
  const [state, setState] = useState<Loadable<T>>({ settled: false, loading: true });
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (value) => current && setState({ value, settled: true, loading: false }),
      (error: unknown) =>
        current && setState((s) => ({ ...s, error, settled: true, loading: false })),
    );
    return () => {
      current = false;
    };
    // The caller lists what the load depends on.
  }, deps);
  return state;
}
