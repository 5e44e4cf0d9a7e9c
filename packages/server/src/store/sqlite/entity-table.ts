import type { Database, Statement } from 'better-sqlite3';
import { CityError, matchesQ, type Attribute, type Entity } from '../../core/index.js';
import type { EntityPage, EntityQuery, EntityStore } from '../port.js';

interface Row {
  doc: string;
}

/** Entities kept as JSON documents, one row each; the hot ones cached parsed for ingest. */
export class EntityTable implements EntityStore {
  private readonly insert: Statement;
  private readonly update: Statement;
  private readonly select: Statement<[string], Row>;
  private readonly remove: Statement;
  private readonly cache = new Map<string, Entity>();

  constructor(
    private readonly db: Database,
    private readonly cacheSize = 100_000,
  ) {
    this.insert = db.prepare(
      'INSERT INTO entities (id, type, doc, created_at, modified_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.update = db.prepare('UPDATE entities SET doc = ?, modified_at = ? WHERE id = ?');
    this.select = db.prepare('SELECT doc FROM entities WHERE id = ?');
    this.remove = db.prepare('DELETE FROM entities WHERE id = ?');
  }

  /** Reads an entity synchronously (for use inside a transaction); the result must not be mutated. */
  load(id: string): Entity | undefined {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const row = this.select.get(id);
    if (!row) return undefined;
    const entity = JSON.parse(row.doc) as Entity;
    this.remember(entity);
    return entity;
  }

  /** Writes a new entity synchronously; false when the id exists. */
  insertSync(entity: Entity, now: number): boolean {
    const result = this.insert.run(entity.id, entity.type, JSON.stringify(entity), now, now);
    if (result.changes === 0) return false;
    this.remember(entity);
    return true;
  }

  /** Replaces an existing entity's document synchronously. */
  storeSync(entity: Entity, now: number): void {
    this.update.run(JSON.stringify(entity), now, entity.id);
    this.remember(entity);
  }

  /** Drops every cached entity (after a rolled-back transaction). */
  clearCache(): void {
    this.cache.clear();
  }

  private remember(entity: Entity): void {
    this.cache.delete(entity.id);
    this.cache.set(entity.id, entity);
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  async create(entity: Entity): Promise<void> {
    try {
      this.insertSync(entity, Date.now());
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
        throw new CityError('AlreadyExists', `entity ${entity.id} already exists`);
      throw err;
    }
  }

  async get(id: string): Promise<Entity | undefined> {
    return this.load(id);
  }

  async mergeAttributes(id: string, attrs: Record<string, Attribute>): Promise<Entity> {
    return this.db.transaction(() => {
      const current = this.load(id);
      if (!current) throw new CityError('ResourceNotFound', `entity ${id} not found`);
      const next = { ...current, ...attrs };
      this.storeSync(next, Date.now());
      return next;
    })();
  }

  async delete(id: string): Promise<boolean> {
    this.cache.delete(id);
    return this.remove.run(id).changes > 0;
  }

  async query(query: EntityQuery): Promise<EntityPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.types?.length) {
      where.push(`type IN (${query.types.map(() => '?').join(',')})`);
      params.push(...query.types);
    }
    if (query.ids?.length) {
      where.push(`id IN (${query.ids.map(() => '?').join(',')})`);
      params.push(...query.ids);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    if (!query.q) {
      const rows = this.db
        .prepare<unknown[], Row>(`SELECT doc FROM entities ${clause} ORDER BY id LIMIT ? OFFSET ?`)
        .all(...params, query.limit, query.offset);
      const page: EntityPage = { entities: rows.map((r) => JSON.parse(r.doc) as Entity) };
      if (query.count)
        page.count = (
          this.db.prepare(`SELECT count(*) AS n FROM entities ${clause}`).get(...params) as {
            n: number;
          }
        ).n;
      return page;
    }
    // The q-language is evaluated over the type/id candidates; issue 3 moves it into SQL.
    const entities: Entity[] = [];
    let matched = 0;
    const end = query.offset + query.limit;
    for (const row of this.db
      .prepare<unknown[], Row>(`SELECT doc FROM entities ${clause} ORDER BY id`)
      .iterate(...params)) {
      const entity = JSON.parse(row.doc) as Entity;
      if (!matchesQ(entity, query.q)) continue;
      if (matched >= query.offset && matched < end) entities.push(entity);
      matched++;
      if (!query.count && matched >= end) break;
    }
    return query.count ? { entities, count: matched } : { entities };
  }

  async types(): Promise<string[]> {
    const rows = this.db.prepare('SELECT DISTINCT type FROM entities ORDER BY type').all() as {
      type: string;
    }[];
    return rows.map((r) => r.type);
  }
}
