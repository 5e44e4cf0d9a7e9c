import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from './schema.js';
import { SeriesTable } from './series-table.js';
import { TemporalTable } from './temporal-table.js';

const dbs: Database.Database[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

const E = 'urn:ngsi-ld:AirQualityObserved:a';

/** A database as schema version 2 left the time series (the version-1 series table). */
function versionTwoFile(): Database.Database {
  const db = new Database(join(mkdtempSync(join(tmpdir(), 'cb-series-')), 'db.sqlite'));
  dbs.push(db);
  db.exec(`
    CREATE TABLE series_entities (eid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);
    CREATE TABLE series_attrs (aid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE series (
      eid INTEGER NOT NULL, aid INTEGER NOT NULL, t INTEGER NOT NULL, num REAL, json TEXT,
      PRIMARY KEY (eid, aid, t)
    ) WITHOUT ROWID;
    INSERT INTO series_entities VALUES (1, '${E}');
    INSERT INTO series_attrs VALUES (1, 'pm25'), (2, 'status'), (3, 'position');
    INSERT INTO series VALUES (1, 1, 1000, 10, NULL), (1, 1, 2000, 12.5, NULL),
      (1, 2, 1000, NULL, '"ok"'), (1, 3, 1000, NULL, '{"lat":1,"lon":2}');
  `);
  db.pragma('user_version = 2');
  return db;
}

describe('SeriesTable and migration step 3', () => {
  it('migrates version-1 points into default instances, readable by both views', async () => {
    const db = versionTwoFile();
    expect(migrate(db, 3)).toBe(3);
    migrate(db);
    const series = new SeriesTable(db);
    expect(await series.read({ entityId: E })).toEqual([
      { attr: 'pm25', observedAt: 1000, value: 10 },
      { attr: 'pm25', observedAt: 2000, value: 12.5 },
      { attr: 'position', observedAt: 1000, value: { lat: 1, lon: 2 } },
      { attr: 'status', observedAt: 1000, value: 'ok' },
    ]);
    const temporal = new TemporalTable(db, series.log);
    const instances = await temporal.query({ entityIds: [E], timeproperty: 'observedAt' });
    expect(instances.map((i) => i.attribute)).toEqual([
      { type: 'Property', value: 10, observedAt: new Date(1000).toISOString() },
      { type: 'Property', value: 12.5, observedAt: new Date(2000).toISOString() },
      { type: 'Property', value: { lat: 1, lon: 2 }, observedAt: new Date(1000).toISOString() },
      { type: 'Property', value: 'ok', observedAt: new Date(1000).toISOString() },
    ]);
    // Unknown creation times are reported as the observation time.
    expect(instances[0]).toMatchObject({ createdAt: 1000, modifiedAt: 1000 });
    // New ingest keeps working on the migrated file, after the migrated ids.
    series.appendSync(E, 'pm25', 3000, 14);
    series.appendSync('urn:ngsi-ld:AirQualityObserved:b', 'pm25', 3000, 1);
    expect(await series.countFor(E)).toBe(5);
    expect(await series.countFor('urn:ngsi-ld:AirQualityObserved:b')).toBe(1);
  });

  it('answers windows and lastN, treats a resent point as one, and reads nothing unknown', async () => {
    const db = new Database(':memory:');
    dbs.push(db);
    migrate(db);
    const series = new SeriesTable(db);
    for (let i = 0; i < 10; i++) series.appendSync(E, 'pm25', i * 1000, i);
    series.appendSync(E, 'pm25', 9000, 9);
    expect(await series.countFor(E)).toBe(10);
    expect((await series.read({ entityId: E, lastN: 3 })).map((p) => p.value)).toEqual([7, 8, 9]);
    expect((await series.read({ entityId: E, from: 2000, to: 4000 })).map((p) => p.value)).toEqual([
      2, 3,
    ]);
    expect(await series.read({ entityId: E, attrs: ['nope'] })).toEqual([]);
    expect(await series.read({ entityId: 'urn:ngsi-ld:X:none' })).toEqual([]);
    expect(await series.countFor('urn:ngsi-ld:X:none')).toBe(0);
  });
});
