// The indicator feed's schemas (issue 14, contract v1.5): a value or event on `ioc/kpi/{indicatorId}`,
// a row of `POST /api/ingest/{source}`, and the admin requests. Plain types and constants are in
// indicatorVocab.ts (no zod).
import { z } from 'zod';
import {
  DOSSIER_CHANNELS,
  GOOD_DIRECTIONS,
  INDICATOR_DIMENSIONS,
  INDICATOR_DOMAINS,
  INDICATOR_PERIODS,
  INDICATOR_SCOPES,
  INDICATOR_UNITS,
  INDICATOR_VALUE_KINDS,
  MAX_INGEST_BATCH,
  SENTIMENTS,
} from './indicatorVocab.ts';
import { Timestamp } from './mqtt.ts';
import { text, token } from './text.ts';

/** An indicator, agency or source id: lower-case letters, digits, `_` and `-` (it is an MQTT topic level). */
export const INDICATOR_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const Id = z.string().regex(INDICATOR_ID, 'lower-case letters, digits, - and _, at most 63');
/** A value's `topic` or `source` code (as media monitoring tags it; its name is kept apart, see PutLabelSchema). */
export const BreakdownCode = token(64);

/**
 * A value or event, on `ioc/kpi/{indicatorId}` or as a row of an HTTP batch (which names `indicator`).
 * `ts` (ISO-8601 with offset, or epoch ms) or `period` (`2026-10`, `2026-Q3`, `2026-10-05`: figures only)
 * says when; `value` is a number (events: default 1); `unit`, when given, must be the indicator's.
 * `kind` (v1.6): `actual` (default) or `plan`, the year's target of a monthly or quarterly indicator with
 * `period` a year (`2026`). Unknown extra fields are ignored, as on every topic.
 */
export const IndicatorValueSchema = z.looseObject({
  ts: Timestamp.optional(),
  period: token(40).optional(),
  value: z.number().finite().optional(),
  unit: token(40).optional(),
  ward: token(64).optional(),
  agency: token(64).optional(),
  topic: BreakdownCode.optional(),
  source: BreakdownCode.optional(),
  sentiment: z.enum(SENTIMENTS).optional(),
  channel: z.enum(DOSSIER_CHANNELS).optional(),
  /** the publisher's message id (≤ 64): a value sent twice is stored once */
  id: token(64).optional(),
  /** the indicator: required in an HTTP batch, optional on MQTT (must then match the topic) */
  indicator: token(64).optional(),
  /** `plan`: the year's target (v1.6); default `actual` */
  kind: z.enum(INDICATOR_VALUE_KINDS).optional(),
});
export type IndicatorValuePayload = z.input<typeof IndicatorValueSchema>;

/** `POST /api/ingest/{source}` body: each value is checked on its own, so a bad one never refuses the rest. */
export const IngestBatchSchema = z.object({
  values: z.array(z.unknown()).min(1).max(MAX_INGEST_BATCH),
});

const Thresholds = z
  .object({
    basis: z.enum(['value', 'baseline_ratio']).default('value'),
    warning: z.number().finite().nullable().default(null),
    critical: z.number().finite().nullable().default(null),
  })
  .strict();

const Name = (max: number) => z.string().trim().min(1).pipe(text(max));

/** `POST /api/admin/indicators`: a new catalogue entry. */
export const CreateIndicatorSchema = z
  .object({
    id: Id,
    domain: z.enum(INDICATOR_DOMAINS),
    nameVi: Name(200),
    nameEn: Name(200),
    unit: z.enum(INDICATOR_UNITS),
    period: z.enum(INDICATOR_PERIODS),
    scope: z.enum(INDICATOR_SCOPES),
    goodDirection: z.enum(GOOD_DIRECTIONS),
    dimensions: z.array(z.enum(INDICATOR_DIMENSIONS)).max(INDICATOR_DIMENSIONS.length).default([]),
    min: z.number().finite().nullable().default(null),
    max: z.number().finite().nullable().default(null),
    thresholds: Thresholds.default({ basis: 'value', warning: null, critical: null }),
  })
  .strict();
export type CreateIndicatorRequest = z.input<typeof CreateIndicatorSchema>;

/**
 * `PATCH /api/admin/indicators/{id}`: what may change once values are stored (not its unit, period,
 * scope or breakdowns: make a new indicator for those).
 */
export const UpdateIndicatorSchema = z
  .object({
    nameVi: Name(200).optional(),
    nameEn: Name(200).optional(),
    goodDirection: z.enum(GOOD_DIRECTIONS).optional(),
    min: z.number().finite().nullable().optional(),
    max: z.number().finite().nullable().optional(),
    thresholds: Thresholds.optional(),
    disabled: z.boolean().optional(),
  })
  .strict();
export type UpdateIndicatorRequest = z.input<typeof UpdateIndicatorSchema>;

/** `PUT /api/admin/agencies/{id}`: adds or renames an agency. */
export const PutAgencySchema = z
  .object({ nameVi: Name(200), nameEn: Name(200), disabled: z.boolean().default(false) })
  .strict();

/** `PUT /api/admin/indicator-labels/{dimension}/{code}`: names a topic or source code, or renames it. */
export const PutLabelSchema = z.object({ nameVi: Name(200), nameEn: Name(200) }).strict();

/** `POST /api/admin/indicator-sources`: a system that sends values over HTTP; its API key is answered once. */
export const CreateSourceSchema = z
  .object({
    id: Id,
    name: Name(200),
    indicators: z.array(Id).min(1).max(500),
    ratePerMin: z.number().int().min(1).max(100_000).default(600),
  })
  .strict();
export type CreateSourceRequest = z.input<typeof CreateSourceSchema>;

/** `PATCH /api/admin/indicator-sources/{id}` */
export const UpdateSourceSchema = z
  .object({
    name: Name(200).optional(),
    indicators: z.array(Id).min(1).max(500).optional(),
    ratePerMin: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();
export type UpdateSourceRequest = z.input<typeof UpdateSourceSchema>;
