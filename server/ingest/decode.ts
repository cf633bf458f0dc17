import type { z } from 'zod';
import { localYear, localYearStart } from '#contract/cityTime.ts';
import { IndicatorValueSchema } from '#contract/indicators.ts';
import {
  COUNT_UNITS,
  INDICATOR_DIMENSIONS,
  type IndicatorDef,
  MAX_AGE_DAYS,
  PLANNED_PERIODS,
  parsePeriod,
  parsePlanYear,
  periodLabel,
  periodStart,
} from '#contract/indicatorVocab.ts';
import {
  CameraEventSchema,
  CameraStatusSchema,
  IncidentReportSchema,
  type ParsedTopic,
  parseTopic,
  TrafficReadingSchema,
} from '#contract/mqtt.ts';
import { SiemEventSchema } from '#contract/security.ts';
import {
  BLOCKED_GROUPS,
  bandTopic,
  SOC_BLOCKED,
  SOC_DETECTED,
  severityBand,
} from '#contract/securityVocab.ts';
import { yearAggregation } from '#contract/servicesApi.ts';
import { UnitPositionSchema } from '#contract/units.ts';
import { MAX_PAYLOAD_BYTES, type RejectReason } from '#contract/vocab.ts';
import { type AssetIndex, inArea } from '../domain/assetIndex.ts';
import type { IndicatorCatalogue } from '../domain/indicatorCatalogue.ts';
import type {
  CameraEventRecord,
  CameraStatusRecord,
  IncidentReportRecord,
  IndicatorRecord,
  SecurityEventRecord,
  TrafficRecord,
  UnitPositionRecord,
} from '../domain/records.ts';

export type Decoded =
  | { ok: true; kind: 'traffic'; record: TrafficRecord }
  | { ok: true; kind: 'camera_status'; record: CameraStatusRecord }
  | { ok: true; kind: 'camera_event'; record: CameraEventRecord; incident?: IncidentReportRecord }
  | { ok: true; kind: 'incident_report'; record: IncidentReportRecord }
  | { ok: true; kind: 'indicator'; record: IndicatorRecord }
  /** a SIEM event and the indicator events it counts into (those of the catalogue, enabled) */
  | { ok: true; kind: 'security_event'; record: SecurityEventRecord; indicators: IndicatorRecord[] }
  | { ok: true; kind: 'unit_position'; record: UnitPositionRecord }
  | { ok: false; reason: RejectReason; detail: string };

/** Camera detections that open an incident, and the category they open it as. */
const CAMERA_INCIDENTS = { accident: 'traffic_accident', fire: 'fire', flood: 'flooding' } as const;
const CAMERA_INCIDENT_MIN_CONFIDENCE = 0.6;

const reject = (reason: RejectReason, detail: string): Decoded => ({ ok: false, reason, detail });

/** The window of `ts` that ingest takes: a bounded clock skew ahead, a bounded age behind. */
export interface TimeWindow {
  /** the server's clock, epoch ms */
  now: number;
  /** how far ahead of `now` a device's clock may be (a reading from the future would pin the live map) */
  aheadMs: number;
  /** how old a message may be (late data within it is stored in its place; live state never goes back) */
  ageMs: number;
}

export const DEFAULT_MAX_AHEAD_MS = 60_000;
export const DEFAULT_MAX_AGE_MS = 30 * 86_400_000;

const iso = (ms: number) =>
  Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);

/** A reject when `ts` is outside the window, else undefined. */
function outsideWindow(ts: number, w: TimeWindow): Decoded | undefined {
  if (ts > w.now + w.aheadMs)
    return reject(
      'future_ts',
      `ts ${iso(ts)} is ${Math.round((ts - w.now) / 1000)} s ahead of the server's clock (at most ${w.aheadMs / 1000} s)`,
    );
  if (ts < w.now - w.ageMs)
    return reject('too_old', `ts ${iso(ts)} is older than ${Math.round(w.ageMs / 86_400_000)} days`);
  return undefined;
}

