/**
 * Schema step 2 → 3: the ingest time series becomes the one history of attribute instances
 * that both ingest and the NGSI-LD temporal API read and write.
 *
 * A row is one attribute instance, keyed by dictionary-encoded integers so that ingest stays
 * cheap and a (entity, attribute, dataset, time range) read is one primary-key range:
 * - `did`: the datasetId (`series_datasets`), 0 for the default instance;
 * - `t`: the instance's time, epoch ms: its observedAt, or its createdAt when it has none
 *   (`tkind` = 1 then);
 * - `num`: the value of a Property whose value is a number (what aggregations read);
 * - `json`: the instance without observedAt, datasetId, unitCode and system times, NULL for a
 *   plain `{type: Property, value: <number>}` (the ingest case);
 * - `unit`: the unitCode; `created` / `modified`: system times, epoch ms (NULL when unknown,
 *   as for version-1 rows, which then report their `t`).
 * Version-1 rows keep their key in the default dataset; a non-numeric value becomes the
 * instance `{type: Property, value}`.
 */
export const TEMPORAL_MIGRATION = `
  CREATE TABLE series_datasets (did INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);
  CREATE TABLE series_v3 (
    eid INTEGER NOT NULL,
    aid INTEGER NOT NULL,
    did INTEGER NOT NULL,
    t INTEGER NOT NULL,
    num REAL,
    json TEXT,
    unit TEXT,
    tkind INTEGER NOT NULL DEFAULT 0,
    created INTEGER,
    modified INTEGER,
    PRIMARY KEY (eid, aid, did, t)
  ) WITHOUT ROWID;
  INSERT INTO series_v3 (eid, aid, did, t, num, json)
    SELECT eid, aid, 0, t, num,
      CASE WHEN json IS NULL THEN NULL
           ELSE json_object('type', 'Property', 'value', json(json)) END
    FROM series ORDER BY eid, aid, t;
  DROP TABLE series;
  ALTER TABLE series_v3 RENAME TO series;
`;
