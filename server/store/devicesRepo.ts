import type { DeviceView } from '#contract/auth.ts';
import type { Db } from './db.ts';

// MQTT devices (table `devices`, sql/009). What a device may do, and its secrets, are
// server/auth/devices.ts's and server/auth/secrets.ts's.

/** A device with its secret's hash: for the broker's checks and the Mosquitto password file, never for the API. */
export interface DeviceRecord {
  device: DeviceView;
  secretHash: string;
}

interface Row {
  id: string;
  name: string;
  username: string;
  secret_hash: string;
  assets: string[] | null;
  may_report: boolean;
  disabled: boolean;
  created_at: Date | string;
}

const COLS = 'id, name, username, secret_hash, assets, may_report, disabled, created_at';

function toRecord(r: Row): DeviceRecord {
  const device: DeviceView = {
    id: r.id,
    name: r.name,
    username: r.username,
    assets: r.assets ?? [],
    mayReport: r.may_report,
    disabled: r.disabled,
    createdAt: new Date(r.created_at).getTime(),
  };
  return { device, secretHash: r.secret_hash };
}

/** Every device, by id. */
export async function listDeviceRecords(db: Db): Promise<DeviceRecord[]> {
  const { rows } = await db.query<Row>(`SELECT ${COLS} FROM devices ORDER BY id`);
  return rows.map(toRecord);
}

export async function deviceRecord(db: Db, id: string): Promise<DeviceRecord | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLS} FROM devices WHERE id = $1`, [id]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/** Adds a device whose MQTT username is its id; a taken id fails with the database's unique violation (23505). */
export async function insertDevice(
  db: Db,
  d: { id: string; name: string; secretHash: string; assets: string[]; mayReport: boolean },
): Promise<DeviceRecord> {
  const { rows } = await db.query<Row>(
    `INSERT INTO devices (id, name, username, secret_hash, assets, may_report)
     VALUES ($1, $2, $1, $3, $4, $5) RETURNING ${COLS}`,
    [d.id, d.name, d.secretHash, d.assets, d.mayReport],
  );
  return toRecord(rows[0] as Row);
}

/** Changes the fields given (undefined: keep); undefined when there is no such device. */
export async function updateDevice(
  db: Db,
  id: string,
  ch: { name?: string; assets?: string[]; mayReport?: boolean; disabled?: boolean; secretHash?: string },
): Promise<DeviceRecord | undefined> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (col: string, v: unknown) => {
    params.push(v);
    sets.push(`${col} = $${params.length}`);
  };
  if (ch.name !== undefined) set('name', ch.name);
  if (ch.assets !== undefined) set('assets', ch.assets);
  if (ch.mayReport !== undefined) set('may_report', ch.mayReport);
  if (ch.disabled !== undefined) set('disabled', ch.disabled);
  if (ch.secretHash !== undefined) set('secret_hash', ch.secretHash);
  sets.push('updated_at = now()');
  const { rows } = await db.query<Row>(
    `UPDATE devices SET ${sets.join(', ')} WHERE id = $1 RETURNING ${COLS}`,
    params,
  );
  return rows[0] ? toRecord(rows[0]) : undefined;
}
