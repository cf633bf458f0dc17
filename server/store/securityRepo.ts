// Information security (issue 15, sql/020): SIEM events, the inventory of public systems and their probes,
// and the figures the console's panel and the dashboard's tab read.
import {
  type ProbeError,
  type ProbeView,
  SEVERITY_BANDS,
  type SecurityEventView,
  type SecuritySystemView,
  type SeverityBand,
  type SystemKind,
} from '#contract/securityVocab.ts';
import type { SecurityEventRecord } from '../domain/records.ts';
import type { Db } from './db.ts';

const TS = (n: number) => `to_timestamp($${n}::float8 / 1000)`;
const MS = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;
const LOCAL_DAY = (col: string) => `date_bin(INTERVAL '1 day', ${col}, TIMESTAMPTZ '2000-01-01 00:00:00+07')`;
type Tx = Omit<Db, 'transaction' | 'close'>;

/** Writes SIEM events (inside ingest's transaction); answers those stored as new (the rest were re-sent). */
export async function insertSecurityEvents(
  tx: Tx,
  rows: readonly SecurityEventRecord[],
): Promise<Set<SecurityEventRecord>> {
  const stored = new Set<SecurityEventRecord>();
  for (const r of rows) {
    const res = await tx.query(
      `INSERT INTO security_events (time, level, band, rule_id, description, groups, agent, agent_ip, src_ip,
         blocked, msg_id, via, sender)
       VALUES (${TS(1)}, $2, $3, $4, $5, $6::text[], $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (msg_id) WHERE msg_id IS NOT NULL DO NOTHING
       RETURNING id`,
      [
        r.time,
        r.level,
        r.band,
        r.ruleId,
        r.description,
        r.groups,
        r.agent,
        r.agentIp,
        r.srcIp,
        r.blocked,
        r.msgId,
        r.via,
        r.sender,
      ],
    );
    if (res.rowCount > 0) stored.add(r);
  }
  return stored;
}

interface EventRow {
  id: string | number;
  t: number;
  level: number;
  band: SeverityBand;
  rule_id: string | null;
  description: string;
  groups: string[] | null;
  agent: string;
  agent_ip: string | null;
  src_ip: string | null;
  blocked: boolean;
  system_id: string | null;
}

/** The newest events (at or above `minLevel`), with the inventory's system that names their agent. */
export async function listSecurityEvents(
  db: Db,
  q: { since: number; minLevel?: number; agent?: string; limit: number },
): Promise<SecurityEventView[]> {
  const { rows } = await db.query<EventRow>(
    `SELECT e.id, ${MS('e.time')} AS t, e.level, e.band, e.rule_id, e.description, e.groups, e.agent,
       e.agent_ip, e.src_ip, e.blocked,
       (SELECT s.id FROM security_systems s WHERE s.agent = e.agent ORDER BY s.id LIMIT 1) AS system_id
     FROM security_events e
     WHERE e.time >= ${TS(1)} AND e.level >= $2 ${q.agent ? 'AND e.agent = $4' : ''}
     ORDER BY e.time DESC, e.id DESC LIMIT $3`,
    [q.since, q.minLevel ?? 0, q.limit, ...(q.agent ? [q.agent] : [])],
  );
  return rows.map((r) => ({
    id: String(r.id),
    time: Number(r.t),
    level: r.level,
    band: r.band,
    ruleId: r.rule_id,
    description: r.description,
    groups: r.groups ?? [],
    agent: r.agent,
    agentIp: r.agent_ip,
    systemId: r.system_id,
    srcIp: r.src_ip,
    blocked: r.blocked,
  }));
}

