import { describe, expect, it } from 'vitest';
import { actionsFor, type MergeCandidate, mergeRefusal, nextState } from './incidentLifecycle.ts';
import { INCIDENT_ACTIONS } from './incidentsApi.ts';
import { INCIDENT_STATES } from './vocab.ts';

describe('nextState', () => {
  it('walks the contract path new → acknowledged → dispatched → resolved → closed', () => {
    expect(nextState('new', 'acknowledge')).toEqual({ ok: true, to: 'acknowledged' });
    expect(nextState('acknowledged', 'assign')).toEqual({ ok: true, to: 'dispatched' });
    expect(nextState('dispatched', 'resolve')).toEqual({ ok: true, to: 'resolved' });
    expect(nextState('resolved', 'close')).toEqual({ ok: true, to: 'closed' });
  });

  it('reopens resolved and closed incidents to acknowledged', () => {
    expect(nextState('resolved', 'reopen')).toEqual({ ok: true, to: 'acknowledged' });
    expect(nextState('closed', 'reopen')).toEqual({ ok: true, to: 'acknowledged' });
  });

  it('allows reassigning a dispatched incident and resolving without a dispatch', () => {
    expect(nextState('dispatched', 'assign')).toEqual({ ok: true, to: 'dispatched' });
    expect(nextState('acknowledged', 'resolve')).toEqual({ ok: true, to: 'resolved' });
  });

  it('says what to do first when a step is illegal', () => {
    expect(nextState('new', 'close')).toEqual({
      ok: false,
      message: 'cannot close an incident that is new; resolve it first',
    });
    expect(nextState('new', 'assign')).toEqual({
      ok: false,
      message: 'cannot assign an incident that is new; acknowledge it first',
    });
    expect(nextState('acknowledged', 'acknowledge')).toEqual({
      ok: false,
      message: 'cannot acknowledge an incident that is already acknowledged',
    });
    expect(nextState('closed', 'resolve')).toEqual({
      ok: false,
      message: 'cannot resolve an incident that is closed; reopen it first',
    });
    expect(nextState('new', 'reopen')).toEqual({
      ok: false,
      message: 'cannot reopen an incident that is new; only resolved or closed incidents can be reopened',
    });
    expect(nextState('acknowledged', 'reopen')).toMatchObject({ ok: false });
  });

  it('answers every (state, action) pair with exactly the legal table', () => {
    const legal = new Set([
      'new:acknowledge',
      'acknowledged:assign',
      'acknowledged:resolve',
      'dispatched:assign',
      'dispatched:resolve',
      'resolved:close',
      'resolved:reopen',
      'closed:reopen',
    ]);
    for (const s of INCIDENT_STATES)
      for (const a of INCIDENT_ACTIONS) {
        const t = nextState(s, a);
        expect(t.ok, `${s}:${a}`).toBe(legal.has(`${s}:${a}`));
        if (!t.ok) expect(t.message).toMatch(new RegExp(`^cannot ${a} an incident that is`));
      }
  });
});

describe('mergeRefusal', () => {
  const t0 = Date.UTC(2026, 10, 23, 1);
  const target: MergeCandidate = {
    id: '1',
    category: 'flooding',
    status: 'new',
    lat: 13.77,
    lon: 109.22,
    ts: t0,
  };
  it('accepts the same category within 300 m and 2 h', () => {
    expect(mergeRefusal(target, { ...target, id: '2', lat: 13.7717, ts: t0 + 3_600_000 })).toBeUndefined();
  });
  it('refuses another category, too far, too long apart, closed, or itself', () => {
    expect(mergeRefusal(target, { ...target, id: '2', category: 'fire' })).toMatch(/is fire, not flooding/);
    expect(mergeRefusal(target, { ...target, id: '2', lat: 13.775 })).toMatch(/556 m away/);
    expect(mergeRefusal(target, { ...target, id: '2', ts: t0 - 3 * 3_600_000 })).toMatch(/180 min apart/);
    expect(mergeRefusal(target, { ...target, id: '2', status: 'closed' })).toMatch(/is closed/);
    expect(mergeRefusal(target, target)).toMatch(/itself/);
  });
});

describe('actionsFor', () => {
  it('offers in each state exactly the actions nextState accepts, in the order of INCIDENT_ACTIONS', () => {
    for (const s of INCIDENT_STATES) {
      const legal = INCIDENT_ACTIONS.filter((a) => nextState(s, a).ok);
      expect(actionsFor(s), s).toEqual(legal);
    }
    expect(actionsFor('new')).toEqual(['acknowledge']);
    expect(actionsFor('resolved')).toEqual(['close', 'reopen']);
  });
});
