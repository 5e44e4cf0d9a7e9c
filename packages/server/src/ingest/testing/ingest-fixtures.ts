import type { MqttClient } from 'mqtt';
import type { Store } from '../../store/index.js';
import { attrsTopic } from '../topics.js';

/** The store, with its durable write replaced (to make it fail, hang or wait). */
export function withIngest(target: Store, ingest: Store['ingest']): Store {
  return new Proxy(target, {
    get(t, prop) {
      if (prop === 'ingest') return ingest;
      const value: unknown = Reflect.get(t, prop);
      return typeof value === 'function' ? (value as () => unknown).bind(t) : value;
    },
  });
}

/** The integers from `from` up to, not including, `to`. */
export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, i) => from + i);

/** Publishes one pm25 observation per value; resolves once the broker acknowledged each. */
export async function publishAll(device: MqttClient, id: string, values: number[]): Promise<void> {
  for (const v of values)
    await device.publishAsync(attrsTopic(id), JSON.stringify({ pm25: v, observedAt: 1_000 + v }), {
      qos: 1,
    });
}

/** The pm25 values stored for an entity, sorted. */
export async function storedPm25(store: Store, entityId: string): Promise<number[]> {
  const points = await store.series.read({ entityId, attrs: ['pm25'] });
  return points.map((p) => Number(p.value)).sort((a, b) => a - b);
}
