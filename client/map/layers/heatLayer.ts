import type { IncidentItem } from '#contract/live.ts';

export const HEAT_PERIODS = ['1h', '6h', '24h', '7d'] as const;
export type HeatPeriod = (typeof HEAT_PERIODS)[number];
export const HEAT_PERIOD_MS: Record<HeatPeriod, number> = {
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 24 * 3_600_000,
};

/** Incidents reported within the period ending at `now`. */
export function incidentsInPeriod(
  incidents: Iterable<IncidentItem>,
  period: HeatPeriod,
  now: number,
): IncidentItem[] {
  const from = now - HEAT_PERIOD_MS[period];
  const out: IncidentItem[] = [];
  for (const i of incidents) if (i.ts >= from && i.ts <= now + 60_000) out.push(i);
  return out;
}
