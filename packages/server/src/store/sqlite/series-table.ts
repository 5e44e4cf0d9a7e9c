import type { Database, Statement } from 'better-sqlite3';
import { simplify, type Attribute, type SeriesPoint } from '../../core/index.js';
import { observedType } from '../apply-observation.js';
import type { SeriesQuery, SeriesStore } from '../port.js';
import { PARTS, SeriesLog } from './series-log.js';

/**
 * The integer dictionaries of the history's key (entities, attributes, datasetIds). Ids are
 * never deleted nor reused, so several caches of them stay valid side by side.
 */
export class SeriesDictionary {
  private readonly caches = { eid: new Map<string, number>(), aid: new Map<string, number>() };
  private readonly didCache = new Map<string, number>();
  private readonly names = new Map<number, string>();
  private readonly statements: Record<
    'eid' | 'aid' | 'did',
    { select: Statement<[string], { n: number }>; insert: Statement<[string]> }
  >;
  private readonly datasetName: Statement<[number], { id: string }>;

  constructor(db: Database) {
    const pair = (table: string, key: string, column: string) => ({
      select: db.prepare<[string], { n: number }>(
        `SELECT ${key} AS n FROM ${table} WHERE ${column} = ?`,
      ),
      insert: db.prepare<[string]>(`INSERT INTO ${table} (${column}) VALUES (?)`),
    });
    this.statements = {
      eid: pair('series_entities', 'eid', 'id'),
      aid: pair('series_attrs', 'aid', 'name'),
      did: pair('series_datasets', 'did', 'id'),
    };
    this.datasetName = db.prepare('SELECT id FROM series_datasets WHERE did = ?');
  }

  private lookup(
    kind: 'eid' | 'aid' | 'did',
    cache: Map<string, number>,
    name: string,
    create: boolean,
  ): number | undefined {
    let n = cache.get(name);
    if (n !== undefined) return n;
    const { select, insert } = this.statements[kind];
    n = select.get(name)?.n;
    if (n === undefined && create) n = Number(insert.run(name).lastInsertRowid);
    if (n !== undefined) cache.set(name, n);
    return n;
  }

  /** The integer of an entity id; undefined when unknown and not `create`. */
  entity(id: string, create: boolean): number | undefined {
    return this.lookup('eid', this.caches.eid, id, create);
  }

  /** The integer of a canonical attribute name. */
  attribute(name: string, create: boolean): number | undefined {
    return this.lookup('aid', this.caches.aid, name, create);
  }

  /** The integer of a datasetId: 0 for the default instance (no datasetId). */
  dataset(id: string | undefined, create: boolean): number | undefined {
    return id === undefined ? 0 : this.lookup('did', this.didCache, id, create);
  }

  /** The datasetId of an integer (undefined for 0). */
  datasetId(did: number): string | undefined {
    if (did === 0) return undefined;
    let id = this.names.get(did);
    if (id === undefined) {
      id = this.datasetName.get(did)?.id;
      if (id !== undefined) this.names.set(did, id);
    }
    return id;
  }

  /** Forgets cached ids (after a rolled-back transaction may have created some). */
  reset(): void {
    this.caches.eid.clear();
    this.caches.aid.clear();
    this.didCache.clear();
    this.names.clear();
  }
}

interface PointRow {
  t: number;
  num: number | null;
  json: string | null;
}

/** The ingest view of the history: numeric-first points of the default instances. */
export class SeriesTable implements SeriesStore {
  private readonly dict: SeriesDictionary;
  private readonly nextAttr: Statement<[number, number], { aid: number }>;
  private readonly attrName: Statement<[number], { name: string }>;
  private readonly range: Statement<[number, number, number, number], PointRow>;
  private readonly last: Statement<[number, number, number, number, number], PointRow>;
  private readonly count: Statement<[number], { n: number }>;

