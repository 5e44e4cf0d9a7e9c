import type { Database, Statement } from 'better-sqlite3';
import type { AttributeInfo, TypeInfo } from '../port.js';
import { SHAPE_END, SHAPE_SEP } from './entity-facts.js';

const SEP = SHAPE_SEP;
const END = SHAPE_END;

/**
 * The discovery summary (clause 5.7.5–5.7.8): entity counts per type, and per (type, attribute,
 * attribute type) the entities and instances, with type '' for all types. Updated by deltas in
 * the write transaction so discovery reads a few hundred rows, never the entities.
 */
export class EntityStats {
  private readonly bumpAttr: Statement;
  private readonly bumpType: Statement;
  /** Shape → how many entities gained (+) or lost (−) it in this transaction. */
  private readonly pending = new Map<string, number>();

  constructor(private readonly db: Database) {
    this.bumpAttr = db.prepare(
      `INSERT INTO attribute_stats (type, attr, attr_type, entities, instances) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET entities = entities + excluded.entities,
         instances = instances + excluded.instances`,
    );
    this.bumpType = db.prepare(
      `INSERT INTO type_stats (type, entities) VALUES (?, ?)
       ON CONFLICT DO UPDATE SET entities = entities + excluded.entities`,
    );
  }

  /** Accumulates the change of shape (see EntityFacts) of one entity; `flush` writes it. */
  change(a: string | undefined, b: string | undefined): void {
    if (a === b) return;
    if (a !== undefined) this.pending.set(a, (this.pending.get(a) ?? 0) - 1);
    if (b !== undefined) this.pending.set(b, (this.pending.get(b) ?? 0) + 1);
  }

  /** Writes the accumulated deltas (one upsert per touched summary row); call before COMMIT. */
  flush(): void {
    const attrs = new Map<string, [number, number]>();
    const types = new Map<string, number>();
    for (const [key, n] of this.pending) {
      if (n === 0) continue;
      const [typePart, attrPart] = key.split(END) as [string, string];
      const entityTypes = typePart === '' ? [] : typePart.split(SEP);
      for (const t of entityTypes) types.set(t, (types.get(t) ?? 0) + n);
      const parts = attrPart.split(SEP);
      const instances = new Map<string, number>();
      for (let i = 0; i + 1 < parts.length; i += 2) {
        const k = parts[i]! + SEP + parts[i + 1]!;
        instances.set(k, (instances.get(k) ?? 0) + 1);
      }
      for (const t of ['', ...entityTypes])
        for (const [k, count] of instances) {
          const d = attrs.get(t + SEP + k) ?? [0, 0];
          d[0] += n;
          d[1] += n * count;
          attrs.set(t + SEP + k, d);
        }
    }
    for (const [k, [entities, instances]] of attrs) {
      if (entities === 0 && instances === 0) continue;
      const [type, attr, attrType] = k.split(SEP) as [string, string, string];
      this.bumpAttr.run(type, attr, attrType, entities, instances);
    }
    for (const [t, n] of types) if (n !== 0) this.bumpType.run(t, n);
    this.discard();
  }

  /** Forgets accumulated deltas (a new transaction, or one that rolled back). */
  discard(): void {
    this.pending.clear();
  }

  /** Every type with its attributes and entity count, ordered by type. */
  typeInfo(): TypeInfo[] {
    const types = this.db
      .prepare<[], { type: string; entities: number }>(
        'SELECT type, entities FROM type_stats WHERE entities > 0 ORDER BY type',
      )
      .all();
    const attrs = this.db
      .prepare<[], { type: string; attr: string }>(
        `SELECT DISTINCT type, attr FROM attribute_stats WHERE type <> '' AND entities > 0
         ORDER BY type, attr`,
      )
      .all();
    const byType = new Map<string, string[]>();
    for (const r of attrs) byType.set(r.type, [...(byType.get(r.type) ?? []), r.attr]);
    return types.map((t) => ({
      type: t.type,
      attributeNames: byType.get(t.type) ?? [],
      entityCount: t.entities,
    }));
  }

  /** Every attribute with its attribute types, entity types and instance count, ordered by name. */
  attributeInfo(): AttributeInfo[] {
    const rows = this.db
      .prepare<[], { type: string; attr: string; attr_type: string; instances: number }>(
        `SELECT type, attr, attr_type, instances FROM attribute_stats WHERE entities > 0
         ORDER BY attr, type, attr_type`,
      )
      .all();
    const out = new Map<string, AttributeInfo>();
    for (const r of rows) {
      let info = out.get(r.attr);
      if (!info) {
        info = { name: r.attr, attributeTypes: [], typeNames: [], attributeCount: 0 };
        out.set(r.attr, info);
      }
      if (r.type === '') {
        info.attributeTypes.push(r.attr_type);
        info.attributeCount += r.instances;
      } else if (!info.typeNames.includes(r.type)) info.typeNames.push(r.type);
    }
    for (const info of out.values()) info.attributeTypes.sort();
    return [...out.values()];
  }
}
