import type { ClientBase } from 'pg';
import { CityError, parseGeometry, type Entity } from '../../core/index.js';
import { entityFacts, sameGeo, type EntityFacts } from '../sqlite/entity-facts.js';
import { StatsDelta } from './entity-stats.js';

/** One entity's change in a transaction: its state before (locked) and after. */
export interface EntityChange {
  id: string;
  before: Entity | undefined;
  after: Entity | undefined;
}

/** PostgreSQL text cannot hold NUL: refused before anything is written (this write fails alone). */
const NUL = /(^|[^\\])(\\\\)*\\u0000/;

/** The JSON text of an entity to store; throws BadRequestData when PostgreSQL cannot hold it. */
export function storableJson(entity: Entity): string {
  const json = JSON.stringify(entity);
  if (NUL.test(json))
    throw new CityError('BadRequestData', `entity ${entity.id} holds a NUL character (\\u0000)`);
  return json;
}

/**
 * Locks the rows of `ids` (in key order, so that concurrent transactions cannot deadlock) and
 * returns the entities that exist.
 */
export async function lockEntities(
  client: ClientBase,
  ids: readonly string[],
): Promise<Map<string, Entity>> {
  const { rows } = await client.query<{ id: string; doc: Entity }>(
    'SELECT id, doc FROM entities WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.doc]));
}

/** Every GeoProperty instance's row: (slot, attribute, GeoJSON text); malformed ones left out. */
function geoRows(facts: EntityFacts): { slot: number; attr: string; g: string }[] {
  return facts.geo.flatMap((g, slot) => {
    try {
      return [{ slot, attr: g.attr, g: JSON.stringify(parseGeometry(g.value)) }];
    } catch {
      return []; // stored before shapes were checked: it never matches a geo-query
    }
  });
}

/**
 * Writes the final state of each changed entity: the JSONB document and types, the geometry
 * rows of its GeoProperties (when they changed) and the discovery deltas. Rows are written in
 * id order. Call inside a transaction holding the entities' locks.
 */
export async function writeEntityRows(
  client: ClientBase,
  changes: readonly EntityChange[],
): Promise<void> {
  const sorted = [...changes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const stats = new StatsDelta();
  const deleted: string[] = [];
  // Rows as JSON text, the documents spliced in as serialized once.
  const inserted: string[] = [];
  const updated: string[] = [];
  const geoGone: string[] = [];
  const geoNew: { id: string; slot: number; attr: string; g: string }[] = [];
  // entity_types rows to (re)write: created entities and those whose types changed.
  const typed: { id: string; types: string[] }[] = [];
  const retyped: string[] = [];
  for (const { id, before, after } of sorted) {
    if (before === after) continue;
    const was = before && entityFacts(before);
    const now = after && entityFacts(after);
    stats.change(was?.shape, now?.shape);
    if (!after) {
      deleted.push(id);
      continue;
    }
    const row = `{"id":${JSON.stringify(id)},"types":${JSON.stringify(now!.types)},"doc":${storableJson(after)}}`;
    (before ? updated : inserted).push(row);
    if (!was || was.types.join('\u0000') !== now!.types.join('\u0000')) {
      typed.push({ id, types: now!.types });
      if (was) retyped.push(id);
    }
    if (!sameGeo(was?.geo ?? [], now!.geo)) {
      if (was?.geo.length) geoGone.push(id);
      geoNew.push(...geoRows(now!).map((g) => ({ id, ...g })));
    }
  }
  if (deleted.length > 0)
    await client.query('DELETE FROM entities WHERE id = ANY($1::text[])', [deleted]);
  if (updated.length > 0)
    await client.query(
      `UPDATE entities e SET doc = x.doc,
         types = ARRAY(SELECT jsonb_array_elements_text(x.types))
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, types jsonb, doc jsonb) WHERE e.id = x.id`,
      [`[${updated.join(',')}]`],
    );
  if (inserted.length > 0)
    await client.query(
      `INSERT INTO entities (id, types, doc)
       SELECT x.id, ARRAY(SELECT jsonb_array_elements_text(x.types)), x.doc
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, types jsonb, doc jsonb) ORDER BY x.id COLLATE "C"`,
      [`[${inserted.join(',')}]`],
    );
  // One set-based statement each, not a trigger per row (deletes cascade from entities).
  if (retyped.length > 0)
    await client.query('DELETE FROM entity_types WHERE id = ANY($1::text[])', [retyped]);
  if (typed.length > 0)
    await client.query(
      `INSERT INTO entity_types (type, id)
       SELECT DISTINCT t, x.id FROM jsonb_to_recordset($1::jsonb) AS x(id text, types jsonb),
         jsonb_array_elements_text(x.types) AS t
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(typed)],
    );
  if (geoGone.length > 0)
    await client.query('DELETE FROM entity_geo WHERE id = ANY($1::text[])', [geoGone]);
  if (geoNew.length > 0)
    await client.query(
      `INSERT INTO entity_geo (id, slot, attr, geom)
       SELECT x.id, x.slot, x.attr, cb_geom(x.g)
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, slot int, attr text, g text)`,
      [JSON.stringify(geoNew)],
    );
  await stats.flush(client);
}
