import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from './api.js';
import type { Me } from './sharing/sharing-model.js';

/** Who is signed in, asked once per token; undefined until known. */
export function useMe(api: ApiClient): Me | undefined {
  const [me, setMe] = useState<Me>();
  useEffect(() => {
    let alive = true;
    api.me().then(
      (m) => alive && setMe(m),
      () => undefined, // unknown: no purpose picker; a refused token logs out via the client
    );
    return () => {
      alive = false;
    };
    // A new purpose brings a new client for the same token: who that is stays the same.
  }, [api.token]);
  return me;
}
