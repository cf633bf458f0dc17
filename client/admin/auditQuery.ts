import type { AuditEntryView } from '#contract/auth.ts';

export const AUDIT_PERIODS = ['1h', '24h', '7d', '30d', 'custom'] as const;
export type AuditPeriod = (typeof AUDIT_PERIODS)[number];
export const AUDIT_LIMITS = [100, 500, 1000] as const;
export type AuditOutcomeFilter = '' | AuditEntryView['outcome'];

/** The audit tab's filters as the form holds them. */
export interface AuditFilters {
  period: AuditPeriod;
  /** `datetime-local` values (the browser's time zone), for `custom` */
  from: string;
  to: string;
  actor: string;
  action: string;
  outcome: AuditOutcomeFilter;
  limit: number;
}

export const DEFAULT_AUDIT_FILTERS: AuditFilters = {
  period: '24h',
  from: '',
  to: '',
  actor: '',
  action: '',
  outcome: '',
  limit: 500,
};

const HOUR = 3_600_000;
const SPAN: Record<Exclude<AuditPeriod, 'custom'>, number> = {
  '1h': HOUR,
  '24h': 24 * HOUR,
  '7d': 7 * 24 * HOUR,
  '30d': 30 * 24 * HOUR,
};

/** The period in ms since epoch; a custom bound left empty is open on that side. */
export function auditRange(f: AuditFilters, now: number): { from?: number; to?: number } {
  if (f.period !== 'custom') return { from: now - SPAN[f.period], to: now };
  const from = f.from ? new Date(f.from).getTime() : undefined;
  const to = f.to ? new Date(f.to).getTime() : undefined;
  return {
    from: from !== undefined && Number.isFinite(from) ? from : undefined,
    to: to !== undefined && Number.isFinite(to) ? to : undefined,
  };
}

/** The query string of `GET /api/admin/audit` for these filters (`csv`: the download). */
export function auditQuery(f: AuditFilters, now: number, csv = false): string {
  const q = new URLSearchParams();
  const { from, to } = auditRange(f, now);
  if (from !== undefined) q.set('from', String(Math.round(from)));
  if (to !== undefined) q.set('to', String(Math.round(to)));
  if (f.actor.trim()) q.set('actor', f.actor.trim());
  if (f.action.trim()) q.set('action', f.action.trim());
  if (f.outcome) q.set('outcome', f.outcome);
  q.set('limit', String(f.limit));
  if (csv) q.set('format', 'csv');
  return q.toString();
}

/** Newest first, whatever order the server answered in. */
export function newestFirst(items: AuditEntryView[]): AuditEntryView[] {
  return [...items].sort((a, b) => b.ts - a.ts || b.id - a.id);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const valueText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * The details of an entry on one line, cut at `max` characters. A change recorded as `before` and
 * `after` (an alarm rule's settings) says only what changed: `threshold: 0.3 → 0.25`.
 */
export function detailsText(d: AuditEntryView['details'], max = 120): string {
  if (!d || Object.keys(d).length === 0) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(d)) {
    if ((k === 'before' || k === 'after') && isRecord(d.before) && isRecord(d.after)) {
      if (k === 'after') continue;
      const before = d.before;
      const after = d.after;
      for (const key of new Set([...Object.keys(before), ...Object.keys(after)]))
        if (valueText(before[key]) !== valueText(after[key]))
          parts.push(`${key}: ${valueText(before[key])} → ${valueText(after[key])}`);
      continue;
    }
    parts.push(`${k}=${valueText(v)}`);
  }
  const s = parts.join(' · ');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
