import type { ClientBase, Pool } from 'pg';
import type { AttributeInfo, TypeInfo } from '../port.js';
import { SHAPE_END, SHAPE_SEP } from '../sqlite/entity-facts.js';

/** How many rows each counter is spread over (see type_stats in core-schema.ts). */
const SHARDS = 16;

/**
 * The discovery deltas of one transaction (clause 5.7.5–5.7.8): entity shapes (see EntityFacts)
 * gained and lost, written as one upsert per table before COMMIT, rows in key order so that
 * concurrent transactions never deadlock on them.
 */
export class StatsDelta {
  private readonly pending = new Map<string, number>();

  /** An entity's shape changed from `a` to `b` (undefined: absent). */
  change(a: string | undefined, b: string | undefined): void {
    if (a === b) return;
    if (a !== undefined) this.pending.set(a, (this.pending.get(a) ?? 0) - 1);
    if (b !== undefined) this.pending.set(b, (this.pending.get(b) ?? 0) + 1);
  }

  async flush(client: ClientBase): Promise<void> {
    const attrs = new Map<string, [number, number]>();
    const types = new Map<string, number>();
    for (const [key, n] of this.pending) {
      if (n === 0) continue;
      const [typePart, attrPart] = key.split(SHAPE_END) as [string, string];
      const entityTypes = typePart === '' ? [] : typePart.split(SHAPE_SEP);
      for (const t of entityTypes) types.set(t, (types.get(t) ?? 0) + n);
      const parts = attrPart.split(SHAPE_SEP);
      const instances = new Map<string, number>();
      for (let i = 0; i + 1 < parts.length; i += 2) {
        const k = parts[i]! + SHAPE_SEP + parts[i + 1]!;
        instances.set(k, (instances.get(k) ?? 0) + 1);
      }
      for (const t of ['', ...entityTypes])
        for (const [k, count] of instances) {
          const d = attrs.get(t + SHAPE_SEP + k) ?? [0, 0];
          d[0] += n;
          d[1] += n * count;
          attrs.set(t + SHAPE_SEP + k, d);
        }
    }
    this.pending.clear();
    const shard = Math.floor(Math.random() * SHARDS);
    const attrRows = [...attrs]
      .filter(([, [e, i]]) => e !== 0 || i !== 0)
      .map(([k, [e, i]]) => [...k.split(SHAPE_SEP), e, i]);
    if (attrRows.length > 0)
      await client.query(
        `INSERT INTO attribute_stats (type, attr, attr_type, shard, entities, instances)
         SELECT t, a, at, $2, e, i FROM jsonb_to_recordset($1::jsonb) AS x(t text, a text, at text, e bigint, i bigint)
         ORDER BY t COLLATE "C", a COLLATE "C", at COLLATE "C"
         ON CONFLICT (type, attr, attr_type, shard) DO UPDATE
         SET entities = attribute_stats.entities + excluded.entities,
             instances = attribute_stats.instances + excluded.instances`,
        [JSON.stringify(attrRows.map(([t, a, at, e, i]) => ({ t, a, at, e, i }))), shard],
      );
    const typeRows = [...types].filter(([, n]) => n !== 0).map(([t, n]) => ({ t, n }));
    if (typeRows.length > 0)
      await client.query(
        `INSERT INTO type_stats (type, shard, entities)
         SELECT t, $2, n FROM jsonb_to_recordset($1::jsonb) AS x(t text, n bigint) ORDER BY t COLLATE "C"
         ON CONFLICT (type, shard) DO UPDATE SET entities = type_stats.entities + excluded.entities`,
        [JSON.stringify(typeRows), shard],
      );
  }
}

/** Every type with its attributes and entity count, ordered by type. */
export async function typeInfo(pool: Pool): Promise<TypeInfo[]> {
  const [types, attrs] = await Promise.all([
    pool.query<{ type: string; entities: string }>(
      `SELECT type, sum(entities) AS entities FROM type_stats GROUP BY type
       HAVING sum(entities) > 0 ORDER BY type`,
    ),
    pool.query<{ type: string; attr: string }>(
      `SELECT DISTINCT type, attr FROM (
         SELECT type, attr, attr_type FROM attribute_stats WHERE type <> ''
         GROUP BY type, attr, attr_type HAVING sum(entities) > 0) s
       ORDER BY type, attr`,
    ),
  ]);
  const byType = new Map<string, string[]>();
  for (const r of attrs.rows) byType.set(r.type, [...(byType.get(r.type) ?? []), r.attr]);
  return types.rows.map((t) => ({
    type: t.type,
    attributeNames: byType.get(t.type) ?? [],
    entityCount: Number(t.entities),
  }));
}

/** Every attribute with its attribute types, entity types and instance count, ordered by name. */
export async function attributeInfo(pool: Pool): Promise<AttributeInfo[]> {
  const { rows } = await pool.query<{
    type: string;
    attr: string;
    attr_type: string;
    instances: string;
  }>(
    `SELECT type, attr, attr_type, sum(instances) AS instances FROM attribute_stats
     GROUP BY type, attr, attr_type HAVING sum(entities) > 0 ORDER BY attr, type, attr_type`,
  );
  const out = new Map<string, AttributeInfo>();
  for (const r of rows) {
    let info = out.get(r.attr);
    if (!info) {
      info = { name: r.attr, attributeTypes: [], typeNames: [], attributeCount: 0 };
      out.set(r.attr, info);
    }
    if (r.type === '') {
      info.attributeTypes.push(r.attr_type);
      info.attributeCount += Number(r.instances);
    } else if (!info.typeNames.includes(r.type)) info.typeNames.push(r.type);
  }
  for (const info of out.values()) info.attributeTypes.sort();
  return [...out.values()];
}
