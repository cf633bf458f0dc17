import { mergeRefusal, nextState, STAMPED_COLUMN } from '#contract/incidentLifecycle.ts';
import type {
  IncidentAction,
  IncidentHistoryEntry,
  IncidentListItem,
  MergedReport,
  MyReportView,
  ReportStatus,
} from '#contract/incidentsApi.ts';
import { incidentNumber } from '#contract/incidentsApi.ts';
import type { IncidentItem } from '#contract/live.ts';
import type { IncidentCategory, IncidentState } from '#contract/vocab.ts';
import type { IncidentReportRecord } from '../domain/records.ts';
import type { Db } from './db.ts';
import { INCIDENT_COLUMNS, type IncidentRow, toIncidentItem } from './incidentRows.ts';
import type { PhotoStore, PreparedPhoto } from './photoStore.ts';

export type Tx = Omit<Db, 'transaction' | 'close'>;

const MS = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;

// One statement: the incident and its 'reported' audit event, or nothing when msg_id was stored before.
const INSERT_INCIDENT = `WITH ins AS (
  INSERT INTO incidents (msg_id, source, category, severity, lat, lon, description, reporter, photo_url,
    camera_id, address, created_at, updated_at, detection_kind, detection_confidence)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, to_timestamp($11::float8 / 1000), to_timestamp($11::float8 / 1000),
    $13, $14)
  ON CONFLICT (msg_id) DO NOTHING
  RETURNING *
), ev AS (
  INSERT INTO incident_events (incident_id, time, action, actor, to_status)
  SELECT id, created_at, 'reported', coalesce(reporter, source), status FROM ins
)
SELECT ${INCIDENT_COLUMNS} FROM ins`;

/**
 * Inserts one reported incident with its 'reported' event, whatever its source (MQTT batches, field
 * reports, Open311); undefined when its `msgId` was already stored.
 */
export async function insertIncident(
  tx: Tx,
  r: IncidentReportRecord,
  extra: { address?: string | null } = {},
): Promise<IncidentItem | undefined> {
  const res = await tx.query<IncidentRow>(INSERT_INCIDENT, [
    r.msgId,
    r.source,
    r.category,
    r.severity,
    r.lat,
    r.lon,
    r.description,
    r.reporter,
    r.photoUrl,
    r.cameraId ?? null,
    r.time,
    extra.address ?? null,
    r.detection?.kind ?? null,
    r.detection?.confidence ?? null,
  ]);
  return res.rows[0] ? toIncidentItem(res.rows[0]) : undefined;
}

/** What a photos row holds of a prepared photo (its files are saved apart). */
export type PhotoRowMeta = Omit<PreparedPhoto, 'image' | 'thumb'> & { bytes: number; thumbBytes: number };

/** The photos row of a photo whose files are saved, under its incident. */
export async function insertPhotoRow(
  tx: Tx,
  incidentId: string,
  p: PreparedPhoto | PhotoRowMeta,
  time: number,
): Promise<void> {
  const bytes = 'image' in p ? p.image.length : p.bytes;
  const thumbBytes = 'thumb' in p ? p.thumb.length : p.thumbBytes;
  await tx.query(
    `INSERT INTO photos (id, incident_id, content_type, bytes, width, height, thumb_bytes, original_type, original_bytes, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp($10::float8 / 1000))`,
    [
      p.id,
      incidentId,
      p.contentType,
      bytes,
      p.width,
      p.height,
      thumbBytes,
      p.originalType,
      p.originalBytes,
      time,
    ],
  );
}

export interface IncidentFilter {
  /** 'open' = not closed */
  status?: 'open' | 'all' | IncidentState;
  /** several states (Open311 `status=open,closed` is mapped to these by the caller) */
  states?: IncidentState[];
  categories?: IncidentCategory[];
  ids?: string[];
  /** created_at range, epoch ms */
  from?: number;
  to?: number;
  limit: number;
  /** 'rank': severity desc, oldest first (the operators' queue); 'newest': newest first */
  order: 'rank' | 'newest';
}

