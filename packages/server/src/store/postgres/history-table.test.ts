import { describe, expect, it } from 'vitest';
import { serviceAvailable, SERVICES } from '../../../tests/helpers/services.js';
import type { AttributeInstance } from '../port.js';
import { describeTemporalContract } from '../temporal-contract.js';
import { historyFixture } from './history-fixture.js';

const pg = await serviceAvailable('postgres');

describe.skipIf(!pg)('PgHistory', () => {
  describeTemporalContract('postgres', async () => {
    const fx = await historyFixture(SERVICES.postgres);
    return {
      temporal: fx.history,
      series: fx.history,
      async ingest(values) {
        const client = await fx.pool.connect();
        try {
          await client.query('BEGIN');
          await fx.history.appendObservationsWith(client, values);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      },
      cleanup: () => fx.drop(),
    };
  });
});

describe.skipIf(!pg)('PgHistory with extreme values', () => {
  it('aggregates squares as IEEE arithmetic does, and says so when a sum overflows', async () => {
    const fx = await historyFixture(SERVICES.postgres);
    try {
      const E = 'urn:ngsi-ld:Sensor:x';
      const at = (minute: number, value: number): AttributeInstance => ({
        entityId: E,
        attr: 'v',
        instanceId: '',
        attribute: {
          type: 'Property',
          value,
          observedAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
        },
        createdAt: 0,
        modifiedAt: 0,
      });
      const q = { entityIds: [E], timeproperty: 'observedAt' as const };
      await fx.history.append([at(0, 5e-324), at(1, 1e-200), at(2, 2)]);
      const [tiny] = await fx.history.aggregate(q, ['sumsq', 'min']);
      expect(tiny?.values.map((v) => v.value)).toEqual([4, 5e-324]);
      await fx.history.append([at(3, 1e200), at(4, 1e308), at(5, 1e308)]);
      const [huge] = await fx.history.aggregate(q, ['sumsq', 'max', 'totalCount']);
      expect(huge?.values.map((v) => v.value)).toEqual([Infinity, 1e308, 6]);
      await expect(fx.history.aggregate(q, ['sum'])).rejects.toMatchObject({
        code: 'OperationNotSupported',
      });
    } finally {
      await fx.drop();
    }
  });
});