/** The panel's figures over [since, now]: by band, top source addresses, affected systems, open high events. */
export async function securityFigures(
  db: Db,
  q: { since: number; highLevel: number; top: number },
): Promise<{
  byBand: Record<SeverityBand, number>;
  topSources: Array<{ ip: string; events: number; maxLevel: number }>;
  affected: Array<{ agent: string; systemId: string | null; events: number; maxLevel: number; last: number }>;
  openHigh: number;
  latest: number | null;
}> {
  const [bands, sources, affected, open, latest] = await Promise.all([
    db.query<{ band: SeverityBand; n: number }>(
      `SELECT band, count(*)::int AS n FROM security_events WHERE time >= ${TS(1)} GROUP BY band`,
      [q.since],
    ),
    db.query<{ ip: string; events: number; max_level: number }>(
      `SELECT src_ip AS ip, count(*)::int AS events, max(level)::int AS max_level FROM security_events
       WHERE time >= ${TS(1)} AND src_ip IS NOT NULL GROUP BY src_ip ORDER BY 2 DESC, 3 DESC, 1 LIMIT $2`,
      [q.since, q.top],
    ),
    db.query<{ agent: string; system_id: string | null; events: number; max_level: number; last: number }>(
      `SELECT e.agent, (SELECT s.id FROM security_systems s WHERE s.agent = e.agent ORDER BY s.id LIMIT 1) AS system_id,
         count(*)::int AS events, max(e.level)::int AS max_level, max(${MS('e.time')}) AS last
       FROM security_events e WHERE e.time >= ${TS(1)}
       GROUP BY e.agent ORDER BY max(e.level) DESC, 3 DESC, 1 LIMIT $2`,
      [q.since, q.top],
    ),
    // open: a high event after its system's alarm was last acknowledged (or with no alarm acknowledged)
    db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM security_events e
       LEFT JOIN alarms a ON a.key = 'security_event:' || e.agent
       WHERE e.time >= ${TS(1)} AND e.level >= $2 AND (a.acked_at IS NULL OR a.acked_at < e.received_at)`,
      [q.since, q.highLevel],
    ),
    db.query<{ t: number | null }>(`SELECT max(${MS('time')}) AS t FROM security_events`),
  ]);
  const byBand = Object.fromEntries(SEVERITY_BANDS.map((b) => [b, 0])) as Record<SeverityBand, number>;
  for (const r of bands.rows) byBand[r.band] = Number(r.n);
  return {
    byBand,
    topSources: sources.rows.map((r) => ({
      ip: r.ip,
      events: Number(r.events),
      maxLevel: Number(r.max_level),
    })),
    affected: affected.rows.map((r) => ({
      agent: r.agent,
      systemId: r.system_id,
      events: Number(r.events),
      maxLevel: Number(r.max_level),
      last: Number(r.last),
    })),
    openHigh: Number(open.rows[0]?.n ?? 0),
    latest: latest.rows[0]?.t == null ? null : Number(latest.rows[0].t),
  };
}

// ---------------------------------------------------------------------------------------------
// The inventory

export type SystemRecord = Omit<SecuritySystemView, 'probe' | 'downSince'>;

interface SystemRow {
  id: string;
  name_vi: string;
  name_en: string;
  kind: SystemKind;
  url: string;
  agent: string | null;
  simulated: boolean;
  disabled: boolean;
  updated_at: Date | string;
}
const toSystem = (r: SystemRow): SystemRecord => ({
  id: r.id,
  nameVi: r.name_vi,
  nameEn: r.name_en,
  kind: r.kind,
  url: r.url,
  agent: r.agent,
  simulated: r.simulated,
  disabled: r.disabled,
  updatedAt: new Date(r.updated_at).getTime(),
});

export async function listSystems(db: Db): Promise<SystemRecord[]> {
  const { rows } = await db.query<SystemRow>('SELECT * FROM security_systems ORDER BY kind, id');
  return rows.map(toSystem);
}

export async function getSystem(db: Db, id: string): Promise<SystemRecord | undefined> {
  const { rows } = await db.query<SystemRow>('SELECT * FROM security_systems WHERE id = $1', [id]);
  return rows[0] ? toSystem(rows[0]) : undefined;
}

/** Adds a system; throws the database's 23505 when the id is taken. */
export async function insertSystem(
  db: Db,
  s: Omit<SystemRecord, 'updatedAt' | 'disabled'> & { disabled?: boolean },
  by: string | null,
): Promise<SystemRecord> {
  const { rows } = await db.query<SystemRow>(
    `INSERT INTO security_systems (id, name_vi, name_en, kind, url, agent, simulated, disabled, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
    [s.id, s.nameVi, s.nameEn, s.kind, s.url, s.agent, s.simulated, s.disabled ?? false, by],
  );
  return toSystem(rows[0] as SystemRow);
}

/** Changes a system; undefined when there is none. A simulated system edited by an admin stays simulated. */
export async function updateSystem(
  db: Db,
  id: string,
  ch: Partial<Pick<SystemRecord, 'nameVi' | 'nameEn' | 'kind' | 'url' | 'agent' | 'disabled'>>,
  by: string | null,
): Promise<SystemRecord | undefined> {
  const { rows } = await db.query<SystemRow>(
    `UPDATE security_systems SET
       name_vi = COALESCE($2, name_vi), name_en = COALESCE($3, name_en), kind = COALESCE($4, kind),
       url = COALESCE($5, url), agent = CASE WHEN $6::boolean THEN $7 ELSE agent END,
       disabled = COALESCE($8, disabled), updated_at = now(), updated_by = $9
     WHERE id = $1 RETURNING *`,
    [
      id,
      ch.nameVi ?? null,
      ch.nameEn ?? null,
      ch.kind ?? null,
      ch.url ?? null,
      ch.agent !== undefined,
      ch.agent ?? null,
      ch.disabled ?? null,
      by,
    ],
  );
  return rows[0] ? toSystem(rows[0]) : undefined;
}

/**
 * The running simulation's systems: added when missing, their address renewed at each start (an admin's
 * names and `disabled` are kept).
 */
export async function upsertSimulatedSystems(
  db: Db,
  items: ReadonlyArray<Omit<SystemRecord, 'updatedAt' | 'disabled' | 'simulated'>>,
): Promise<void> {
  for (const s of items)
    await db.query(
      `INSERT INTO security_systems (id, name_vi, name_en, kind, url, agent, simulated, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, true, 'simulation')
       ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url WHERE security_systems.simulated`,
      [s.id, s.nameVi, s.nameEn, s.kind, s.url, s.agent],
    );
}

// ---------------------------------------------------------------------------------------------
// Probes

export async function insertProbe(db: Db, systemId: string, p: ProbeView): Promise<void> {
  await db.query(
    `INSERT INTO security_probes (time, system_id, up, status, response_ms, cert_expires_at, error)
     VALUES (${TS(1)}, $2, $3, $4, $5, CASE WHEN $6::float8 IS NULL THEN NULL ELSE ${TS(6)} END, $7)`,
    [p.time, systemId, p.up, p.status, p.responseMs, p.certExpiresAt, p.error],
  );
}

/** Each system's latest probe, and since when it has been down (the first failed probe after its last success). */
export async function latestProbes(
  db: Db,
): Promise<Map<string, { probe: ProbeView; downSince: number | null }>> {
  const { rows } = await db.query<{
    system_id: string;
    t: number;
    up: boolean;
    status: number | null;
    response_ms: number | null;
    cert: number | null;
    error: ProbeError | null;
    down_since: number | null;
  }>(
    `SELECT DISTINCT ON (p.system_id) p.system_id, ${MS('p.time')} AS t, p.up, p.status, p.response_ms,
       ${MS('p.cert_expires_at')} AS cert, p.error,
       CASE WHEN p.up THEN NULL ELSE (
         SELECT ${MS('min(d.time)')} FROM security_probes d WHERE d.system_id = p.system_id AND NOT d.up
           AND d.time > COALESCE((SELECT max(u.time) FROM security_probes u WHERE u.system_id = p.system_id AND u.up),
             '-infinity'::timestamptz)
       ) END AS down_since
     FROM security_probes p ORDER BY p.system_id, p.time DESC`,
  );
  return new Map(
    rows.map((r) => [
      r.system_id,
      {
        probe: {
          time: Number(r.t),
          up: r.up,
          status: r.status,
          responseMs: r.response_ms,
          certExpiresAt: r.cert == null ? null : Number(r.cert),
          error: r.error,
        },
        downSince: r.down_since == null ? null : Number(r.down_since),
      },
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// The dashboard's tab

/** Events per local day and band, availability per system, the mean time to acknowledge the security alarms. */
export async function securityDashboard(
  db: Db,
  p: { from: number; to: number },
): Promise<{
  perDay: Array<{ day: number } & Record<SeverityBand, number>>;
  availability: Array<{
    id: string;
    nameVi: string;
    nameEn: string;
    probes: number;
    up: number;
    share: number | null;
  }>;
  mttrMs: number | null;
  acknowledged: number;
  events: number;
  blocked: number;
}> {
  const [days, avail, mttr, totals] = await Promise.all([
    db.query<{ day: number; band: SeverityBand; n: number }>(
      `SELECT ${MS(LOCAL_DAY('time'))} AS day, band, count(*)::int AS n FROM security_events
       WHERE time >= ${TS(1)} AND time < ${TS(2)} GROUP BY 1, 2 ORDER BY 1`,
      [p.from, p.to],
    ),
    db.query<{ id: string; name_vi: string; name_en: string; probes: number; up: number }>(
      `SELECT s.id, s.name_vi, s.name_en, count(p.system_id)::int AS probes,
         (count(p.system_id) FILTER (WHERE p.up))::int AS up
       FROM security_systems s
       LEFT JOIN security_probes p ON p.system_id = s.id AND p.time >= ${TS(1)} AND p.time < ${TS(2)}
       WHERE NOT s.disabled GROUP BY s.id, s.name_vi, s.name_en
       ORDER BY (count(p.system_id) FILTER (WHERE p.up))::float8 / nullif(count(p.system_id), 0) ASC NULLS LAST, s.id`,
      [p.from, p.to],
    ),
    // each acknowledgement of a security alarm in the period, against the activation it answered
    db.query<{ mean: number | null; n: number }>(
      `SELECT avg(${MS('h.time')} - (
           SELECT ${MS('max(x.time)')} FROM alarm_history x
           WHERE x.alarm_id = h.alarm_id AND x.event = 'activate' AND x.time <= h.time
         ))::float8 AS mean, count(*)::int AS n
       FROM alarm_history h JOIN alarms a ON a.id = h.alarm_id
       WHERE h.event = 'acknowledge' AND a.rule IN ('security_event', 'system_down', 'cert_expiry')
         AND h.time >= ${TS(1)} AND h.time < ${TS(2)}`,
      [p.from, p.to],
    ),
    db.query<{ n: number; blocked: number }>(
      `SELECT count(*)::int AS n, (count(*) FILTER (WHERE blocked))::int AS blocked FROM security_events
       WHERE time >= ${TS(1)} AND time < ${TS(2)}`,
      [p.from, p.to],
    ),
  ]);
  const byDay = new Map<number, { day: number } & Record<SeverityBand, number>>();
  for (const r of days.rows) {
    const day = Number(r.day);
    let row = byDay.get(day);
    if (!row) {
      row = { day, low: 0, medium: 0, high: 0, critical: 0 };
      byDay.set(day, row);
    }
    row[r.band] = Number(r.n);
  }
  return {
    perDay: [...byDay.values()],
    availability: avail.rows.map((r) => ({
      id: r.id,
      nameVi: r.name_vi,
      nameEn: r.name_en,
      probes: Number(r.probes),
      up: Number(r.up),
      share: Number(r.probes) > 0 ? Number(r.up) / Number(r.probes) : null,
    })),
    mttrMs: mttr.rows[0]?.mean == null ? null : Number(mttr.rows[0].mean),
    acknowledged: Number(mttr.rows[0]?.n ?? 0),
    events: Number(totals.rows[0]?.n ?? 0),
    blocked: Number(totals.rows[0]?.blocked ?? 0),
  };
}
