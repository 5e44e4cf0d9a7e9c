import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeTemporalContract } from '../temporal-contract.js';
import { migrate } from './schema.js';
import { SeriesTable } from './series-table.js';
import { TemporalTable } from './temporal-table.js';

describeTemporalContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-temporal-contract-'));
  const db = new Database(join(dir, 'db.sqlite'));
  migrate(db);
  const series = new SeriesTable(db);
  return {
    temporal: new TemporalTable(db, series.log),
    series,
    async ingest(values) {
      db.transaction(() => {
        for (const v of values)
          series.appendSync(v.entityId, v.attr, v.observedAt, v.value, v.unitCode, v.now);
      })();
    },
    async cleanup() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
