import { randomUUID } from 'node:crypto';
import type { UnplacedReport } from '#contract/incidentsApi.ts';
import type { IncidentItem } from '#contract/live.ts';
import type { IncidentCategory } from '#contract/vocab.ts';
import type { Db } from './db.ts';
import { insertIncident, insertPhotoRow, type PhotoRowMeta } from './incidentsRepo.ts';
import type { PhotoStore, PreparedPhoto } from './photoStore.ts';

/** An Open311 report given with an address only, as it comes in. */
export interface UnplacedInput {
  category: IncidentCategory;
  description: string | null;
  address: string | null;
  addressId: string | null;
  reporter: string | null;
  mediaUrl: string | null;
  photo?: PreparedPhoto;
  time: number;
}

interface Row {
  id: string;
  token: string;
  category: string;
  description: string | null;
  address: string | null;
  address_id: string | null;
  reporter: string | null;
  media_url: string | null;
  photo: PhotoRowMeta | null;
  created_ms: number;
  incident_id: string | null;
}

const COLUMNS = `id::text AS id, token::text AS token, category, description, address, address_id, reporter,
  media_url, photo, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms, incident_id::text AS incident_id`;

function toView(r: Row): UnplacedReport {
  return {
    id: r.id,
    token: r.token,
    category: r.category as IncidentCategory,
    description: r.description,
    address: r.address,
    addressId: r.address_id,
    reporter: r.reporter,
    ts: r.created_ms,
    photoId: r.photo?.id ?? null,
  };
}

export type PlaceResult =
  | { ok: true; item: IncidentItem }
  | { ok: false; code: 'not_found' | 'already_placed'; message: string; incidentId?: string };

/**
 * Reports that wait for an operator to place them on the map (sql/024): stored with a token for the
 * Open311 client, listed for the console, made an incident when placed.
 */
export class UnplacedReportsRepo {
  constructor(
    private readonly db: Db,
    private readonly photos?: PhotoStore,
  ) {}

  /** Keeps a report (and saves its photo's files); answers its token. */
  async add(r: UnplacedInput): Promise<{ id: string; token: string }> {
    const token = randomUUID();
    let meta: PhotoRowMeta | null = null;
    if (r.photo) {
      if (!this.photos) throw new Error('UnplacedReportsRepo has no PhotoStore');
      await this.photos.save(r.photo);
      const { image, thumb, ...rest } = r.photo;
      meta = { ...rest, bytes: image.length, thumbBytes: thumb.length };
    }
    try {
      const res = await this.db.query<{ id: string }>(
        `INSERT INTO unplaced_reports (token, category, description, address, address_id, reporter, media_url, photo, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9::float8 / 1000)) RETURNING id::text AS id`,
        [
          token,
          r.category,
          r.description,
          r.address,
          r.addressId,
          r.reporter,
          r.mediaUrl,
          meta ? JSON.stringify(meta) : null,
          r.time,
        ],
      );
      return { id: res.rows[0].id, token };
    } catch (err) {
      if (r.photo) await this.photos?.remove(r.photo.id).catch(() => {});
      throw err;
    }
  }

  /** The incident a token's report became, null while it waits; undefined for an unknown token. */
  async byToken(token: string): Promise<{ incidentId: string | null } | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(token)) return undefined;
    const r = await this.db.query<{ incident_id: string | null }>(
      'SELECT incident_id::text AS incident_id FROM unplaced_reports WHERE token = $1',
      [token.toLowerCase()],
    );
    return r.rows[0] ? { incidentId: r.rows[0].incident_id } : undefined;
  }

  /** The reports still waiting, oldest first. */
  async waiting(limit = 200): Promise<UnplacedReport[]> {
    const r = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM unplaced_reports WHERE incident_id IS NULL ORDER BY created_at, id LIMIT $1`,
      [limit],
    );
    return r.rows.map(toView);
  }

  /** Places a waiting report: its incident (with its photo), at the time it was reported. */
  async place(id: string, lat: number, lon: number, actor: string | null): Promise<PlaceResult> {
    if (!/^\d{1,18}$/.test(id)) return { ok: false, code: 'not_found', message: `no unplaced report ${id}` };
    return this.db.transaction(async (tx) => {
      const r = await tx.query<Row>(`SELECT ${COLUMNS} FROM unplaced_reports WHERE id = $1 FOR UPDATE`, [id]);
      const row = r.rows[0];
      if (!row) return { ok: false, code: 'not_found', message: `no unplaced report ${id}` };
      if (row.incident_id !== null)
        return {
          ok: false,
          code: 'already_placed',
          message: `report ${id} was placed already`,
          incidentId: row.incident_id,
        };
      const item = await insertIncident(
        tx,
        {
          time: row.created_ms,
          category: row.category as IncidentCategory,
          lat,
          lon,
          description: row.description,
          severity: 3,
          reporter: row.reporter,
          photoUrl: row.photo ? `/api/photos/${row.photo.id}` : row.media_url,
          msgId: null,
          source: 'open311',
        },
        { address: row.address },
      );
      if (!item) throw new Error('the incident of an unplaced report was not stored');
      if (row.photo) await insertPhotoRow(tx, item.id, row.photo, row.created_ms);
      await tx.query(
        'UPDATE unplaced_reports SET incident_id = $2, placed_at = now(), placed_by = $3 WHERE id = $1',
        [id, item.id, actor],
      );
      return { ok: true, item };
    });
  }
}
