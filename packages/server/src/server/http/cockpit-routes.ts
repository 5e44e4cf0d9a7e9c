import type { FastifyInstance } from 'fastify';
import type { AccessGuard, AccessView } from '../../ngsi-ld/index.js';
import { bbox, type GeoProperty } from '../../core/index.js';
import type { Store } from '../../store/index.js';

/** What the cockpit's helper routes need. */
export interface CockpitRoutesOptions {
  /** The sharing policy: the cockpit shows what its user may read, like the NGSI-LD API. */
  access: AccessGuard;
  store: Store;
  cityName: { en: string; zh: string };
}

const HANGZHOU: [number, number] = [120.16, 30.27];

/** The city's extent: the union of its District geometries. */
async function cityExtent(
  store: Store,
  access: AccessView,
): Promise<[number, number, number, number] | undefined> {
  const page = await store.entities.query(
    access.restrict({ types: { kind: 'type', name: 'District' }, limit: 1000, offset: 0 }),
  );
  let box: [number, number, number, number] | undefined;
  for (const d of page.entities) {
    const location = access.view(d)?.location as GeoProperty | undefined;
    if (location?.type !== 'GeoProperty') continue;
    const b = bbox(location.value);
    box = box
      ? [
          Math.min(box[0], b[0]),
          Math.min(box[1], b[1]),
          Math.max(box[2], b[2]),
          Math.max(box[3], b[3]),
        ]
      : b;
  }
  return box;
}

/** `/api/v1/city`: what the cockpit reads beside NGSI-LD (alerts: alert-routes.ts). */
export function installCockpitRoutes(app: FastifyInstance, options: CockpitRoutesOptions): void {
  const tags = ['Cockpit'];
  app.get(
    '/api/v1/city',
    { schema: { tags, summary: 'Name and extent of the city' } },
    async (request) => {
      const access = await options.access.open(request, undefined);
      const box = await cityExtent(options.store, access);
      await access.record('cockpit.city');
      const center = box ? [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2] : HANGZHOU;
      return {
        name: options.cityName.en,
        nameZh: options.cityName.zh,
        center,
        bbox: box ?? null,
        defaultZoom: 11,
      };
    },
  );
}
