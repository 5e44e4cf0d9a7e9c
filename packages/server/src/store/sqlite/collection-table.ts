import type { Database, Statement } from 'better-sqlite3';
import type { DocumentCollection } from '../port.js';

/** A named collection of JSON documents in the shared `collections` table. */
export class CollectionTable<T> implements DocumentCollection<T> {
  private readonly upsert: Statement<[string, string, string]>;
  private readonly select: Statement<[string, string], { doc: string }>;
  private readonly selectAll: Statement<[string], { id: string; doc: string }>;
  private readonly remove: Statement<[string, string]>;

  constructor(
    db: Database,
    private readonly name: string,
  ) {
    this.upsert = db.prepare('INSERT OR REPLACE INTO collections (name, id, doc) VALUES (?, ?, ?)');
    this.select = db.prepare('SELECT doc FROM collections WHERE name = ? AND id = ?');
    this.selectAll = db.prepare('SELECT id, doc FROM collections WHERE name = ? ORDER BY id');
    this.remove = db.prepare('DELETE FROM collections WHERE name = ? AND id = ?');
  }

  async put(id: string, doc: T): Promise<void> {
    this.upsert.run(this.name, id, JSON.stringify(doc));
  }

  async get(id: string): Promise<T | undefined> {
    const row = this.select.get(this.name, id);
    return row && (JSON.parse(row.doc) as T);
  }

  async list(): Promise<{ id: string; doc: T }[]> {
    return this.selectAll.all(this.name).map((r) => ({ id: r.id, doc: JSON.parse(r.doc) as T }));
  }

  async delete(id: string): Promise<boolean> {
    return this.remove.run(this.name, id).changes > 0;
  }
}
