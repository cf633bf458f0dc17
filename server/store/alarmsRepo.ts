import { type AlarmCondition, type AlarmEvent, applyAlarmEvent } from '#contract/alarmLifecycle.ts';
import {
  ALARM_RULE_DEFAULTS,
  ALARM_RULES,
  type AlarmHistoryEntry,
  type AlarmItem,
  type AlarmPriority,
  type AlarmRefusal,
  type AlarmRuleCode,
  type AlarmRuleConfig,
  type AlarmRuleSetting,
  type AlarmState,
  type AlarmTitleCode,
  type AlarmTitleParams,
  type OutOfService,
  type OutOfServiceView,
} from '#contract/alarms.ts';
import type { CrowdThreshold } from '#contract/hotspots.ts';
import type { Db } from './db.ts';

const MS = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;
const TS = (param: string) => `to_timestamp(${param}::float8 / 1000)`;

// Columns of `alarms a` as AlarmRow; also used on an UPDATE's RETURNING set named `a`.
export const ALARM_COLUMNS = `a.id::text AS id, a.key, a.rule, a.priority::int AS priority, a.state, a.asset_id, a.ward_id,
  a.title_code, a.title_params, a.lat, a.lon, a.latched,
  a.shelved_by, a.shelved_reason, ${MS('a.shelved_at')} AS shelved_at, ${MS('a.shelved_until')} AS shelved_until,
  a.suppressed_by, a.suppressed_reason, ${MS('a.suppressed_at')} AS suppressed_at,
  a.parent_id::text AS parent_id, a.chatter_count, a.activation_count,
  ${MS('a.activated_at')} AS activated_at, ${MS('a.cleared_at')} AS cleared_at, ${MS('a.acked_at')} AS acked_at,
  a.acked_by, ${MS('a.updated_at')} AS updated_at, a.version,
  (SELECT count(*)::int FROM alarms c WHERE c.parent_id = a.id) AS child_count`;

export interface AlarmRow {
  id: string;
  key: string;
  rule: AlarmRuleCode;
  priority: AlarmPriority;
  state: AlarmState;
  asset_id: string | null;
  ward_id: string | null;
  title_code: AlarmTitleCode;
  title_params: AlarmTitleParams | string;
  lat: number | null;
  lon: number | null;
  latched: boolean;
  shelved_by: string | null;
  shelved_reason: string | null;
  shelved_at: number | null;
  shelved_until: number | null;
  suppressed_by: string | null;
  suppressed_reason: string | null;
  suppressed_at: number | null;
  parent_id: string | null;
  chatter_count: number;
  activation_count: number;
  activated_at: number | null;
  cleared_at: number | null;
  acked_at: number | null;
  acked_by: string | null;
  updated_at: number;
  version: number;
  child_count: number;
}

