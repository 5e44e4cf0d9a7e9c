/** Schema step 1 → 2: entities for the full NGSI-LD API (types, geo index, collections). */
export const ENTITY_MIGRATION = `
  CREATE TABLE IF NOT EXISTS collections (
    name TEXT NOT NULL,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (name, id)
  ) WITHOUT ROWID;
`;