function describeIssues(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`)
    .join('; ');
}

/**
 * Decodes and validates one MQTT message against the contract, the city's assets (the indicator
 * catalogue for `ioc/kpi/{id}`) and the time window. Pure: the same topic, bytes, assets, catalogue and
 * window give the same answer.
 */
export function decodeMessage(
  topic: string,
  payload: Uint8Array | string,
  assets: AssetIndex,
  window: TimeWindow = { now: Date.now(), aheadMs: DEFAULT_MAX_AHEAD_MS, ageMs: DEFAULT_MAX_AGE_MS },
  catalogue?: IndicatorCatalogue,
): Decoded {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_PAYLOAD_BYTES)
    return reject('oversized', `payload of ${size} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  const t = parseTopic(topic);
  if (!t) return reject('unknown_topic', `topic ${topic} is not part of the contract`);
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch (err) {
    return reject('bad_json', (err as Error).message);
  }
  return decodeParsed(t, json, assets, window, catalogue);
}

/**
 * The same for a message already parsed from JSON (a row of an HTTP batch): the same checks but the size
 * and the JSON syntax, which the HTTP body's own limit and parser answer for.
 */
export function decodeValue(
  topic: string,
  json: unknown,
  assets: AssetIndex,
  window: TimeWindow,
  catalogue?: IndicatorCatalogue,
): Decoded {
  const t = parseTopic(topic);
  if (!t) return reject('unknown_topic', `topic ${topic} is not part of the contract`);
  return decodeParsed(t, json, assets, window, catalogue);
}

function decodeParsed(
  t: ParsedTopic,
  json: unknown,
  assets: AssetIndex,
  window: TimeWindow,
  catalogue: IndicatorCatalogue | undefined,
): Decoded {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return reject(
      'not_object',
      `payload must be a JSON object, got ${Array.isArray(json) ? 'array' : typeof json}`,
    );
  }
  if (t.kind === 'indicator') return decodeIndicator(t.indicatorId, json, catalogue, window);
  if (t.kind === 'security_event') return decodeSecurityEvent(json, catalogue, window);
  const d = decodeObject(t, json, assets);
  return (d.ok && outsideWindow(d.record.time, window)) || d;
}

/**
 * A value or event of indicator `id` (contract v1.4): the catalogue's unit, period, scope, breakdowns and
 * bounds; a figure is dated at its period's local start; ages by period (MAX_AGE_DAYS).
 */
