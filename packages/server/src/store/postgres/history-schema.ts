import type { Migration } from './migrations.js';

/**
 * The history of attribute instances on PostgreSQL: what SQLite keeps in its `series` table
 * (see ../sqlite/temporal-schema.ts), with the same dictionary-encoded key so that a row stays
 * narrow and one (entity, attribute, dataset, time range) read is one primary-key range:
 * - `history_entities` / `history_attrs` / `history_datasets`: the dictionaries (text → integer);
 *   rows are never deleted nor ids reused, so any node may cache what it has seen committed;
 * - `history_series`: every (entity, attribute, dataset) that ever had an instance, so that a
 *   read finds an entity's series without probing every partition; append-only as well;
 * - `history`: one row per instance (columns as in SQLite: `t` is observedAt, or createdAt when
 *   there is none and `tkind` = 1; `num` the numeric value; `json` the rest of the instance
 *   verbatim, NULL for a plain numeric Property), **partitioned by range of `t`** in weeks
 *   (Monday 00:00 UTC; see history-partitions.ts for why a week), with a DEFAULT partition that
 *   takes any instance whose week has no partition (far past or future), so that none is ever
 *   refused. Each partition has the primary key (eid, aid, did, t).
 * The step creates the current week's partition and the four after it; the rest are made ahead
 * of need at run time (HistoryPartitions).
 */
const INSTANCES = `
  CREATE TABLE history_entities (
    eid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text COLLATE "C" NOT NULL UNIQUE
  );
  CREATE TABLE history_attrs (
    aid integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text COLLATE "C" NOT NULL UNIQUE
  );
  -- did 0 is the default instance (no datasetId): identities start at 1.
  CREATE TABLE history_datasets (
    did integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text COLLATE "C" NOT NULL UNIQUE
  );
  CREATE TABLE history_series (
    eid bigint NOT NULL,
    aid integer NOT NULL,
    did integer NOT NULL,
    PRIMARY KEY (eid, aid, did)
  );
  CREATE TABLE history (
    eid bigint NOT NULL,
    aid integer NOT NULL,
    did integer NOT NULL,
    t bigint NOT NULL,
    num double precision,
    json json,
    unit text,
    tkind smallint NOT NULL DEFAULT 0,
    created bigint,
    modified bigint,
    PRIMARY KEY (eid, aid, did, t)
  ) PARTITION BY RANGE (t);
  DO $$
  DECLARE
    week constant bigint := 604800000;
    -- 1970-01-05T00:00Z, the first Monday of the epoch: weeks start on Mondays, UTC.
    monday constant bigint := 345600000;
    now_ms constant bigint := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint;
    lo constant bigint := now_ms - ((now_ms - monday) % week + week) % week;
  BEGIN
    FOR i IN 0..4 LOOP
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF history FOR VALUES FROM (%s) TO (%s)',
        'history_w' || to_char(to_timestamp((lo + i * week) / 1000) AT TIME ZONE 'UTC', 'YYYYMMDD'),
        lo + i * week,
        lo + (i + 1) * week
      );
    END LOOP;
  END $$;
  CREATE TABLE history_default PARTITION OF history DEFAULT;
  -- Rows are moved out of the default partition by time when their week gets a partition.
  CREATE INDEX history_default_t ON history_default (t);
`;

/** The history's schema steps, applied after the core steps by the migration runner. */
export const HISTORY_MIGRATIONS: Migration[] = [{ id: 'history-001-instances', sql: INSTANCES }];
