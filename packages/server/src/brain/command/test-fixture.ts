import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { BusEvent } from '../../bus/index.js';
import { MemoryBus } from '../../bus/memory/index.js';
import type { Entity } from '../../core/index.js';
import { SqliteStore } from '../../store/sqlite/index.js';
import type { RaiseAlert } from '../alerts/alert-raise.js';
import { createCommandServices, type CommandServices } from './command-services.js';
import type { Responsibility } from './responsibility-matrix.js';

/** Command and dispatch on a real SQLite file and the memory bus, with a clock the test drives. */
export interface CommandFixture {
  store: SqliteStore;
  bus: MemoryBus;
  command: CommandServices;
  /** Every event published on the bus so far (after `settle`). */
  events: BusEvent[];
  /** The wall clock: set `now` or `advance` it. */
  clock: { now: number; advance(ms: number): void };
  /** Lets the memory bus deliver what was published. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** 2025-01-01T08:00:00Z: where fixture clocks start. */
export const T0 = Date.UTC(2025, 0, 1, 8);

/** Opens a fixture for tests (command services over a fresh SQLite file). */
export async function openCommandFixture(
  options: { incidentWindowMs?: number; maxPhotoBytes?: number } = {},
): Promise<CommandFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-command-'));
  const store = new SqliteStore({ file: join(dir, 'city.db'), synchronous: 'normal' });
  const errors: unknown[] = [];
  const bus = new MemoryBus((err) => errors.push(err));
  const events: BusEvent[] = [];
  await bus.subscribe({ topic: '*' }, (e) => void events.push(e));
  const clock = {
    now: T0,
    advance(ms: number) {
      this.now += ms;
    },
  };
  const command = createCommandServices({
    store,
    bus,
    logger: pino({ level: 'silent' }),
    clock: () => clock.now,
    ...options,
  });
  return {
    store,
    bus,
    command,
    events,
    clock,
    settle: () => new Promise((r) => setTimeout(r, 5)),
    async close() {
      command.stop();
      await bus.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      if (errors.length > 0) throw new Error(`bus handler failed: ${String(errors[0])}`);
    },
  };
}

/** A sensor entity in a district and community, as the simulator makes them. */
export function sensor(local: string, district = 'xihu', community = 'lingyin'): Entity {
  return {
    id: `urn:ngsi-ld:AirQualityObserved:${local}`,
    type: 'AirQualityObserved',
    name: { type: 'Property', value: `Station ${local}` },
    areaServed: { type: 'Property', value: district },
    refDistrict: { type: 'Relationship', object: `urn:ngsi-ld:District:${district}` },
    refCommunity: { type: 'Relationship', object: `urn:ngsi-ld:Community:${community}` },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [120.1, 30.2] } },
  };
}

/** A raise of the PM2.5 rule for a source at a time. */
export function pm25Raise(source: Entity, at: number, value = 120): RaiseAlert {
  return {
    rule: {
      id: 'pm25-high',
      category: 'environment',
      subCategory: 'airPollution',
      severity: 'high',
      name: 'PM2.5 high',
    },
    source,
    since: at - 300_000,
    at,
    evidence: [{ observedAt: at, value, entityId: source.id, attr: 'pm25' }],
  };
}

/** The matrix rows most tests use: environment alerts go to env-xihu in xihu, else env-city. */
export const MATRIX: Responsibility[] = [
  {
    id: 'env-any',
    category: 'environment',
    area: '*',
    chain: [{ organisation: 'env-city', acknowledgeWithinSeconds: 600 }],
  },
  {
    id: 'env-xihu',
    category: 'environment',
    area: 'xihu',
    chain: [
      { organisation: 'env-xihu', acknowledgeWithinSeconds: 600 },
      { organisation: 'env-city', acknowledgeWithinSeconds: 900 },
      { organisation: 'city-emergency' },
    ],
  },
];