export function decodeIndicator(
  id: string,
  json: object,
  catalogue: IndicatorCatalogue | undefined,
  w: TimeWindow,
): Decoded {
  const def = catalogue?.indicators.get(id);
  if (!def || !catalogue) return reject('unknown_indicator', `indicator ${id} is not in the catalogue`);
  const r = IndicatorValueSchema.safeParse(json);
  if (!r.success) return reject('invalid_payload', describeIssues(r.error));
  const p = r.data;
  if (p.indicator !== undefined && p.indicator !== id)
    return reject('asset_mismatch', `payload names indicator ${p.indicator}, topic names ${id}`);
  if (p.unit !== undefined && p.unit !== def.unit)
    return reject('wrong_unit', `unit ${p.unit} is not the unit of ${id} (${def.unit})`);
  if (p.kind === 'plan') return decodePlan(id, def, p, w);
  const figure = def.period !== 'event';
  // when: `ts` (any time in the period), or `period` for figures
  if (p.ts !== undefined && p.period !== undefined)
    return reject('invalid_payload', 'period: give ts or period, not both');
  let time: number;
  let label: string | undefined;
  if (p.period !== undefined) {
    if (!figure) return reject('invalid_payload', `period: ${id} counts events: give ts`);
    const start = parsePeriod(def.period, p.period);
    if (typeof start !== 'number')
      return reject('invalid_payload', `period: ${def.period} figures take ${start.error}, got ${p.period}`);
    time = start;
    label = periodLabel(def.period, start);
  } else if (p.ts !== undefined) time = periodStart(def.period, p.ts);
  else return reject('invalid_payload', `ts: required (or period, for ${def.period} figures)`);
  const when = label === undefined ? (p.ts as number) : time;
  if (when > w.now + w.aheadMs)
    return label === undefined
      ? reject(
          'future_ts',
          `ts ${iso(when)} is ${Math.round((when - w.now) / 1000)} s ahead of the server's clock (at most ${w.aheadMs / 1000} s)`,
        )
      : reject('future_ts', `the ${def.period} period ${label} has not begun`);
  if (time < w.now - MAX_AGE_DAYS[def.period] * 86_400_000)
    return reject(
      'too_old',
      `${label ?? `ts ${iso(time)}`} is older than ${MAX_AGE_DAYS[def.period]} days (${def.period} figures)`,
    );
  // the value: events count 1 each unless told; figures must give theirs
  const value = p.value ?? (figure ? undefined : 1);
  if (value === undefined) return reject('invalid_payload', 'value: required');
  if (COUNT_UNITS.includes(def.unit) && !(Number.isInteger(value) && value >= 0))
    return reject('invalid_payload', `value: a whole number ≥ 0 for unit ${def.unit}, got ${value}`);
  if (def.min !== null && value < def.min)
    return reject('invalid_payload', `value: at least ${def.min} for ${id}, got ${value}`);
  if (def.max !== null && value > def.max)
    return reject('invalid_payload', `value: at most ${def.max} for ${id}, got ${value}`);
  // where: a ward of the city, an agency of the list, or the province
  if (def.scope === 'province' && (p.ward !== undefined || p.agency !== undefined))
    return reject('invalid_payload', `${p.ward !== undefined ? 'ward' : 'agency'}: ${id} is province-wide`);
  if (def.scope === 'ward' && p.ward === undefined)
    return reject('invalid_payload', `ward: required, ${id} is given per ward`);
  if (def.scope === 'agency' && p.agency === undefined)
    return reject('invalid_payload', `agency: required, ${id} is given per agency`);
  if (def.scope === 'ward' && p.agency !== undefined)
    return reject('invalid_payload', `agency: ${id} is given per ward, not per agency`);
  if (p.ward !== undefined && !catalogue.wards.has(p.ward))
    return reject('unknown_ward', `ward ${p.ward} is not a ward of the city`);
  if (p.agency !== undefined && !catalogue.agencies.has(p.agency))
    return reject('unknown_agency', `agency ${p.agency} is not in the agency list`);
  // breakdowns: exactly the indicator's
  for (const dim of INDICATOR_DIMENSIONS) {
    const has = def.dimensions.includes(dim);
    if (p[dim] === undefined && has) return reject('invalid_payload', `${dim}: required for ${id}`);
    if (p[dim] !== undefined && !has) return reject('invalid_payload', `${dim}: not a breakdown of ${id}`);
  }
  const record: IndicatorRecord = {
    time,
    indicatorId: id,
    value,
    wardId: p.ward ?? null,
    agencyId: p.agency ?? null,
    topic: p.topic ?? null,
    source: p.source ?? null,
    sentiment: p.sentiment ?? null,
    channel: p.channel ?? null,
    figure,
    kind: 'actual',
    dedupeKey: figure
      ? [p.ward, p.agency, p.topic, p.source, p.sentiment, p.channel].map((x) => x ?? '').join('|')
      : (p.id ?? null),
    msgId: p.id ?? null,
    via: 'mqtt',
    sender: null,
  };
  return { ok: true, kind: 'indicator', record };
}

/**
 * A year's plan of indicator `id` (contract v1.6): monthly and quarterly indicators only, `period` a year
 * no later than next year, the province's (no place or breakdown). Flows (yearAggregation `sum`) plan the
 * year's total, which may exceed a month's bound: only their lower bound applies.
 */
