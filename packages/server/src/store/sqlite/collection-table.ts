import type { Database, Statement } from 'better-sqlite3';
import type { DocumentCollection } from '../port.js';

/** A named collection of JSON documents in the shared `collections` table. */
export class CollectionTable<T> implements DocumentCollection<T> {
  private readonly upsert: Statement<[string, string, string]>;
  private readonly select: Statement<[string, string], { doc: string }>;
  private readonly selectAll: Statement<[string], { id: string; doc: string }>;
  private readonly remove: Statement<[string, string]>;
  private readonly insertNew: Statement<[string, string, string]>;
  private readonly swap: Statement<[{ doc: string; name: string; id: string; expected: string }]>;

  constructor(
    db: Database,
    private readonly name: string,
  ) {
    this.upsert = db.prepare('INSERT OR REPLACE INTO collections (name, id, doc) VALUES (?, ?, ?)');
    this.select = db.prepare('SELECT doc FROM collections WHERE name = ? AND id = ?');
    this.selectAll = db.prepare('SELECT id, doc FROM collections WHERE name = ? ORDER BY id');
    this.remove = db.prepare('DELETE FROM collections WHERE name = ? AND id = ?');
    this.insertNew = db.prepare(
      'INSERT OR IGNORE INTO collections (name, id, doc) VALUES (?, ?, ?)',
    );
    // Documents are compared as text first (this table stores JSON.stringify's text, which a
    // read gives back unchanged: no 50 kB incident parsed twice per alert), then as JSON values
    // (json() normalises other spacing).
    this.swap = db.prepare(
      'UPDATE collections SET doc = @doc WHERE name = @name AND id = @id ' +
        'AND (doc = @expected OR json(doc) = json(@expected))',
    );
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

  async replaceIf(id: string, doc: T, expected: T | undefined): Promise<boolean> {
    const json = JSON.stringify(doc);
    const run =
      expected === undefined
        ? this.insertNew.run(this.name, id, json)
        : this.swap.run({ doc: json, name: this.name, id, expected: JSON.stringify(expected) });
    return run.changes > 0;
  }
}