export function toAlarmItem(r: AlarmRow): AlarmItem {
  return {
    id: r.id,
    key: r.key,
    rule: r.rule,
    priority: r.priority,
    state: r.state,
    assetId: r.asset_id,
    wardId: r.ward_id,
    title: {
      code: r.title_code,
      params: typeof r.title_params === 'string' ? JSON.parse(r.title_params) : r.title_params,
    },
    lat: r.lat,
    lon: r.lon,
    latched: r.latched,
    shelved:
      r.shelved_at === null
        ? null
        : {
            by: r.shelved_by ?? '',
            reason: r.shelved_reason ?? '',
            at: r.shelved_at,
            until: r.shelved_until,
          },
    suppressed:
      r.suppressed_at === null
        ? null
        : { by: r.suppressed_by ?? '', reason: r.suppressed_reason ?? '', at: r.suppressed_at },
    parentId: r.parent_id,
    childCount: r.child_count,
    chatterCount: r.chatter_count,
    activationCount: r.activation_count,
    activatedAt: r.activated_at,
    clearedAt: r.cleared_at,
    ackedAt: r.acked_at,
    ackedBy: r.acked_by,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

const conditionOf = (a: AlarmItem): AlarmCondition => ({
  state: a.state,
  latched: a.latched,
  shelved: a.shelved,
  suppressed: a.suppressed,
});

/** Filters of the alarm list; empty ones filter nothing. */
export interface AlarmFilter {
  states?: AlarmState[];
  priorities?: AlarmPriority[];
  rules?: AlarmRuleCode[];
  wardId?: string;
  limit?: number;
}

/** An alarm to raise (a rule's activation, or a flood parent): what the row says about it. */
export interface AlarmRaise {
  key: string;
  rule: AlarmRuleCode;
  priority: AlarmPriority;
  latched: boolean;
  assetId: string | null;
  wardId: string | null;
  titleCode: AlarmTitleCode;
  params: AlarmTitleParams;
  lat: number | null;
  lon: number | null;
}

export type AlarmResult =
  | { ok: true; item: AlarmItem; changed: boolean }
  | { ok: false; code: 'not_found'; message: string }
  | (AlarmRefusal & { ok: false; item: AlarmItem });

export interface ApplyOptions {
  /** a username, or `system` for rules and the clock */
  actor: string;
  note?: string | null;
  /** epoch ms of the event (history, stamps); default now */
  at?: number;
}

/** Attempts at deciding again when another instance changed the alarm between the read and the write. */
const MAX_ATTEMPTS = 5;

/**
 * Alarms, their history, the rules' settings and the assets out of service (sql/012_alarms.sql).
 * The database is the truth between instances: every change is decided by the state machine
 * (contract/alarmLifecycle.ts) on the row as read, and written only if the row is still at that
 * version, with its history row in the same statement.
 */
export class AlarmsRepo {
  constructor(private readonly db: Db | Omit<Db, 'transaction' | 'close'>) {}

  /**
   * Runs `fn` with a repository whose statements share one transaction (the alarm engine's writes of
   * one pass): committed together, and on the embedded database, whose one connection ingest shares,
   * one wait for it instead of one per statement.
   */
  batch<T>(fn: (repo: AlarmsRepo) => Promise<T>): Promise<T> {
    const db = this.db;
    if ('transaction' in db) return db.transaction((tx) => fn(new AlarmsRepo(tx)));
    return fn(this);
  }

  /** Alarms not in `normal` (shelved and suppressed ones included, as flagged), most urgent first. */
  async listOpen(): Promise<AlarmItem[]> {
    const r = await this.db.query<AlarmRow>(
      `SELECT ${ALARM_COLUMNS} FROM alarms a WHERE a.state <> 'normal'
       ORDER BY a.priority, a.activated_at DESC NULLS LAST, a.id DESC`,
    );
    return r.rows.map(toAlarmItem);
  }

  /** The alarm list's query (`GET /api/alarms`): by state (default every open one), priority, rule, ward. */
  async list(f: AlarmFilter = {}): Promise<AlarmItem[]> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = [
      f.states?.length
        ? `a.state IN (SELECT jsonb_array_elements_text(${p(JSON.stringify(f.states))}::jsonb))`
        : "a.state <> 'normal'",
    ];
    if (f.priorities?.length)
      where.push(
        `a.priority IN (SELECT jsonb_array_elements_text(${p(JSON.stringify(f.priorities))}::jsonb)::int)`,
      );
    if (f.rules?.length)
      where.push(`a.rule IN (SELECT jsonb_array_elements_text(${p(JSON.stringify(f.rules))}::jsonb))`);
    if (f.wardId) where.push(`a.ward_id = ${p(f.wardId)}`);
    const limit = Math.max(1, Math.min(10_000, Math.floor(f.limit ?? 1000)));
    const r = await this.db.query<AlarmRow>(
      `SELECT ${ALARM_COLUMNS} FROM alarms a WHERE ${where.join(' AND ')}
       ORDER BY a.priority, a.activated_at DESC NULLS LAST, a.id DESC LIMIT ${limit}`,
      params,
    );
    return r.rows.map(toAlarmItem);
  }

  /**
   * Alarms changed at or after `since` (epoch ms), oldest change first: how an instance follows what
   * the others (and its own engine) wrote. The caller keeps the versions it has seen.
   */
  async changedSince(since: number, limit = 10_000): Promise<AlarmItem[]> {
    const r = await this.db.query<AlarmRow>(
      `SELECT ${ALARM_COLUMNS} FROM alarms a WHERE a.updated_at >= ${TS('$1')}
       ORDER BY a.updated_at, a.id LIMIT ${Math.max(1, Math.floor(limit))}`,
      [since],
    );
    return r.rows.map(toAlarmItem);
  }

  /**
   * Takes or renews the lease `name` for `holder` for `ttlMs` (sql/013): true while this holder has it.
   * One instance at a time runs the alarm rules; another takes over once the lease runs out.
   */
  async lease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const r = await this.db.query(
      `INSERT INTO alarm_engine_lease (name, holder, expires_at)
       VALUES ($1, $2, now() + $3::float8 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE alarm_engine_lease.holder = EXCLUDED.holder OR alarm_engine_lease.expires_at < now()
       RETURNING holder`,
      [name, holder, ttlMs],
    );
    return r.rows.length > 0;
  }

  /** Gives the lease up (a stop), so another instance takes over at once. */
  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db.query('DELETE FROM alarm_engine_lease WHERE name = $1 AND holder = $2', [name, holder]);
  }

  async get(id: string): Promise<AlarmItem | undefined> {
    if (!/^[1-9]\d{0,17}$/.test(id)) return undefined;
    const r = await this.db.query<AlarmRow>(`SELECT ${ALARM_COLUMNS} FROM alarms a WHERE a.id = $1`, [id]);
    return r.rows[0] ? toAlarmItem(r.rows[0]) : undefined;
  }

  async getByKey(key: string): Promise<AlarmItem | undefined> {
    const r = await this.db.query<AlarmRow>(`SELECT ${ALARM_COLUMNS} FROM alarms a WHERE a.key = $1`, [key]);
    return r.rows[0] ? toAlarmItem(r.rows[0]) : undefined;
  }

  /**
   * Activates the alarm behind `raise.key`, creating its row on first use; its title, priority and
   * place follow the latest activation. An alarm of an asset out of service is suppressed as it
   * activates. `chatterCount` is flood control's count.
   */
  async raise(raise: AlarmRaise, opts: ApplyOptions & { chatterCount?: number }): Promise<AlarmResult> {
    const at = opts.at ?? Date.now();
    await this.db.query(
      `INSERT INTO alarms (key, rule, priority, asset_id, ward_id, title_code, title_params, lat, lon, latched,
         created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, ${TS('$11')}, ${TS('$11')})
       ON CONFLICT (key) DO NOTHING`,
      [
        raise.key,
        raise.rule,
        raise.priority,
        raise.assetId,
        raise.wardId,
        raise.titleCode,
        JSON.stringify(raise.params),
        raise.lat,
        raise.lon,
        raise.latched,
        at,
      ],
    );
    const current = await this.getByKey(raise.key);
    if (!current) return { ok: false, code: 'not_found', message: `no alarm ${raise.key}` };
    const r = await this.apply(current.id, { type: 'activate' }, opts, {
      priority: raise.priority,
      latched: raise.latched,
      wardId: raise.wardId,
      titleCode: raise.titleCode,
      params: raise.params,
      lat: raise.lat,
      lon: raise.lon,
      chatterCount: opts.chatterCount,
    });
    if (!r.ok || r.item.suppressed || !raise.assetId) return r;
    const oos = await this.outOfService(raise.assetId, at);
    if (!oos) return r;
    return this.apply(
      r.item.id,
      { type: 'suppress', by: oos.by, reason: oos.reason },
      { ...opts, actor: 'system' },
    );
  }

  /** Clears the alarm behind `key` (a no-op when there is none or it is not active). */
  async clear(key: string, opts: ApplyOptions): Promise<AlarmResult> {
    const current = await this.getByKey(key);
    if (!current) return { ok: false, code: 'not_found', message: `no alarm ${key}` };
    return this.apply(current.id, { type: 'clear' }, opts);
  }

  /**
   * Applies `ev` to alarm `id`: the state machine decides on the row as read; the write happens only
   * if the row is still at that version (so two instances, or two operators, cannot both acknowledge),
   * with its history row in the same statement. When someone else changed it meanwhile, it decides
   * again on what is stored now: the loser of a double acknowledgement is refused with the current state.
   */
  async apply(
    id: string,
    ev: AlarmEvent,
    opts: ApplyOptions,
    meta?: Partial<Omit<AlarmRaise, 'key' | 'rule' | 'assetId'>> & { chatterCount?: number },
  ): Promise<AlarmResult> {
    const at = opts.at ?? Date.now();
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const cur = await this.get(id);
      if (!cur) return { ok: false, code: 'not_found', message: `no alarm ${id}` };
      const step = applyAlarmEvent(conditionOf(cur), ev, at);
      if (!step.ok)
        return {
          ok: false,
          code: 'illegal_transition',
          message: step.message,
          state: cur.state,
          shelved: cur.shelved !== null,
          suppressed: cur.suppressed !== null,
          item: cur,
        };
      if (!step.changed && !meta) return { ok: true, item: cur, changed: false };
      const next = step.next;
      const params: unknown[] = [id, cur.version, at];
      const p = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      const sets = [
        `state = ${p(next.state)}`,
        `latched = ${p(meta?.latched ?? next.latched)}`,
        `shelved_by = ${p(next.shelved?.by ?? null)}`,
        `shelved_reason = ${p(next.shelved?.reason ?? null)}`,
        `shelved_at = ${TS(p(next.shelved?.at ?? null))}`,
        `shelved_until = ${TS(p(next.shelved?.until ?? null))}`,
        `suppressed_by = ${p(next.suppressed?.by ?? null)}`,
        `suppressed_reason = ${p(next.suppressed?.reason ?? null)}`,
        `suppressed_at = ${TS(p(next.suppressed?.at ?? null))}`,
        'version = version + 1',
        `updated_at = ${TS('$3')}`,
      ];
      const becameActive =
        next.state === 'unack_active' && cur.state !== 'unack_active' && ev.type === 'activate';
      if (becameActive) sets.push(`activated_at = ${TS('$3')}`, 'activation_count = activation_count + 1');
      if (ev.type === 'clear' && step.changed) sets.push(`cleared_at = ${TS('$3')}`);
      if (ev.type === 'acknowledge') sets.push(`acked_at = ${TS('$3')}`, `acked_by = ${p(opts.actor)}`);
      // a new activation needs a new acknowledgement
      if (becameActive) sets.push('acked_at = NULL', 'acked_by = NULL');
      if (meta?.priority !== undefined) sets.push(`priority = ${p(meta.priority)}`);
      if (meta?.wardId !== undefined) sets.push(`ward_id = ${p(meta.wardId)}`);
      if (meta?.titleCode !== undefined) sets.push(`title_code = ${p(meta.titleCode)}`);
      if (meta?.params !== undefined) sets.push(`title_params = ${p(JSON.stringify(meta.params))}::jsonb`);
      if (meta?.lat !== undefined) sets.push(`lat = ${p(meta.lat)}`);
      if (meta?.lon !== undefined) sets.push(`lon = ${p(meta.lon)}`);
      if (meta?.chatterCount !== undefined) sets.push(`chatter_count = ${p(meta.chatterCount)}`);
      const history = step.changed
        ? `, h AS (
             INSERT INTO alarm_history (alarm_id, time, event, actor, from_state, to_state, note)
             SELECT id, ${TS('$3')}, ${p(ev.type)}, ${p(opts.actor)}, ${p(cur.state)}, state, ${p(opts.note ?? null)} FROM upd
           )`
        : '';
      const r = await this.db.query<AlarmRow>(
        `WITH upd AS (
           UPDATE alarms SET ${sets.join(', ')} WHERE id = $1 AND version = $2 RETURNING *
         )${history}
         SELECT ${ALARM_COLUMNS} FROM upd a`,
        params,
      );
      if (r.rows[0]) return { ok: true, item: toAlarmItem(r.rows[0]), changed: step.changed };
    }
    throw new Error(`alarm ${id} kept changing under ${MAX_ATTEMPTS} attempts to apply ${ev.type}`);
  }

  /** Makes the alarms behind `keys` children of `parentId` (null: top level again). */
  async setParent(keys: string[], parentId: string | null): Promise<number> {
    if (keys.length === 0) return 0;
    const r = await this.db.query(
      `UPDATE alarms SET parent_id = $2, version = version + 1, updated_at = now()
       WHERE key IN (SELECT jsonb_array_elements_text($1::jsonb)) AND parent_id IS DISTINCT FROM $2::bigint`,
      [JSON.stringify(keys), parentId],
    );
    return r.rowCount;
  }

  /** The children of a flood parent. */
  async children(parentId: string): Promise<AlarmItem[]> {
    const r = await this.db.query<AlarmRow>(
      `SELECT ${ALARM_COLUMNS} FROM alarms a WHERE a.parent_id = $1 ORDER BY a.priority, a.activated_at, a.id`,
      [parentId],
    );
    return r.rows.map(toAlarmItem);
  }

  /** An alarm's transitions, newest first. */
  async history(alarmId: string, limit = 200): Promise<AlarmHistoryEntry[]> {
    return this.historyWhere('alarm_id = $1', [alarmId], limit);
  }

  /** Every transition in [from, to), newest first (the dashboard's alarm system health, the audit). */
  async historyBetween(from: number, to: number, limit = 10_000): Promise<AlarmHistoryEntry[]> {
    return this.historyWhere(`time >= ${TS('$1')} AND time < ${TS('$2')}`, [from, to], limit);
  }

  private async historyWhere(where: string, params: unknown[], limit: number): Promise<AlarmHistoryEntry[]> {
    const r = await this.db.query<{
      id: string;
      alarm_id: string;
      time: number;
      event: AlarmHistoryEntry['event'];
      actor: string;
      from_state: AlarmState;
      to_state: AlarmState;
      note: string | null;
    }>(
      `SELECT id::text AS id, alarm_id::text AS alarm_id, ${MS('time')} AS time, event, actor, from_state, to_state, note
       FROM alarm_history WHERE ${where} ORDER BY time DESC, id DESC LIMIT ${Math.max(1, Math.floor(limit))}`,
      params,
    );
    return r.rows.map((x) => ({
      id: x.id,
      alarmId: x.alarm_id,
      time: x.time,
      event: x.event,
      actor: x.actor,
      from: x.from_state,
      to: x.to_state,
      note: x.note,
    }));
  }

  /** Every rule's settings, in ALARM_RULES order. */
  async listRules(): Promise<AlarmRuleConfig[]> {
    const r = await this.db.query<{
      rule: AlarmRuleCode;
      enabled: boolean;
      priority: AlarmPriority;
      latched: boolean;
      threshold: number | null;
      margin: number | null;
      delay_ms: number;
      clear_delay_ms: number;
    }>(
      'SELECT rule, enabled, priority::int AS priority, latched, threshold, margin, delay_ms, clear_delay_ms FROM alarm_rules',
    );
    const byRule = new Map(r.rows.map((x) => [x.rule, x]));
    return ALARM_RULES.flatMap((rule) => {
      const x = byRule.get(rule);
      if (!x) return [];
      return [
        {
          rule,
          enabled: x.enabled,
          priority: x.priority,
          latched: x.latched,
          threshold: x.threshold,
          margin: x.margin,
          delayMs: x.delay_ms,
          clearDelayMs: x.clear_delay_ms,
        },
      ];
    });
  }

  /** Every rule's settings with who changed them last and when (the admin page), in ALARM_RULES order. */
  async ruleSettings(): Promise<AlarmRuleSetting[]> {
    const r = await this.db.query<{ rule: AlarmRuleCode; updated_at: number; updated_by: string | null }>(
      `SELECT rule, ${MS('updated_at')} AS updated_at, updated_by FROM alarm_rules`,
    );
    const by = new Map(r.rows.map((x) => [x.rule, x]));
    return (await this.listRules()).map((cfg) => ({
      ...cfg,
      updatedAt: by.get(cfg.rule)?.updated_at ?? 0,
      updatedBy: by.get(cfg.rule)?.updated_by ?? null,
    }));
  }

  /** Replaces a rule's settings (validated by AlarmRuleUpdateSchema before); the row as stored. */
  async updateRule(cfg: AlarmRuleConfig, actor: string): Promise<AlarmRuleConfig> {
    const r = await this.db.query(
      `UPDATE alarm_rules SET enabled = $2, priority = $3, latched = $4, threshold = $5, margin = $6,
         delay_ms = $7, clear_delay_ms = $8, updated_at = now(), updated_by = $9
       WHERE rule = $1`,
      [
        cfg.rule,
        cfg.enabled,
        cfg.priority,
        cfg.latched,
        cfg.threshold,
        cfg.margin,
        cfg.delayMs,
        cfg.clearDelayMs,
        actor,
      ],
    );
    if (r.rowCount === 0) throw new Error(`no alarm rule ${cfg.rule}`);
    const stored = (await this.listRules()).find((x) => x.rule === cfg.rule);
    if (!stored) throw new Error(`no alarm rule ${cfg.rule}`);
    return stored;
  }

  /** The cameras' own hotspot thresholds (sql/022), by camera id. */
  async crowdThresholds(): Promise<CrowdThreshold[]> {
    const r = await this.db.query<{
      camera_id: string;
      threshold: number;
      updated_at: number;
      updated_by: string | null;
    }>(
      `SELECT camera_id, threshold, ${MS('updated_at')} AS updated_at, updated_by FROM crowd_thresholds ORDER BY camera_id`,
    );
    return r.rows.map((x) => ({
      cameraId: x.camera_id,
      threshold: x.threshold,
      updatedAt: x.updated_at,
      updatedBy: x.updated_by,
    }));
  }

  /** Sets a camera's own threshold; the row as stored, and the one it replaced. */
  async putCrowdThreshold(
    cameraId: string,
    threshold: number,
    actor: string,
  ): Promise<{ item: CrowdThreshold; before: number | null }> {
    const before = (await this.crowdThresholds()).find((x) => x.cameraId === cameraId)?.threshold ?? null;
    await this.db.query(
      `INSERT INTO crowd_thresholds (camera_id, threshold, updated_at, updated_by) VALUES ($1, $2, now(), $3)
       ON CONFLICT (camera_id) DO UPDATE SET threshold = $2, updated_at = now(), updated_by = $3`,
      [cameraId, threshold, actor],
    );
    const item = (await this.crowdThresholds()).find((x) => x.cameraId === cameraId);
    if (!item) throw new Error(`crowd threshold of ${cameraId} not stored`);
    return { item, before };
  }

  /** Back to the rule's default for this camera; whether it had its own. */
  async deleteCrowdThreshold(cameraId: string): Promise<boolean> {
    const r = await this.db.query('DELETE FROM crowd_thresholds WHERE camera_id = $1', [cameraId]);
    return (r.rowCount ?? 0) > 0;
  }

  /** Back to the shipped defaults. */
  resetRule(rule: AlarmRuleCode, actor: string): Promise<AlarmRuleConfig> {
    return this.updateRule(ALARM_RULE_DEFAULTS[rule], actor);
  }

  /** Assets out of service at `now` (those whose `until` has passed are left out). */
  async listOutOfService(now = Date.now()): Promise<OutOfService[]> {
    const r = await this.db.query<{
      asset_id: string;
      by: string;
      reason: string;
      since: number;
      until: number | null;
    }>(
      `SELECT asset_id, by, reason, ${MS('since')} AS since, ${MS('until')} AS until FROM asset_out_of_service
       WHERE until IS NULL OR until > ${TS('$1')} ORDER BY since, asset_id`,
      [now],
    );
    return r.rows.map((x) => ({
      assetId: x.asset_id,
      by: x.by,
      reason: x.reason,
      since: x.since,
      until: x.until,
    }));
  }

  /**
   * Assets out of service at `now`, each with how many of its alarms are open and suppressed (the
   * admin page: what is held back from the operators, not lost).
   */
  async outOfServiceViews(now = Date.now()): Promise<OutOfServiceView[]> {
    const list = await this.listOutOfService(now);
    if (!list.length) return [];
    const r = await this.db.query<{ asset_id: string; n: number }>(
      `SELECT asset_id, count(*)::int AS n FROM alarms
       WHERE asset_id = ANY($1) AND suppressed_at IS NOT NULL AND state <> 'normal' GROUP BY asset_id`,
      [list.map((o) => o.assetId)],
    );
    const counts = new Map(r.rows.map((x) => [x.asset_id, x.n]));
    return list.map((o) => ({ ...o, suppressedAlarms: counts.get(o.assetId) ?? 0 }));
  }

  async outOfService(assetId: string, now = Date.now()): Promise<OutOfService | undefined> {
    return (await this.listOutOfService(now)).find((o) => o.assetId === assetId);
  }

  /**
   * Puts an asset out of service (or changes why and until when) and suppresses its alarms, each
   * with its history row. Returns the alarms suppressed now.
   */
  async putOutOfService(
    o: { assetId: string; reason: string; until: number | null },
    by: string,
    at = Date.now(),
  ): Promise<{ item: OutOfService; suppressed: AlarmItem[] }> {
    await this.db.query(
      `INSERT INTO asset_out_of_service (asset_id, by, reason, since, until)
       VALUES ($1, $2, $3, ${TS('$4')}, ${TS('$5')})
       ON CONFLICT (asset_id) DO UPDATE SET by = EXCLUDED.by, reason = EXCLUDED.reason, until = EXCLUDED.until`,
      [o.assetId, by, o.reason, at, o.until],
    );
    const item = await this.outOfService(o.assetId, at);
    if (!item) throw new Error(`asset ${o.assetId} is not out of service after being put out of service`);
    const suppressed: AlarmItem[] = [];
    for (const a of await this.alarmsOfAsset(o.assetId)) {
      if (a.suppressed) continue;
      const r = await this.apply(
        a.id,
        { type: 'suppress', by, reason: o.reason },
        { actor: by, at, note: o.reason },
      );
      if (r.ok && r.changed) suppressed.push(r.item);
    }
    return { item, suppressed };
  }

  /** Returns an asset to service: its alarms are no longer suppressed. Returns them. */
  async returnToService(
    assetId: string,
    by: string,
    at = Date.now(),
  ): Promise<{ removed: boolean; unsuppressed: AlarmItem[] }> {
    const r = await this.db.query('DELETE FROM asset_out_of_service WHERE asset_id = $1', [assetId]);
    const unsuppressed: AlarmItem[] = [];
    for (const a of await this.alarmsOfAsset(assetId)) {
      if (!a.suppressed) continue;
      const u = await this.apply(a.id, { type: 'unsuppress' }, { actor: by, at });
      if (u.ok && u.changed) unsuppressed.push(u.item);
    }
    return { removed: r.rowCount > 0, unsuppressed };
  }

  private async alarmsOfAsset(assetId: string): Promise<AlarmItem[]> {
    const r = await this.db.query<AlarmRow>(
      `SELECT ${ALARM_COLUMNS} FROM alarms a WHERE a.asset_id = $1 ORDER BY a.id`,
      [assetId],
    );
    return r.rows.map(toAlarmItem);
  }
}