function decodePlan(
  id: string,
  def: IndicatorDef,
  p: z.output<typeof IndicatorValueSchema>,
  w: TimeWindow,
): Decoded {
  if (!PLANNED_PERIODS.includes(def.period))
    return reject(
      'invalid_payload',
      `kind: plans are given for monthly and quarterly indicators; ${id} is ${def.period}`,
    );
  if (p.ts !== undefined || p.period === undefined)
    return reject('invalid_payload', 'period: a plan names its year as YYYY (no ts)');
  const year = parsePlanYear(p.period);
  if (typeof year !== 'number')
    return reject('invalid_payload', `period: a plan takes ${year.error}, got ${p.period}`);
  const thisYear = localYear(w.now);
  if (year > thisYear + 1)
    return reject('future_ts', `the plan's year ${year} is after next year (${thisYear + 1})`);
  const start = localYearStart(year);
  // a plan is as old as its year's end
  if (localYearStart(year + 1) < w.now - MAX_AGE_DAYS[def.period] * 86_400_000)
    return reject('too_old', `the plan's year ${year} ended more than ${MAX_AGE_DAYS[def.period]} days ago`);
  for (const f of ['ward', 'agency', ...INDICATOR_DIMENSIONS] as const)
    if (p[f] !== undefined) return reject('invalid_payload', `${f}: a plan is the province's, without ${f}`);
  const value = p.value;
  if (value === undefined) return reject('invalid_payload', "value: required (the year's target)");
  if (COUNT_UNITS.includes(def.unit) && !(Number.isInteger(value) && value >= 0))
    return reject('invalid_payload', `value: a whole number ≥ 0 for unit ${def.unit}, got ${value}`);
  if (def.min !== null && value < def.min)
    return reject('invalid_payload', `value: at least ${def.min} for ${id}, got ${value}`);
  if (yearAggregation(def.unit) === 'last' && def.max !== null && value > def.max)
    return reject('invalid_payload', `value: at most ${def.max} for ${id}, got ${value}`);
  const record: IndicatorRecord = {
    time: start,
    indicatorId: id,
    value,
    wardId: null,
    agencyId: null,
    topic: null,
    source: null,
    sentiment: null,
    channel: null,
    figure: true,
    kind: 'plan',
    dedupeKey: `plan:${year}`,
    msgId: p.id ?? null,
    via: 'mqtt',
    sender: null,
  };
  return { ok: true, kind: 'indicator', record };
}

/**
 * A SIEM event (contract v1.7): Wazuh's alert JSON, in the ingest window; it counts into
 * `soc_attacks_detected` (and `soc_attacks_blocked` for an active response) by band and system, where the
 * catalogue has them enabled.
 */
export function decodeSecurityEvent(
  json: object,
  catalogue: IndicatorCatalogue | undefined,
  w: TimeWindow,
): Decoded {
  const r = SiemEventSchema.safeParse(json);
  if (!r.success) return reject('invalid_payload', describeIssues(r.error));
  const p = r.data;
  const late = outsideWindow(p.timestamp, w);
  if (late) return late;
  const groups = p.rule.groups ?? [];
  const band = severityBand(p.rule.level);
  const record: SecurityEventRecord = {
    time: p.timestamp,
    level: p.rule.level,
    band,
    ruleId: p.rule.id ?? null,
    description: p.rule.description,
    groups,
    agent: p.agent.name,
    agentIp: p.agent.ip ?? null,
    srcIp: p.data?.srcip ?? null,
    blocked: groups.some((g) => BLOCKED_GROUPS.includes(g)),
    msgId: p.id ?? null,
    via: 'mqtt',
    sender: null,
  };
  const ids = record.blocked ? [SOC_DETECTED, SOC_BLOCKED] : [SOC_DETECTED];
  const indicators = ids
    .filter((id) => catalogue?.indicators.has(id))
    .map(
      (id): IndicatorRecord => ({
        time: record.time,
        indicatorId: id,
        value: 1,
        wardId: null,
        agencyId: null,
        topic: bandTopic(band),
        source: record.agent,
        sentiment: null,
        channel: null,
        figure: false,
        kind: 'actual',
        dedupeKey: record.msgId ? `siem:${record.msgId}` : null,
        msgId: record.msgId,
        via: 'mqtt',
        sender: null,
        derived: true,
      }),
    );
  return { ok: true, kind: 'security_event', record, indicators };
}