/** An incident with the fields the detail view and Open311 show beyond the live item. */
export interface IncidentRecord extends IncidentListItem {
  mergedInto?: string;
  address?: string;
  /** the first uploaded photo's id, if any */
  firstPhotoId?: string;
  /** the note of the latest audit event that has one */
  lastNote?: string;
}

interface FullRow extends IncidentRow {
  merged_into: string | null;
  address: string | null;
  first_photo: string | null;
  last_note: string | null;
}

const FULL_COLUMNS = `${INCIDENT_COLUMNS}, merged_into::text AS merged_into, address,
  (SELECT p.id::text FROM photos p WHERE p.incident_id = incidents.id ORDER BY p.created_at, p.id LIMIT 1) AS first_photo,
  (SELECT e.note FROM incident_events e WHERE e.incident_id = incidents.id AND e.note IS NOT NULL
     ORDER BY e.time DESC, e.id DESC LIMIT 1) AS last_note`;

function toRecord(r: FullRow): IncidentRecord {
  const rec: IncidentRecord = { ...toIncidentItem(r), number: incidentNumber(r.id) };
  if (r.merged_into !== null) rec.mergedInto = r.merged_into;
  if (r.address !== null) rec.address = r.address;
  if (r.first_photo !== null) rec.firstPhotoId = r.first_photo;
  if (r.last_note !== null) rec.lastNote = r.last_note;
  return rec;
}

/** The live item of a record (what the socket layer and lists carry) plus its number. */
export function toListItem(r: IncidentRecord): IncidentListItem {
  const { mergedInto: _m, address: _a, firstPhotoId: _p, lastNote: _n, ...item } = r;
  return item;
}

export interface PhotoMeta {
  id: string;
  incidentId: string;
  contentType: string;
  bytes: number;
  thumbBytes: number;
  width: number;
  height: number;
}

export type ActionResult =
  | { ok: true; item: IncidentItem }
  | {
      ok: false;
      code: 'not_found' | 'illegal_transition' | 'conflict';
      message: string;
      status?: IncidentState;
    };

export type MergeResult =
  | { ok: true; target: IncidentItem; merged: IncidentItem[] }
  | {
      ok: false;
      code: 'not_found' | 'merge_refused';
      message: string;
      details?: Array<{ id: string; message: string }>;
    };

/** A valid incident id (bigint as text); anything else names no incident. */
export const isIncidentId = (id: string): boolean => /^[1-9]\d{0,17}$/.test(id);

/** Reading and changing incidents: reports, lifecycle, merge, the audit trail, photos. */
export class IncidentsRepo {
  constructor(
    private readonly db: Db,
    private readonly photos?: PhotoStore,
  ) {}

  /**
   * Stores a reported incident and its photos in one transaction. A `msgId` seen before creates
   * nothing (even when two requests race): the stored incident is answered with `created: false`.
   */
  async createIncident(
    r: IncidentReportRecord,
    opts: { address?: string | null; photos?: PreparedPhoto[]; ownerUserId?: string } = {},
  ): Promise<{ item: IncidentItem; created: boolean; photoIds: string[] }> {
    const photos = opts.photos ?? [];
    if (photos.length > 0 && !this.photos) throw new Error('IncidentsRepo has no PhotoStore');
    const written: string[] = [];
    try {
      const out = await this.db.transaction(async (tx) => {
        const item = await insertIncident(tx, r, opts);
        if (!item) return undefined;
        if (opts.ownerUserId)
          await tx.query('UPDATE incidents SET owner_user_id = $2 WHERE id = $1', [
            item.id,
            opts.ownerUserId,
          ]);
        for (const p of photos) {
          await this.photos!.save(p);
          written.push(p.id);
          await insertPhotoRow(tx, item.id, p, r.time);
        }
        return { item, created: true, photoIds: photos.map((p) => p.id) };
      });
      if (out) return out;
    } catch (err) {
      for (const id of written) await this.photos?.remove(id).catch(() => {});
      throw err;
    }
    // stored before: answer what is stored
    const existing = r.msgId ? await this.findByClientId(r.msgId) : undefined;
    if (!existing) throw new Error('incident insert returned nothing and none is stored under its id');
    return { item: existing, created: false, photoIds: await this.photoIdsOf(existing.id) };
  }

