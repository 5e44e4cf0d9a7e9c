import type { Migration } from './migrations.js';

/**
 * Entities, their geometries and discovery statistics; collections, devices, dead letters and
 * the tenant registry. Ids and names are `COLLATE "C"`: paging orders by code point, as SQLite
 * does, whatever the database's locale.
 */
const TABLES = `
  CREATE TABLE entities (
    id text COLLATE "C" PRIMARY KEY,
    types text[] COLLATE "C" NOT NULL,
    doc jsonb NOT NULL
  );
  -- Type expressions (@>, &&) and key existence / containment in the canonical document.
  CREATE INDEX entities_types ON entities USING gin (types);
  CREATE INDEX entities_doc ON entities USING gin (doc);

  -- One row per GeoProperty instance (an entity may have several attributes and datasetIds).
  CREATE TABLE entity_geo (
    id text COLLATE "C" NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    slot integer NOT NULL,
    attr text COLLATE "C" NOT NULL,
    geom geometry(Geometry, 4326) NOT NULL,
    PRIMARY KEY (id, slot)
  );
  CREATE INDEX entity_geo_geom ON entity_geo USING gist (geom);

  -- Discovery counters, updated by deltas in each write transaction. A write bumps the rows of
  -- one random shard, so nodes creating entities of one type do not queue on one row.
  CREATE TABLE type_stats (
    type text COLLATE "C" NOT NULL,
    shard smallint NOT NULL,
    entities bigint NOT NULL,
    PRIMARY KEY (type, shard)
  );
  CREATE TABLE attribute_stats (
    type text COLLATE "C" NOT NULL,
    attr text COLLATE "C" NOT NULL,
    attr_type text COLLATE "C" NOT NULL,
    shard smallint NOT NULL,
    entities bigint NOT NULL,
    instances bigint NOT NULL,
    PRIMARY KEY (type, attr, attr_type, shard)
  );

  CREATE TABLE collections (
    name text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    doc jsonb NOT NULL,
    PRIMARY KEY (name, id)
  );
  CREATE TABLE devices (
    id text COLLATE "C" PRIMARY KEY,
    entity_id text NOT NULL,
    entity_type text NOT NULL,
    secret_hash text NOT NULL,
    units jsonb NOT NULL,
    created_at bigint NOT NULL
  );
  CREATE TABLE dead_letters (
    id bigserial PRIMARY KEY,
    received_at bigint NOT NULL,
    source text NOT NULL,
    reason text NOT NULL,
    detail text NOT NULL,
    device_id text,
    topic text,
    payload text
  );
  CREATE INDEX dead_letters_reason ON dead_letters (reason, id);

  -- NGSI-LD tenants (used in the default store's schema): name → the schema of its store.
  CREATE TABLE tenants (
    name text COLLATE "C" PRIMARY KEY,
    schema text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
  );
`;

/**
 * SQL functions of the q-language translation (q-sql.ts): each mirrors one step of the core
 * evaluator (core/q-match.ts), so PostgreSQL evaluates a query exactly as matchesQ would.
 */
