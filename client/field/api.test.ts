import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TS_AGE_MS, postReport, refusedForTs, reportTs } from './api.ts';
import { type OutboxEntry, queuedReport, type ReportDraft } from './outbox.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-23T08:00:00Z');

const draft: ReportDraft = {
  category: 'waste',
  lat: 13.77,
  lon: 109.22,
  description: 'Rác tràn ra lòng đường',
  severity: 2,
  photos: [],
};

function entry(createdAt: number): OutboxEntry {
  return queuedReport('0b6f3c2e-8a4d-4f6e-9c1a-2d3e4f5a6b7c', draft, undefined, createdAt);
}

/** The server's 400 for these fields. */
function refused(...fields: string[]) {
  return {
    status: 400,
    body: {
      error: {
        code: 'invalid_field',
        message: 'bad',
        details: fields.map((field) => ({ field, message: 'bad' })),
      },
    },
  };
}

describe('reportTs: a queued report is dated when it was written', () => {
  it('is the time the reporter pressed Send, however long the report waited', () => {
    expect(reportTs(entry(NOW), NOW)).toBe(NOW);
    expect(reportTs(entry(NOW - 3 * 3_600_000), NOW)).toBe(NOW - 3 * 3_600_000);
    expect(reportTs(entry(NOW - MAX_TS_AGE_MS), NOW)).toBe(NOW - MAX_TS_AGE_MS);
  });

  it('is left out, a day short of the 7 days the server takes, for the server to date it on arrival', () => {
    expect(MAX_TS_AGE_MS).toBe(6 * DAY);
    expect(reportTs(entry(NOW - MAX_TS_AGE_MS - 1), NOW)).toBeUndefined();
    expect(reportTs(entry(NOW - 6.5 * DAY), NOW)).toBeUndefined();
    expect(reportTs(entry(NOW - 30 * DAY), NOW)).toBeUndefined();
  });

  it('is left out when the phone clock went back since the report was written', () => {
    expect(reportTs(entry(NOW + 60_000), NOW)).toBeUndefined();
  });
});

describe('queuedReport', () => {
  it('dates a new report now, and an edited refused one when it was first sent', () => {
    const first = entry(NOW - 2 * 3_600_000);
    expect(queuedReport('r', draft, undefined, NOW).createdAt).toBe(NOW);
    const edited = queuedReport(first.id, { ...draft, description: 'sửa lại' }, undefined, NOW, first);
    expect(edited).toMatchObject({
      id: first.id,
      createdAt: NOW - 2 * 3_600_000,
      state: 'pending',
      attempts: 0,
    });
    expect(reportTs(edited, NOW)).toBe(NOW - 2 * 3_600_000);
  });
});

describe('refusedForTs', () => {
  it('tells a refusal of the date alone from one of the report', () => {
    expect(refusedForTs(refused('ts'))).toBe(true);
    expect(refusedForTs(refused('ts', 'lat'))).toBe(false);
    expect(refusedForTs(refused('description'))).toBe(false);
    const unreadable = { status: 400, body: { error: { code: 'bad_multipart', message: 'x' } } };
    expect(refusedForTs(unreadable)).toBe(false);
    expect(refusedForTs({ status: 409, body: refused('ts').body })).toBe(false);
    expect(refusedForTs({ status: 0, failure: 'offline' })).toBe(false);
  });
});

describe('postReport', () => {
  /** the `ts` field of each upload, and the answers the server gives in turn */
  function server(...answers: Array<{ status: number; body: unknown }>) {
    const sent: Array<string | null> = [];
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit) => {
        sent.push((init.body as FormData).get('ts') as string | null);
        const a = answers.shift() ?? { status: 201, body: { id: '1' } };
        return new Response(JSON.stringify(a.body), {
          status: a.status,
          headers: { 'content-type': 'application/json' },
        });
      }),
    );
    return sent;
  }

  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('sends the time the report was written as ts (epoch ms)', async () => {
    const sent = server();
    const r = await postReport(entry(NOW - 3_600_000));
    expect(r.status).toBe(201);
    expect(sent).toEqual([String(NOW - 3_600_000)]);
  });

  it('sends no ts for a report older than the server takes', async () => {
    const sent = server();
    await postReport(entry(NOW - 6.5 * DAY));
    expect(sent).toEqual([null]);
  });

  it('sends the report again without ts when the server refuses that alone (a phone clock far off)', async () => {
    const sent = server(refused('ts'));
    const r = await postReport(entry(NOW - 1_000));
    expect(r.status).toBe(201);
    expect(sent).toEqual([String(NOW - 1_000), null]);
  });

  it('keeps a refusal of the report itself', async () => {
    const sent = server(refused('ts', 'lat'));
    const r = await postReport(entry(NOW - 1_000));
    expect(r.status).toBe(400);
    expect(sent).toHaveLength(1);
  });
});
