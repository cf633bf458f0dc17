import { z } from 'zod';

/** The JSON error body of every failed HTTP request. */
export const ApiErrorSchema = z.object({
  error: z.object({
    code: z.string().describe('stable code the client shows in its language'),
    message: z.string().describe('English, for logs and integrators'),
    details: z.unknown().optional(),
  }),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

/** One measurement of a component (draft-inadarei-api-health-check `checks` entry). */
export const HealthCheckSchema = z.object({
  componentType: z.enum(['datastore', 'component', 'system']),
  status: z.enum(['pass', 'warn', 'fail']),
  observedValue: z.number().optional(),
  observedUnit: z.string().optional(),
  output: z.string().optional(),
  time: z.string().describe('ISO 8601'),
});

/** `GET /api/health`: the summary existing clients read, and the checks per component. */
export const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  db: z.enum(['ok', 'down']),
  mqtt: z.enum(['ok', 'down']),
  /**
   * the Socket.IO adapter's Redis, where several instances share one (REDIS_URL): `down` leaves the
   * status `ok` (each instance serves its own browsers), with a `warn` check
   */
  redis: z.enum(['ok', 'down']).optional(),
  uptimeS: z.number(),
  checks: z.record(z.string(), z.array(HealthCheckSchema)).optional(),
});
export type Health = z.infer<typeof HealthSchema>;
export type HealthCheck = z.infer<typeof HealthCheckSchema>;

/** `GET /api/health` with `Accept: application/health+json`: the health-check draft's format, today's fields kept. */
export const HealthDraftSchema = HealthSchema.omit({ status: true, checks: true }).extend({
  status: z.enum(['pass', 'warn', 'fail']),
  serviceId: z.string(),
  description: z.string(),
  checks: z.record(z.string(), z.array(HealthCheckSchema)),
});
export type HealthDraft = z.infer<typeof HealthDraftSchema>;

export interface TrafficHistoryPoint {
  /** bucket start, epoch ms */
  t: number;
  avgSpeedKmh: number | null;
  minSpeedKmh: number | null;
  volume: number | null;
  samples: number;
}

export interface TrafficHistory {
  segmentId: string;
  from: number;
  to: number;
  bucket: string;
  source: string;
  points: TrafficHistoryPoint[];
}

export interface RejectEntry {
  time: number;
  topic: string;
  reason: string;
  detail: string;
  payload: string;
}
