import { describe, expect, it } from 'vitest';
import type { AuditEntryView } from '#contract/auth.ts';
import { auditQuery, auditRange, DEFAULT_AUDIT_FILTERS, detailsText, newestFirst } from './auditQuery.ts';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

describe('auditQuery', () => {
  it('asks for the last 24 hours by default', () => {
    const q = new URLSearchParams(auditQuery(DEFAULT_AUDIT_FILTERS, NOW));
    expect(Number(q.get('to'))).toBe(NOW);
    expect(Number(q.get('from'))).toBe(NOW - 24 * 3_600_000);
    expect(q.get('limit')).toBe('500');
    expect(q.has('actor') || q.has('action') || q.has('outcome') || q.has('format')).toBe(false);
  });

  it('sends only the filters that are set, trimmed, and the CSV format for the export', () => {
    const q = new URLSearchParams(
      auditQuery(
        { ...DEFAULT_AUDIT_FILTERS, period: '7d', actor: ' an ', action: 'auth.login', outcome: 'denied' },
        NOW,
        true,
      ),
    );
    expect(Number(q.get('from'))).toBe(NOW - 7 * 24 * 3_600_000);
    expect(q.get('actor')).toBe('an');
    expect(q.get('action')).toBe('auth.login');
    expect(q.get('outcome')).toBe('denied');
    expect(q.get('format')).toBe('csv');
  });

  it('reads a custom period in the browser time zone, open where a bound is empty', () => {
    const f = { ...DEFAULT_AUDIT_FILTERS, period: 'custom' as const, from: '2025-05-01T08:00', to: '' };
    expect(auditRange(f, NOW)).toEqual({ from: new Date('2025-05-01T08:00').getTime(), to: undefined });
    expect(new URLSearchParams(auditQuery(f, NOW)).has('to')).toBe(false);
  });
});

describe('audit table', () => {
  const e = (id: number, ts: number): AuditEntryView => ({
    id,
    ts,
    actor: 'an',
    role: 'operator',
    action: 'auth.login',
    target: null,
    outcome: 'ok',
    ip: null,
    details: null,
  });

  it('lists the newest first', () => {
    expect(newestFirst([e(1, 10), e(3, 30), e(2, 30)]).map((x) => x.id)).toEqual([3, 2, 1]);
  });

  it('puts details on one short line', () => {
    expect(detailsText({ reason: 'bad_credentials', attempts: 3 })).toBe(
      'reason=bad_credentials · attempts=3',
    );
    expect(detailsText({ note: 'x'.repeat(200) }, 20)).toHaveLength(20);
    expect(detailsText(null)).toBe('');
  });

  it("says only what an alarm rule's change changed, not both whole settings", () => {
    const before = { rule: 'road_jam', enabled: true, threshold: 0.3, delayMs: 300000 };
    const after = { rule: 'road_jam', enabled: false, threshold: 0.25, delayMs: 300000 };
    expect(detailsText({ before, after })).toBe('enabled: true → false · threshold: 0.3 → 0.25');
    // a first change, with nothing before it, is shown as it is
    expect(detailsText({ before: null, after: { threshold: 1 } })).toBe(
      'before=null · after={"threshold":1}',
    );
  });
});
