import type { Pool } from 'pg';
import type { Device, DeviceStore } from '../port.js';

interface Row {
  id: string;
  entity_id: string;
  entity_type: string;
  secret_hash: string;
  units: Record<string, string>;
  created_at: string;
}

const toDevice = (r: Row): Device => ({
  id: r.id,
  entityId: r.entity_id,
  entityType: r.entity_type,
  secretHash: r.secret_hash,
  units: r.units,
  createdAt: Number(r.created_at),
});

/** The device registry table. */
export class PgDeviceTable implements DeviceStore {
  constructor(private readonly pool: Pool) {}

  async put(d: Device): Promise<void> {
    await this.pool.query(
      `INSERT INTO devices (id, entity_id, entity_type, secret_hash, units, created_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6)
       ON CONFLICT (id) DO UPDATE SET entity_id = excluded.entity_id,
         entity_type = excluded.entity_type, secret_hash = excluded.secret_hash,
         units = excluded.units, created_at = excluded.created_at`,
      [d.id, d.entityId, d.entityType, d.secretHash, JSON.stringify(d.units), d.createdAt],
    );
  }

  async get(id: string): Promise<Device | undefined> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM devices WHERE id = $1', [id]);
    return rows[0] && toDevice(rows[0]);
  }

  async list(filter: { limit: number; offset: number }): Promise<Device[]> {
    const { rows } = await this.pool.query<Row>(
      'SELECT * FROM devices ORDER BY id LIMIT $1 OFFSET $2',
      [filter.limit, filter.offset],
    );
    return rows.map(toDevice);
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM devices WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }
}