const Q_FUNCTIONS = `
  -- JS: Array.isArray(v) ? v : [v]; no row for SQL NULL.
  CREATE FUNCTION cb_spread(v jsonb) RETURNS SETOF jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT x FROM jsonb_array_elements(
      CASE WHEN jsonb_typeof(v) = 'array' THEN v ELSE jsonb_build_array(v) END) x
    WHERE v IS NOT NULL
  $$;

  -- JS: has(v, key) ? v[key] : undefined (own properties of objects and arrays).
  CREATE FUNCTION cb_member(v jsonb, key text) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE jsonb_typeof(v)
      WHEN 'object' THEN v -> key
      WHEN 'array' THEN CASE
        WHEN key = 'length' THEN to_jsonb(jsonb_array_length(v))
        WHEN key ~ '^(0|[1-9][0-9]{0,8})$' THEN v -> key::int END
    END
  $$;

  -- core mainValue: what an attribute instance holds, by attribute type.
  CREATE FUNCTION cb_main(n jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE n ->> 'type'
      WHEN 'Relationship' THEN n -> 'object'
      WHEN 'ListRelationship' THEN CASE WHEN jsonb_typeof(n -> 'objectList') = 'array' THEN
        (SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(o) = 'object' AND o ? 'object'
                                   THEN o -> 'object' ELSE o END ORDER BY k), '[]')
         FROM jsonb_array_elements(n -> 'objectList') WITH ORDINALITY t(o, k)) END
      WHEN 'LanguageProperty' THEN n -> 'languageMap'
      WHEN 'VocabProperty' THEN n -> 'vocab'
      WHEN 'JsonProperty' THEN n -> 'json'
      WHEN 'ListProperty' THEN n -> 'valueList'
      ELSE CASE WHEN n ? 'value' THEN n -> 'value' ELSE n -> 'object' END
    END
  $$;

  -- JS: Object.values(v).flat() of an object or array (a LanguageProperty's languages).
  CREATE FUNCTION cb_lang_values(v jsonb) RETURNS SETOF jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT z FROM (
      SELECT value FROM jsonb_each(CASE WHEN jsonb_typeof(v) = 'object' THEN v END)
      UNION ALL
      SELECT x FROM jsonb_array_elements(CASE WHEN jsonb_typeof(v) = 'array' THEN v END) x
    ) m(y), cb_spread(m.y) z
  $$;

  -- core qInstant of a string matching Q_DATE_TIME, in epoch ms, as V8's Date.parse reads it
  -- (days roll over, 24:00 only exact, fractions truncated to ms); NULL where JS gives NaN.
  CREATE FUNCTION cb_instant(s text) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN mo BETWEEN 1 AND 12 AND d BETWEEN 1 AND 31 AND mi < 60 AND sec < 60
        AND (h < 24 OR (h = 24 AND mi = 0 AND sec = 0 AND ms = 0)) AND oh < 24 AND om < 60 THEN
      ((div(yy - CASE WHEN yy < 0 THEN 399 ELSE 0 END, 400) * 146097
        + (yy - div(yy - CASE WHEN yy < 0 THEN 399 ELSE 0 END, 400) * 400) * 365
        + div(yy - div(yy - CASE WHEN yy < 0 THEN 399 ELSE 0 END, 400) * 400, 4)
        - div(yy - div(yy - CASE WHEN yy < 0 THEN 399 ELSE 0 END, 400) * 400, 100)
        + div(153 * (mo + CASE WHEN mo > 2 THEN -3 ELSE 9 END) + 2, 5) + d - 1 - 719468)::double precision
        * 86400000 + h * 3600000 + mi * 60000 + sec * 1000 + ms - sgn * (oh * 60 + om) * 60000)
    END FROM (
      SELECT p[1]::int - CASE WHEN p[2]::int <= 2 THEN 1 ELSE 0 END AS yy, p[2]::int AS mo,
        p[3]::int AS d, p[4]::int AS h, p[5]::int AS mi, coalesce(p[6]::int, 0) AS sec,
        coalesce(rpad(left(p[7], 3), 3, '0')::int, 0) AS ms,
        CASE p[9] WHEN '-' THEN -1 ELSE 1 END AS sgn,
        coalesce(p[10]::int, 0) AS oh, coalesce(p[11]::int, 0) AS om
      FROM regexp_match(s, '^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\\.([0-9]{1,9}))?)?(Z|([+-])([0-9]{2}):?([0-9]{2}))?$') p
      WHERE p IS NOT NULL
    ) t
  $$;

  -- A key ordering strings as JavaScript does (by UTF-16 code unit): code points from U+E000 to
  -- U+FFFF sort after those above U+FFFF, which UTF-16 writes with surrogates (U+D800–U+DFFF).
  CREATE FUNCTION cb_utf16_key(s text) RETURNS integer[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(CASE WHEN ascii(c) BETWEEN 57344 AND 65535 THEN ascii(c) + 1114112
                                   ELSE ascii(c) END ORDER BY k), '{}')
    FROM regexp_split_to_table(s, '') WITH ORDINALITY t(c, k) WHERE c <> ''
  $$;

  -- The string in UTF-16 code units, as ECMAScript patterns see it: each character above U+FFFF
  -- becomes two, its surrogates moved to U+F0000–U+F07FF (valid in text); see pg-regex.ts.
  CREATE FUNCTION cb_units_split(s text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT string_agg(CASE WHEN ascii(c) > 65535
      THEN chr(983040 + ((ascii(c) - 65536) >> 10)) || chr(984064 + ((ascii(c) - 65536) & 1023))
      ELSE c END, '' ORDER BY k)
    FROM regexp_split_to_table(s, '') WITH ORDINALITY t(c, k)
  $$;
  -- The same, inlined into queries: most strings have no such character and stay as they are.
  CREATE FUNCTION cb_units(s text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN s ~ '[\\U00010000-\\U0010FFFF]' THEN cb_units_split(s) ELSE s END
  $$;

  -- A GeoJSON geometry as stored and queried: 2D, WGS 84, made valid so that no GEOS predicate
  -- fails on a self-intersecting polygon (core's evaluator never fails either).
  CREATE FUNCTION cb_geom(geojson text) RETURNS geometry LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN ST_IsValid(g) THEN g ELSE ST_MakeValid(g) END
    FROM (SELECT ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(geojson), 4326)) AS g) t
  $$;
`;

