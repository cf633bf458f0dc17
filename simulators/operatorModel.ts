import type { DeskStep } from '#contract/simulation.ts';
import type { IncidentCategory } from '#contract/vocab.ts';
import { rngFor } from './rng.ts';

/** One step a (simulated) operator takes on an incident: the desk's step of the simulation contract. */
export type OperatorStep = DeskStep;

const MIN = 60_000;
const OPERATORS = [
  'Trực ban Nguyễn Thị Lan',
  'Trực ban Trần Văn Hùng',
  'Trực ban Lê Minh Tuấn',
  'Trực ban Phạm Thu Hà',
];
const TEAMS: Record<IncidentCategory, string[]> = {
  traffic_accident: ['CSGT Tổ 1', 'CSGT Tổ 3', 'Cấp cứu 115'],
  traffic_jam: ['CSGT Tổ 2', 'CSGT Tổ 4'],
  flooding: ['Đội thoát nước', 'Công ty Môi trường Đô thị'],
  fire: ['PCCC Quy Nhơn', 'PCCC Nhơn Bình'],
  public_order: ['Công an phường', 'Trật tự đô thị'],
  environment: ['Công ty Môi trường Đô thị'],
  infrastructure: ['Ban Quản lý Hạ tầng', 'Đội Sửa chữa đường bộ'],
  lighting: ['Đội Chiếu sáng công cộng'],
  waste: ['Công ty Môi trường Đô thị'],
  other: ['Trật tự đô thị'],
};
/** Typical time from report to resolution, per category (the scale of the lognormal). */
const RESOLVE_MIN: Record<IncidentCategory, number> = {
  traffic_accident: 70,
  traffic_jam: 45,
  flooding: 300,
  fire: 60,
  public_order: 90,
  environment: 600,
  infrastructure: 1500,
  lighting: 1200,
  waste: 400,
  other: 900,
};

/**
 * How operators handle an incident reported at `reportedAt`, as a seeded timeline: acknowledged in
 * minutes (faster when severe), dispatched to a team, resolved after a category-typical time with a
 * long tail, closed after review. Pure: the same incident and seed give the same timeline.
 */
export function operatorTimeline(
  inc: { id: string; category: IncidentCategory; severity: number; reportedAt: number },
  seed = 42,
): OperatorStep[] {
  const rng = rngFor(seed, Number(inc.id) || inc.id.length, 77);
  const lognormal = (median: number, spread: number) => median * Math.exp(rng.normal() * spread);
  const actor = OPERATORS[rng.int(0, OPERATORS.length - 1)];
  const urgency = 1 + (5 - inc.severity) * 0.5;
  const ackAt = inc.reportedAt + Math.max(0.5, lognormal(4 * urgency, 0.7)) * MIN;
  const team = rng.pick(TEAMS[inc.category]);
  const dispatchAt = ackAt + Math.max(1, lognormal(6 * urgency, 0.6)) * MIN;
  const resolveAt = dispatchAt + Math.max(5, lognormal(RESOLVE_MIN[inc.category], 0.8)) * MIN;
  const closeAt = resolveAt + Math.max(10, lognormal(180, 0.9)) * MIN;
  // no notes: a note is what a person types; the steps themselves (action, assignee) are data the
  // console words in the reader's language
  return [
    { action: 'acknowledge', at: ackAt, actor },
    { action: 'assign', at: dispatchAt, actor, assignee: team },
    { action: 'resolve', at: resolveAt, actor: team },
    { action: 'close', at: closeAt, actor },
  ];
}