  /** The account that sent this report (field reports), if any. */
  async ownerOf(incidentId: string): Promise<string | null> {
    const r = await this.db.query<{ owner: string | null }>(
      'SELECT owner_user_id::text AS owner FROM incidents WHERE id = $1',
      [incidentId],
    );
    return r.rows[0]?.owner ?? null;
  }

  async findByClientId(clientId: string): Promise<IncidentItem | undefined> {
    const r = await this.db.query<IncidentRow>(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE msg_id = $1`,
      [clientId],
    );
    return r.rows[0] ? toIncidentItem(r.rows[0]) : undefined;
  }

  async photoIdsOf(incidentId: string): Promise<string[]> {
    const r = await this.db.query<{ id: string }>(
      'SELECT id::text AS id FROM photos WHERE incident_id = $1 ORDER BY created_at, id',
      [incidentId],
    );
    return r.rows.map((x) => x.id);
  }

  /**
   * Field reports as their reporter sees them ("my reports", v1.6): an account's own (`ownerUserId`,
   * newest first) or the ones named (`incidentIds`, for the live push, each with its owner); with the
   * operators' steps and notes, oldest first. Only reports with an owner are answered.
   */
  async reportViews(f: {
    ownerUserId?: string;
    incidentIds?: string[];
    limit: number;
  }): Promise<Array<MyReportView & { ownerUserId: string }>> {
    if (!f.ownerUserId && !f.incidentIds?.length) return [];
    const r = await this.db.query<{
      id: string;
      msg_id: string | null;
      owner: string;
      category: IncidentCategory;
      severity: number;
      status: IncidentState;
      created_at: number;
      updated_at: number;
      description: string | null;
      merged_into: string | null;
      updates:
        | Array<{ time: number; action: string; to_status: IncidentState | null; note: string | null }>
        | string
        | null;
    }>(
      `SELECT i.id::text AS id, i.msg_id, i.owner_user_id::text AS owner, i.category, i.severity::int AS severity,
         i.status, ${MS('i.created_at')} AS created_at, ${MS('i.updated_at')} AS updated_at, i.description,
         i.merged_into::text AS merged_into,
         (SELECT json_agg(json_build_object('time', ${MS('e.time')}, 'action', e.action,
                   'to_status', CASE WHEN e.to_status IS DISTINCT FROM e.from_status THEN e.to_status END,
                   'note', e.note) ORDER BY e.time, e.id)
            FROM incident_events e
           WHERE e.incident_id = i.id AND e.action NOT IN ('reported', 'merge')) AS updates
       FROM incidents i
       WHERE i.owner_user_id IS NOT NULL
         AND ($1::uuid IS NULL OR i.owner_user_id = $1::uuid)
         AND ($2::text IS NULL OR i.id = ANY(string_to_array($2::text, ',')::bigint[]))
       ORDER BY i.created_at DESC, i.id DESC LIMIT $3`,
      [f.ownerUserId ?? null, f.incidentIds?.length ? f.incidentIds.join(',') : null, f.limit],
    );
    return r.rows.map((x) => {
      const ups = (typeof x.updates === 'string' ? JSON.parse(x.updates) : (x.updates ?? [])) as Array<{
        time: number;
        action: string;
        to_status: IncidentState | null;
        note: string | null;
      }>;
      const v: MyReportView & { ownerUserId: string } = {
        clientId: x.msg_id ?? x.id,
        id: x.id,
        number: incidentNumber(x.id),
        status: x.status,
        updatedAt: x.updated_at,
        category: x.category,
        severity: x.severity,
        createdAt: x.created_at,
        description: x.description,
        updates: ups.map((u) => ({ time: u.time, action: u.action, toStatus: u.to_status, note: u.note })),
        ownerUserId: x.owner,
      };
      if (x.merged_into) v.mergedInto = { id: x.merged_into, number: incidentNumber(x.merged_into) };
      return v;
    });
  }

  /** An operator's note without a step (v1.6): kept in the history, the incident's `updatedAt` moved. */
  async addNote(id: string, opts: { actor: string; note: string }): Promise<IncidentItem | undefined> {
    const r = await this.db.query<IncidentRow>(
      `WITH upd AS (
         UPDATE incidents SET updated_at = now() WHERE id = $1 RETURNING *
       ), ev AS (
         INSERT INTO incident_events (incident_id, time, action, actor, from_status, to_status, note)
         SELECT id, updated_at, 'note', $2, status, status, $3 FROM upd
       )
       SELECT ${INCIDENT_COLUMNS} FROM upd`,
      [id, opts.actor, opts.note],
    );
    return r.rows[0] ? toIncidentItem(r.rows[0]) : undefined;
  }

  /** Status of the reports a phone made, by the ids it made; unknown ids are left out. */
  /** Status of reports by the phone's ids; with `ownerUserId`, only that account's reports. */
  async statusByClientIds(clientIds: string[], ownerUserId?: string): Promise<ReportStatus[]> {
    if (clientIds.length === 0) return [];
    const r = await this.db.query<{
      msg_id: string;
      id: string;
      status: IncidentState;
      updated_at: number;
      merged_into: string | null;
    }>(
      `SELECT msg_id, id::text AS id, status, ${MS('updated_at')} AS updated_at, merged_into::text AS merged_into
       FROM incidents WHERE msg_id = ANY(string_to_array($1, ','))
         AND ($2::uuid IS NULL OR owner_user_id = $2::uuid)`,
      [clientIds.join(','), ownerUserId ?? null],
    );
    const byId = new Map(r.rows.map((x) => [x.msg_id, x]));
    return clientIds.flatMap((c) => {
      const x = byId.get(c);
      if (!x) return [];
      const s: ReportStatus = {
        clientId: c,
        id: x.id,
        number: incidentNumber(x.id),
        status: x.status,
        updatedAt: x.updated_at,
      };
      if (x.merged_into) s.mergedInto = { id: x.merged_into, number: incidentNumber(x.merged_into) };
      return [s];
    });
  }

  /** Incidents matching a filter. */
  async list(f: IncidentFilter): Promise<IncidentRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (f.status === 'open') where.push(`status <> 'closed'`);
    else if (f.status && f.status !== 'all') where.push(`status = ${p(f.status)}`);
    if (f.states?.length) where.push(`status = ANY(string_to_array(${p(f.states.join(','))}, ','))`);
    if (f.categories?.length)
      where.push(`category = ANY(string_to_array(${p(f.categories.join(','))}, ','))`);
    if (f.ids) where.push(`id = ANY(string_to_array(${p(f.ids.join(',') || '0')}, ',')::bigint[])`);
    if (f.from !== undefined) where.push(`created_at >= to_timestamp(${p(f.from)}::float8 / 1000)`);
    if (f.to !== undefined) where.push(`created_at <= to_timestamp(${p(f.to)}::float8 / 1000)`);
    const order = f.order === 'rank' ? 'severity DESC, created_at, id' : 'created_at DESC, id DESC';
    const r = await this.db.query<FullRow>(
      `SELECT ${FULL_COLUMNS} FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY ${order} LIMIT ${p(f.limit)}`,
      params,
    );
    return r.rows.map(toRecord);
  }

  async get(id: string): Promise<IncidentRecord | undefined> {
    if (!isIncidentId(id)) return undefined;
    const r = await this.db.query<FullRow>(`SELECT ${FULL_COLUMNS} FROM incidents WHERE id = $1`, [id]);
    return r.rows[0] ? toRecord(r.rows[0]) : undefined;
  }

  /** The audit trail of one incident, oldest first. */
  async history(id: string): Promise<IncidentHistoryEntry[]> {
    const r = await this.db.query<{
      time: number;
      action: string;
      actor: string | null;
      from_status: IncidentState | null;
      to_status: IncidentState | null;
      note: string | null;
      ref: string | null;
      assignee: string | null;
    }>(
      `SELECT ${MS('time')} AS time, action, actor, from_status, to_status, note, ref_incident_id::text AS ref,
              assignee
       FROM incident_events WHERE incident_id = $1 ORDER BY time, id`,
      [id],
    );
    return r.rows.map((e) => {
      const h: IncidentHistoryEntry = {
        time: e.time,
        action: e.action,
        actor: e.actor,
        fromStatus: e.from_status,
        toStatus: e.to_status,
        note: e.note,
      };
      if (e.ref) h.ref = { id: e.ref, number: incidentNumber(e.ref) };
      if (e.assignee) h.assignee = e.assignee;
      return h;
    });
  }

  /** The incidents merged into `id`, directly or through another merged one, oldest first, with their photo ids. */
  async mergedReports(id: string): Promise<Array<Omit<MergedReport, 'photos'> & { photoIds: string[] }>> {
    const r = await this.db.query<IncidentRow & { photo_ids: string | null }>(
      `WITH RECURSIVE m AS (
         SELECT id FROM incidents WHERE merged_into = $1
         UNION SELECT i.id FROM incidents i JOIN m ON i.merged_into = m.id
       )
       SELECT ${INCIDENT_COLUMNS},
         (SELECT string_agg(p.id::text, ',' ORDER BY p.created_at, p.id) FROM photos p WHERE p.incident_id = incidents.id) AS photo_ids
       FROM incidents WHERE id IN (SELECT id FROM m) ORDER BY created_at, id`,
      [id],
    );
    return r.rows.map((row) => {
      const it = toIncidentItem(row);
      const rep: Omit<MergedReport, 'photos'> & { photoIds: string[] } = {
        id: it.id,
        number: incidentNumber(it.id),
        ts: it.ts,
        category: it.category,
        severity: it.severity,
        lat: it.lat,
        lon: it.lon,
        source: it.source,
        photoIds: row.photo_ids ? row.photo_ids.split(',') : [],
      };
      if (it.description !== undefined) rep.description = it.description;
      if (it.reporter !== undefined) rep.reporter = it.reporter;
      return rep;
    });
  }

  async photoMeta(photoId: string): Promise<PhotoMeta | undefined> {
    const r = await this.db.query<{
      id: string;
      incident_id: string;
      content_type: string;
      bytes: number;
      thumb_bytes: number;
      width: number;
      height: number;
    }>(
      `SELECT id::text AS id, incident_id::text AS incident_id, content_type, bytes, thumb_bytes, width, height
       FROM photos WHERE id = $1::uuid`,
      [photoId],
    );
    const x = r.rows[0];
    return x
      ? {
          id: x.id,
          incidentId: x.incident_id,
          contentType: x.content_type,
          bytes: x.bytes,
          thumbBytes: x.thumb_bytes,
          width: x.width,
          height: x.height,
        }
      : undefined;
  }

  /**
   * Applies a lifecycle step with optimistic concurrency: the row changes only if it is still in the
   * state the rule was checked against, so of two operators racing one wins and one gets `conflict`.
   */
  async applyAction(
    id: string,
    action: IncidentAction,
    opts: {
      actor: string;
      note?: string | null;
      assignee?: string | null /** when it happened (history); default now */;
      at?: number;
    },
  ): Promise<ActionResult> {
    const current = await this.get(id);
    if (!current) return { ok: false, code: 'not_found', message: `no incident ${id}` };
    const t = nextState(current.status, action);
    if (!t.ok) return { ok: false, code: 'illegal_transition', message: t.message, status: current.status };
    const stamp = STAMPED_COLUMN[action];
    const sets = [
      'status = $3',
      'updated_at = coalesce($8::timestamptz, now())',
      ...(stamp ? [`${stamp} = coalesce($8::timestamptz, now())`] : []),
      'assignee = coalesce($4::text, assignee)',
      // a reopened incident is open again, and no longer part of the one it was merged into
      ...(action === 'reopen' ? ['resolved_at = NULL', 'closed_at = NULL', 'merged_into = NULL'] : []),
    ];
    const r = await this.db.query<IncidentRow>(
      `WITH upd AS (
         UPDATE incidents SET ${sets.join(', ')} WHERE id = $1 AND status = $2 RETURNING *
       ), ev AS (
         INSERT INTO incident_events (incident_id, time, action, actor, from_status, to_status, note, assignee)
         SELECT id, updated_at, $5, $6, $2, status, $7, $4::text FROM upd
       )
       SELECT ${INCIDENT_COLUMNS} FROM upd`,
      [
        id,
        current.status,
        t.to,
        opts.assignee ?? null,
        action,
        opts.actor,
        opts.note ?? null,
        opts.at ? new Date(opts.at) : null,
      ],
    );
    if (r.rows[0]) return { ok: true, item: toIncidentItem(r.rows[0]) };
    const now = await this.get(id);
    return {
      ok: false,
      code: 'conflict',
      message: `the incident was changed by someone else meanwhile (it is now ${now?.status ?? 'gone'}); reload it and try again`,
      status: now?.status,
    };
  }

  /**
   * Merges incidents reporting the same event into `targetId`: each is closed with action 'merged'
   * pointing to the target, and the target records a 'merge' event per incident. All or none.
   */
  async merge(
    targetId: string,
    ids: string[],
    opts: { actor: string; note?: string | null },
  ): Promise<MergeResult> {
    const all = [targetId, ...ids];
    const bad = all.filter((x) => !isIncidentId(x));
    if (bad.length) return { ok: false, code: 'not_found', message: `no incident ${bad.join(', ')}` };
    return this.db.transaction(async (tx): Promise<MergeResult> => {
      // locked in id order, so two merges over the same incidents cannot deadlock
      const rows = await tx.query<IncidentRow>(
        `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = ANY(string_to_array($1, ',')::bigint[]) ORDER BY id FOR UPDATE`,
        [all.join(',')],
      );
      const byId = new Map(rows.rows.map((x) => [x.id, toIncidentItem(x)]));
      const missing = all.filter((x) => !byId.has(x));
      if (missing.length)
        return { ok: false, code: 'not_found', message: `no incident ${missing.join(', ')}` };
      const target = byId.get(targetId)!;
      if (target.status === 'closed')
        return {
          ok: false,
          code: 'merge_refused',
          message: `incident ${targetId} is closed: reopen it before merging others into it`,
        };
      const refusals = ids.flatMap((x) => {
        const m = mergeRefusal(target, byId.get(x)!);
        return m ? [{ id: x, message: m }] : [];
      });
      if (refusals.length)
        return {
          ok: false,
          code: 'merge_refused',
          message: `cannot merge: ${refusals.map((x) => x.message).join('; ')}`,
          details: refusals,
        };
      const merged: IncidentItem[] = [];
      for (const x of ids) {
        const from = byId.get(x)!.status;
        const r = await tx.query<IncidentRow>(
          `WITH upd AS (
             UPDATE incidents SET status = 'closed', closed_at = now(), updated_at = now(), merged_into = $2
             WHERE id = $1 RETURNING *
           ), ev AS (
             INSERT INTO incident_events (incident_id, time, action, actor, from_status, to_status, note, ref_incident_id)
             SELECT id, updated_at, 'merged', $3, $4, 'closed', $5, $2 FROM upd
           )
           SELECT ${INCIDENT_COLUMNS} FROM upd`,
          // without the operator's note, no sentence: the event's action and ref say it, the console words it
          [x, targetId, opts.actor, from, opts.note ?? null],
        );
        merged.push(toIncidentItem(r.rows[0]));
        await tx.query(
          `INSERT INTO incident_events (incident_id, time, action, actor, from_status, to_status, note, ref_incident_id)
           VALUES ($1, now(), 'merge', $2, $3, $3, $4, $5)`,
          [targetId, opts.actor, target.status, opts.note ?? null, x],
        );
      }
      const t = await tx.query<IncidentRow>(
        `UPDATE incidents SET updated_at = now() WHERE id = $1 RETURNING ${INCIDENT_COLUMNS}`,
        [targetId],
      );
      return { ok: true, target: toIncidentItem(t.rows[0]), merged };
    });
  }
}
