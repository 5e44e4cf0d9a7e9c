import type { Database, Statement } from 'better-sqlite3';
import { attributeInstances, attributeNames, entityTypes, type Entity } from '../../core/index.js';
import type { AttributeInfo, TypeInfo } from '../port.js';

/** Per (attribute, attribute type): how many instances an entity holds. */
type Signature = Map<string, number>;

const SEP = '\u0000';

/** The (attribute, attribute type) → instance count of an entity. */
function signature(entity: Entity): Signature {
  const sig: Signature = new Map();
  for (const name of attributeNames(entity))
    for (const inst of attributeInstances(entity, name)) {
      if (typeof inst !== 'object' || inst === null || typeof inst.type !== 'string') continue;
      const key = name + SEP + inst.type;
      sig.set(key, (sig.get(key) ?? 0) + 1);
    }
  return sig;
}

/** The distinct types of an entity, sorted. */
export function distinctTypes(entity: Entity): string[] {
  return [...new Set(entityTypes(entity))].sort();
}

function sameTypes(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

function sameSignature(a: Signature, b: Signature): boolean {
  if (a.size !== b.size) return false;
  for (const [k, n] of a) if (b.get(k) !== n) return false;
  return true;
}

/**
 * The discovery summary (clause 5.7.5–5.7.8): entity counts per type, and per (type, attribute,
 * attribute type) the entities and instances, with type '' for all types. Updated by deltas in
 * the write transaction so discovery reads a few hundred rows, never the entities.
 */
export class EntityStats {
  private readonly bumpAttr: Statement;
  private readonly bumpType: Statement;
  private readonly pending = new Map<string, [number, number]>();
  private readonly pendingTypes = new Map<string, number>();

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

  /** Accumulates the change from `before` to `after` (either absent); `flush` writes it. */
  change(before: Entity | undefined, after: Entity | undefined): void {
    const typesBefore = before ? distinctTypes(before) : [];
    const typesAfter = after ? distinctTypes(after) : [];
    const sigBefore = before ? signature(before) : new Map<string, number>();
    const sigAfter = after ? signature(after) : new Map<string, number>();
    // The common case (a value update) changes nothing here.
    if (sameTypes(typesBefore, typesAfter) && sameSignature(sigBefore, sigAfter)) return;
    const deltas = this.pending;
    const add = (types: string[], sig: Signature, sign: number): void => {
      for (const type of ['', ...types])
        for (const [key, n] of sig) {
          const k = type + SEP + key;
          const d = deltas.get(k) ?? [0, 0];
          d[0] += sign;
          d[1] += sign * n;
          deltas.set(k, d);
        }
    };
    add(typesBefore, sigBefore, -1);
    add(typesAfter, sigAfter, 1);
    for (const t of typesBefore) this.pendingTypes.set(t, (this.pendingTypes.get(t) ?? 0) - 1);
    for (const t of typesAfter) this.pendingTypes.set(t, (this.pendingTypes.get(t) ?? 0) + 1);
  }

  /** Writes the accumulated deltas (one upsert per touched row); call before COMMIT. */
  flush(): void {
    for (const [k, [entities, instances]] of this.pending) {
      if (entities === 0 && instances === 0) continue;
      const [type, attr, attrType] = k.split(SEP) as [string, string, string];
      this.bumpAttr.run(type, attr, attrType, entities, instances);
    }
    for (const [t, n] of this.pendingTypes) if (n !== 0) this.bumpType.run(t, n);
    this.discard();
  }

  /** Forgets accumulated deltas (a new transaction, or one that rolled back). */
  discard(): void {
    this.pending.clear();
    this.pendingTypes.clear();
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
