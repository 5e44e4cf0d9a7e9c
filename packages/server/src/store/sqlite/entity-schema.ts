/**
 * Geo index ids pack the entity rowid with a slot (one per GeoProperty instance of the entity):
 * `eid * GEO_SLOTS + slot`, so an entity's boxes are one rowid range of the R*Tree.
 */
export const GEO_SLOTS = 1024;

/** Entity members that are not attributes (kept in step with core RESERVED_MEMBERS). */
const RESERVED = `('id','type','@context','scope','createdAt','modifiedAt')`;

/** Every attribute instance of every entity: (eid, attr, instance JSON). */
const INSTANCES = `
  attrs AS (
    SELECT e.eid, a.key AS attr, a.type AS t, a.value AS v
    FROM entities e, json_each(e.doc) a
    WHERE a.key NOT IN ${RESERVED} AND a.type IN ('object', 'array')
  ),
  inst AS (
    SELECT eid, attr, v FROM attrs WHERE t = 'object'
    UNION ALL
    SELECT attrs.eid, attrs.attr, i.value FROM attrs, json_each(attrs.v) i
    WHERE attrs.t = 'array' AND i.type = 'object'
  )`;

const ISO = `'%Y-%m-%dT%H:%M:%fZ'`;

/**
 * Schema step 1 → 2: entities for the full NGSI-LD API. Entities get an integer key (for the
 * type and geo indexes) and a JSONB document holding createdAt/modifiedAt; `entity_types`
 * lists every type of every entity in id order; `entity_geo` is an R*Tree of the bounding box
 * of every GeoProperty instance; `attribute_stats`/`type_stats` keep discovery cheap. The v1
 * rows are carried over with all derived rows computed by SQL.
 */
export const ENTITY_MIGRATION = `
  DROP INDEX IF EXISTS entities_type;
  ALTER TABLE entities RENAME TO entities_v1;
  CREATE TABLE entities (
    eid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    doc BLOB NOT NULL
  );
  CREATE TABLE entity_types (
    type TEXT NOT NULL,
    id TEXT NOT NULL,
    eid INTEGER NOT NULL,
    PRIMARY KEY (type, id)
  ) WITHOUT ROWID;
  CREATE VIRTUAL TABLE entity_geo USING rtree(id, min_lon, max_lon, min_lat, max_lat, +attr TEXT);
  CREATE TABLE attribute_stats (
    type TEXT NOT NULL,
    attr TEXT NOT NULL,
    attr_type TEXT NOT NULL,
    entities INTEGER NOT NULL,
    instances INTEGER NOT NULL,
    PRIMARY KEY (type, attr, attr_type)
  ) WITHOUT ROWID;
  CREATE TABLE type_stats (type TEXT PRIMARY KEY, entities INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS collections (
    name TEXT NOT NULL,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (name, id)
  ) WITHOUT ROWID;

  INSERT INTO entities (id, doc)
  SELECT id, jsonb_set(jsonb(doc),
    '$.createdAt', coalesce(doc ->> '$.createdAt', strftime(${ISO}, created_at / 1000.0, 'unixepoch')),
    '$.modifiedAt', coalesce(doc ->> '$.modifiedAt', strftime(${ISO}, modified_at / 1000.0, 'unixepoch')))
  FROM entities_v1 ORDER BY id;
  DROP TABLE entities_v1;

  INSERT OR IGNORE INTO entity_types (type, id, eid)
  SELECT t.value, e.id, e.eid FROM entities e,
    json_each(CASE json_type(e.doc, '$.type') WHEN 'array' THEN json(e.doc -> '$.type')
              ELSE json_array(e.doc ->> '$.type') END) t;
  INSERT INTO type_stats (type, entities) SELECT type, count(*) FROM entity_types GROUP BY type;

  WITH ${INSTANCES},
  geo AS (
    SELECT eid, attr, v, row_number() OVER (PARTITION BY eid ORDER BY attr) - 1 AS slot
    FROM inst WHERE v ->> '$.type' = 'GeoProperty'
  )
  INSERT INTO entity_geo (id, min_lon, max_lon, min_lat, max_lat, attr)
  SELECT geo.eid * ${GEO_SLOTS} + geo.slot,
    min(CASE c.key WHEN 0 THEN c.value END), max(CASE c.key WHEN 0 THEN c.value END),
    min(CASE c.key WHEN 1 THEN c.value END), max(CASE c.key WHEN 1 THEN c.value END), geo.attr
  FROM geo, json_tree(geo.v, '$.value.coordinates') c
  WHERE c.type IN ('integer', 'real') AND geo.slot < ${GEO_SLOTS}
  GROUP BY geo.eid, geo.slot, geo.attr;

  WITH ${INSTANCES},
  typed AS (SELECT ty.type, inst.* FROM inst JOIN entity_types ty ON ty.eid = inst.eid
            UNION ALL SELECT '', inst.* FROM inst)
  INSERT INTO attribute_stats (type, attr, attr_type, entities, instances)
  SELECT type, attr, v ->> '$.type', count(DISTINCT eid), count(*) FROM typed
  WHERE v ->> '$.type' IS NOT NULL GROUP BY 1, 2, 3;
`;