/**
 * Step 3: a `(type, id)` table kept by triggers, so that a page of one type is an index walk in
 * id order that stops at the page's end (as SQLite's entity_types), instead of fetching every
 * candidate of the type to sort it.
 */
const ENTITY_TYPES = `
  CREATE TABLE entity_types (
    type text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    PRIMARY KEY (type, id)
  );
  CREATE INDEX entity_types_id ON entity_types (id);
  INSERT INTO entity_types (type, id) SELECT DISTINCT t, e.id FROM entities e, unnest(e.types) t;

  CREATE FUNCTION cb_sync_entity_types() RETURNS trigger LANGUAGE plpgsql
  SET search_path FROM CURRENT AS $$
  BEGIN
    IF TG_OP = 'UPDATE' THEN
      DELETE FROM entity_types WHERE id = NEW.id AND type <> ALL (NEW.types);
    END IF;
    INSERT INTO entity_types (type, id) SELECT DISTINCT t, NEW.id FROM unnest(NEW.types) t
      ON CONFLICT DO NOTHING;
    RETURN NULL;
  END $$;
  CREATE TRIGGER entity_types_on_insert AFTER INSERT ON entities
    FOR EACH ROW EXECUTE FUNCTION cb_sync_entity_types();
  CREATE TRIGGER entity_types_on_update AFTER UPDATE OF types ON entities
    FOR EACH ROW WHEN (OLD.types IS DISTINCT FROM NEW.types) EXECUTE FUNCTION cb_sync_entity_types();
`;

/**
 * Step 5: the audit chain (see audit-table.ts), as SQLite's: records by seq, with their owner
 * and time for an owner's view; signed checkpoints of the head, one per seq and key.
 */
const AUDIT = `
  CREATE TABLE audit (
    seq bigint PRIMARY KEY,
    at bigint NOT NULL,
    owner text COLLATE "C",
    entry json NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL
  );
  CREATE INDEX audit_owner ON audit (owner, at);
  CREATE TABLE audit_checkpoints (
    seq bigint NOT NULL,
    key_id text COLLATE "C" NOT NULL,
    hash text NOT NULL,
    at bigint NOT NULL,
    signature text NOT NULL,
    PRIMARY KEY (seq, key_id)
  );
`;

/** The core steps, in order; append new steps, never edit released ones. */
export const CORE_MIGRATIONS: Migration[] = [
  { id: 'core-001-tables', sql: TABLES },
  { id: 'core-002-q-functions', sql: Q_FUNCTIONS },
  { id: 'core-003-entity-types', sql: ENTITY_TYPES },
  // The write path now keeps entity_types in one statement per transaction (entity-rows.ts).
  {
    id: 'core-004-entity-types-set-based',
    sql: `DROP TRIGGER entity_types_on_insert ON entities;
      DROP TRIGGER entity_types_on_update ON entities;
      DROP FUNCTION cb_sync_entity_types();`,
  },
  { id: 'core-005-audit', sql: AUDIT },
  // An owner's access log reads its newest records first.
  { id: 'core-006-audit-owner-seq', sql: 'CREATE INDEX audit_owner_seq ON audit (owner, seq);' },
];