function decodeObject(
  t: Exclude<ParsedTopic, { kind: 'indicator' } | { kind: 'security_event' }>,
  json: object,
  assets: AssetIndex,
): Decoded {
  switch (t.kind) {
    case 'traffic': {
      const r = TrafficReadingSchema.safeParse(json);
      if (!r.success) return reject('invalid_payload', describeIssues(r.error));
      const p = r.data;
      if (p.segmentId !== undefined && p.segmentId !== t.assetId)
        return reject('asset_mismatch', `payload names segment ${p.segmentId}, topic names ${t.assetId}`);
      if (!assets.segments.has(t.assetId))
        return reject('unknown_asset', `segment ${t.assetId} is not registered`);
      return {
        ok: true,
        kind: 'traffic',
        record: {
          time: p.ts,
          segmentId: t.assetId,
          speedKmh: p.speedKmh,
          volume: p.volume ?? null,
          occupancy: p.occupancy ?? null,
          msgId: p.id ?? null,
        },
      };
    }
    case 'camera_status': {
      const r = CameraStatusSchema.safeParse(json);
      if (!r.success) return reject('invalid_payload', describeIssues(r.error));
      const p = r.data;
      if (p.cameraId !== undefined && p.cameraId !== t.assetId)
        return reject('asset_mismatch', `payload names camera ${p.cameraId}, topic names ${t.assetId}`);
      if (!assets.cameras.has(t.assetId))
        return reject('unknown_asset', `camera ${t.assetId} is not registered`);
      return {
        ok: true,
        kind: 'camera_status',
        record: {
          time: p.ts,
          cameraId: t.assetId,
          online: p.online,
          fps: p.fps ?? null,
          bitrateKbps: p.bitrateKbps ?? null,
          msgId: p.id ?? null,
        },
      };
    }
    case 'camera_event': {
      const r = CameraEventSchema.safeParse(json);
      if (!r.success) return reject('invalid_payload', describeIssues(r.error));
      const p = r.data;
      if (p.cameraId !== undefined && p.cameraId !== t.assetId)
        return reject('asset_mismatch', `payload names camera ${p.cameraId}, topic names ${t.assetId}`);
      const cam = assets.cameras.get(t.assetId);
      if (!cam) return reject('unknown_asset', `camera ${t.assetId} is not registered`);
      const record: CameraEventRecord = {
        time: p.ts,
        cameraId: t.assetId,
        kind: p.kind,
        confidence: p.confidence ?? null,
        count: p.count ?? null,
        snapshotUrl: p.snapshotUrl ?? null,
        msgId: p.id ?? null,
      };
      const category = CAMERA_INCIDENTS[p.kind as keyof typeof CAMERA_INCIDENTS];
      const incident: IncidentReportRecord | undefined =
        category && (p.confidence ?? 1) >= CAMERA_INCIDENT_MIN_CONFIDENCE
          ? {
              time: p.ts,
              category,
              lat: cam.lat,
              lon: cam.lon,
              // no sentence: the console words the detection in the reader's language
              description: null,
              severity: p.kind === 'accident' ? 3 : 4,
              reporter: t.assetId,
              photoUrl: p.snapshotUrl ?? null,
              msgId: p.id ? `cam:${p.id}` : null,
              source: 'camera',
              cameraId: t.assetId,
              detection: { kind: p.kind, confidence: p.confidence ?? null },
            }
          : undefined;
      return { ok: true, kind: 'camera_event', record, incident };
    }
    case 'incident_report': {
      const r = IncidentReportSchema.safeParse(json);
      if (!r.success) return reject('invalid_payload', describeIssues(r.error));
      const p = r.data;
      if (!inArea(assets, p.lon, p.lat))
        return reject('out_of_area', `position ${p.lat},${p.lon} is outside the city`);
      return {
        ok: true,
        kind: 'incident_report',
        record: {
          time: p.ts,
          category: p.category,
          lat: p.lat,
          lon: p.lon,
          description: p.description ?? null,
          severity: p.severity ?? 3,
          reporter: p.reporter ?? null,
          photoUrl: p.photoUrl ?? null,
          msgId: p.id ?? null,
          source: 'mqtt',
        },
      };
    }
    case 'unit_position': {
      const r = UnitPositionSchema.safeParse(json);
      if (!r.success) return reject('invalid_payload', describeIssues(r.error));
      const p = r.data;
      if (p.unitId !== undefined && p.unitId !== t.assetId)
        return reject('asset_mismatch', `payload names unit ${p.unitId}, topic names ${t.assetId}`);
      if (!assets.units.has(t.assetId)) return reject('unknown_asset', `unit ${t.assetId} is not registered`);
      if (!inArea(assets, p.lon, p.lat))
        return reject('out_of_area', `position ${p.lat},${p.lon} is outside the city`);
      return {
        ok: true,
        kind: 'unit_position',
        record: {
          time: p.ts,
          unitId: t.assetId,
          lat: p.lat,
          lon: p.lon,
          accuracyM: p.accuracyM ?? null,
          headingDeg: p.headingDeg ?? null,
          speedKmh: p.speedKmh ?? null,
          msgId: p.id ?? null,
        },
      };
    }
  }
}