  constructor(
    db: Database,
    /** Where ingest appends; shared with the store's TemporalTable. */
    readonly log = new SeriesLog(db),
  ) {
    this.dict = new SeriesDictionary(db);
    // Loose index scan: the next attribute of an entity, one primary-key probe each.
    this.nextAttr = db.prepare(
      'SELECT aid FROM series WHERE eid = ? AND aid > ? ORDER BY aid LIMIT 1',
    );
    this.attrName = db.prepare('SELECT name FROM series_attrs WHERE aid = ?');
    this.range = db.prepare(
      `SELECT t, num, json FROM series WHERE eid = ? AND aid = ? AND did = 0 AND t >= ? AND t < ?
       ORDER BY t`,
    );
    this.last = db.prepare(
      `SELECT t, num, json FROM series WHERE eid = ? AND aid = ? AND did = 0 AND t >= ? AND t < ?
       ORDER BY t DESC LIMIT ?`,
    );
    this.count = db.prepare('SELECT count(*) AS n FROM series WHERE eid = ?');
  }

  /**
   * Appends one observed value as the default instance at `t` (its observedAt), a Property or,
   * for a GeoJSON geometry, a GeoProperty (as applyObservation makes it); call inside
   * the ingest transaction. `storedAt` (epoch ms) becomes the instance's createdAt.
   */
  appendSync(
    entityId: string,
    attr: string,
    t: number,
    value: unknown,
    unitCode?: string,
    storedAt?: number,
  ): void {
    const num = typeof value === 'number' ? value : null;
    const json = num === null ? JSON.stringify({ type: observedType(value), value }) : null;
    // A repeated (entity, attribute, time) replaces the point when the log is drained: a
    // resent message is idempotent.
    this.log.append(
      this.dict.entity(entityId, true)!,
      this.dict.attribute(attr, true)!,
      t,
      num,
      json,
      unitCode ?? null,
      storedAt ?? null,
    );
  }

  /** Forgets cached ids (after a rolled-back transaction may have created some). */
  resetCache(): void {
    this.dict.reset();
  }

  /** The log partition of an entity's points; undefined when it has none. */
  partOf(entityId: string): number | undefined {
    const eid = this.dict.entity(entityId, false);
    return eid === undefined ? undefined : eid % PARTS;
  }

  /** Moves an entity's logged points into the history (see SeriesLog). */
  drainEntity(entityId: string): void {
    const eid = this.dict.entity(entityId, false);
    if (eid !== undefined) this.log.drainEntity(eid);
  }

  /** The attribute integers an entity has history for, ascending. */
  private attrsOf(eid: number): { aid: number; name: string }[] {
    const out: { aid: number; name: string }[] = [];
    for (let row = this.nextAttr.get(eid, -1); row; row = this.nextAttr.get(eid, row.aid)) {
      const name = this.attrName.get(row.aid)?.name;
      if (name !== undefined) out.push({ aid: row.aid, name });
    }
    return out;
  }

  async read(query: SeriesQuery): Promise<SeriesPoint[]> {
    const eid = this.dict.entity(query.entityId, false);
    if (eid === undefined) return [];
    this.log.drainEntity(eid);
    const attrs = query.attrs
      ? query.attrs.flatMap((name) => {
          const aid = this.dict.attribute(name, false);
          return aid === undefined ? [] : [{ aid, name }];
        })
      : this.attrsOf(eid);
    attrs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const from = query.from ?? Number.MIN_SAFE_INTEGER;
    const to = query.to ?? Number.MAX_SAFE_INTEGER;
    const points: SeriesPoint[] = [];
    for (const { aid, name } of attrs) {
      const rows = query.lastN
        ? this.last.all(eid, aid, from, to, query.lastN).reverse()
        : this.range.all(eid, aid, from, to);
      for (const r of rows)
        points.push({
          attr: name,
          observedAt: r.t,
          value: r.json === null ? r.num : simplify(JSON.parse(r.json) as Attribute),
        });
    }
    return points;
  }

  async countFor(entityId: string): Promise<number> {
    const eid = this.dict.entity(entityId, false);
    if (eid === undefined) return 0;
    this.log.drainEntity(eid);
    return this.count.get(eid)?.n ?? 0;
  }
}
