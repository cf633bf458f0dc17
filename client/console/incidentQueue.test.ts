import { describe, expect, it } from 'vitest';
import type { IncidentItem } from '#contract/live.ts';
import { mergeCandidates, queueOrder, queueTimer, queueTimerText } from './incidentQueue.ts';

const MIN = 60_000;
// a fixed clock: every test reads the queue at this instant
const NOW = Date.UTC(2026, 10, 23, 3, 0, 0);

describe('queueOrder', () => {
  const inc = (
    id: string,
    severity: number,
    ts: number,
    status: IncidentItem['status'] = 'new',
    category: IncidentItem['category'] = 'lighting',
  ): IncidentItem => ({
    id,
    ts,
    updatedAt: ts,
    category,
    severity,
    status,
    lat: 13.77,
    lon: 109.22,
    source: 'field',
  });

  it('puts new ones first, then those past a target, then the most severe, then the oldest; leaves out resolved and closed', () => {
    const items = [
      // acknowledged, severe, within its 72 h resolution target (lighting)
      inc('ack-sev5', 5, NOW - 10 * MIN, 'acknowledged'),
      // dispatched, minor, past its 4 h resolution target (traffic_jam)
      inc('late-sev1', 1, NOW - 5 * 60 * MIN, 'dispatched', 'traffic_jam'),
      // new ones, whatever their severity, come before every acknowledged one
      inc('new-sev2', 2, NOW - 2 * MIN),
      inc('new-sev4', 4, NOW - 1 * MIN),
      // new and already past its 5 min acknowledgement target: before the other new ones
      inc('new-late-fire', 1, NOW - 6 * MIN, 'new', 'fire'),
      // same severity and state: the one waiting longer first
      inc('ack-sev3-old', 3, NOW - 30 * MIN, 'acknowledged'),
      inc('ack-sev3-young', 3, NOW - 20 * MIN, 'acknowledged'),
      inc('resolved', 5, NOW - 50 * MIN, 'resolved'),
      inc('closed', 5, NOW - 50 * MIN, 'closed'),
    ];
    expect(queueOrder(items, NOW).map((i) => i.id)).toEqual([
      'new-late-fire',
      'new-sev4',
      'new-sev2',
      'late-sev1',
      'ack-sev5',
      'ack-sev3-old',
      'ack-sev3-young',
    ]);
  });

  it('moves an incident up when it passes its target as the clock runs', () => {
    const items = [inc('sev5', 5, NOW, 'acknowledged'), inc('jam', 2, NOW, 'acknowledged', 'traffic_jam')];
    expect(queueOrder(items, NOW + 60 * MIN).map((i) => i.id)).toEqual(['sev5', 'jam']);
    // traffic_jam must be resolved within 4 h, lighting within 72 h
    expect(queueOrder(items, NOW + 4 * 60 * MIN + 1).map((i) => i.id)).toEqual(['jam', 'sev5']);
  });
});

describe('queueTimer', () => {
  const fire = (ageMs: number, status: IncidentItem['status'] = 'new'): IncidentItem => ({
    id: '7',
    ts: NOW - ageMs,
    updatedAt: NOW - ageMs,
    category: 'fire',
    severity: 4,
    status,
    lat: 13.77,
    lon: 109.22,
    source: 'field',
  });
  const text = (lang: 'vi' | 'en', i: IncidentItem) => {
    const timer = queueTimer(i, NOW);
    if (!timer) throw new Error('no timer');
    return { level: timer.level, text: queueTimerText(lang, timer) };
  };

  it('counts down to the acknowledgement target while new, amber from 80 %', () => {
    // fire: acknowledged within 5 minutes
    expect(text('vi', fire(1 * MIN))).toEqual({ level: null, text: 'Tiếp nhận: còn 4 phút' });
    expect(text('en', fire(1 * MIN))).toEqual({ level: null, text: 'Acknowledge: 4 min left' });
    // 4 of 5 minutes gone: 80 %, the warning
    expect(text('vi', fire(4 * MIN))).toEqual({ level: 'warning', text: 'Tiếp nhận: còn 1 phút' });
    expect(text('en', fire(4 * MIN + 30_000))).toEqual({ level: 'warning', text: 'Acknowledge: 1 min left' });
  });

  it('says how long overdue, in hours and minutes, red', () => {
    expect(text('vi', fire(5 * MIN + 80 * MIN))).toEqual({
      level: 'overdue',
      text: 'Tiếp nhận: quá hạn 1 giờ 20 phút',
    });
    expect(text('en', fire(5 * MIN + 80 * MIN))).toEqual({
      level: 'overdue',
      text: 'Acknowledge: overdue 1 h 20 min',
    });
    expect(text('en', fire(5 * MIN + 10_000)).text).toBe('Acknowledge: overdue 1 min');
  });

  it('once acknowledged, counts down to the resolution target instead', () => {
    // fire: resolved within 2 h
    expect(text('vi', fire(48 * MIN, 'acknowledged'))).toEqual({
      level: null,
      text: 'Xử lý: còn 1 giờ 12 phút',
    });
    expect(text('en', fire(100 * MIN, 'dispatched'))).toEqual({
      level: 'warning',
      text: 'Resolve: 20 min left',
    });
    expect(text('en', fire(2 * 24 * 60 * MIN + 3 * 60 * MIN, 'dispatched')).text).toBe(
      'Resolve: overdue 2 d 1 h',
    );
    expect(queueTimer(fire(MIN, 'resolved'), NOW)).toBeNull();
  });
});

describe('mergeCandidates', () => {
  const base: IncidentItem = {
    id: '1',
    ts: 1_000_000_000,
    updatedAt: 1_000_000_000,
    category: 'flooding',
    severity: 3,
    status: 'new',
    lat: 13.77,
    lon: 109.22,
    source: 'field',
  };
  it('offers open incidents of the same category close in place and time, nearest first', () => {
    const near = { ...base, id: '2', lat: 13.7705 }; // ~55 m
    const nearer = { ...base, id: '3', lat: 13.7701 }; // ~11 m
    const far = { ...base, id: '4', lat: 13.78 }; // ~1.1 km
    const otherKind = { ...base, id: '5', category: 'fire' as const };
    const closed = { ...base, id: '6', status: 'closed' as const };
    const late = { ...base, id: '7', ts: base.ts + 3 * 3_600_000 };
    const got = mergeCandidates(base, [base, near, nearer, far, otherKind, closed, late]);
    expect(got.map((i) => i.id)).toEqual(['3', '2']);
    expect(got[0].distanceM).toBeGreaterThan(5);
    expect(got[0].distanceM).toBeLessThan(20);
  });
});
