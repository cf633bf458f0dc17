import { describe, expect, it } from 'vitest';
import type { ReportCreated } from '#contract/incidentsApi.ts';
import { type MyReport, type OutboxEntry, type ReportOwner, reportsOf, sentReport } from './outbox.ts';

const an: ReportOwner = { id: 'u-an', username: 'an', displayName: 'Nguyễn Văn An' };
const binh: ReportOwner = { id: 'u-binh', username: 'binh', displayName: 'Trần Thị Bình' };

function report(clientId: string, owner?: ReportOwner): MyReport {
  return {
    clientId,
    createdAt: 1,
    category: 'waste',
    description: `report ${clientId}`,
    ...(owner && { owner }),
    number: `PA-${clientId}`,
    status: 'new',
  };
}

function entry(id: string, owner?: ReportOwner): OutboxEntry {
  return {
    id,
    createdAt: 1_000,
    draft: { category: 'lighting', lat: 13.77, lon: 109.22, description: 'Đèn tắt', severity: 2, photos: [] },
    ...(owner && { owner }),
    attempts: 0,
    nextAttemptAt: 0,
    state: 'pending',
  };
}

const receipt: ReportCreated = {
  id: '42',
  number: 'PA-000042',
  status: 'new',
  duplicate: false,
  photos: [],
  rejectedPhotos: [],
};

describe('reportsOf: "My reports" on a phone shared by several accounts', () => {
  const all = [report('a1', an), report('legacy'), report('b1', binh), report('a2', an)];

  it("lists the signed-in account's reports and those of no account, never another account's", () => {
    expect(reportsOf(all, an.id).map((m) => m.clientId)).toEqual(['a1', 'legacy', 'a2']);
    expect(reportsOf(all, binh.id).map((m) => m.clientId)).toEqual(['legacy', 'b1']);
  });

  it('lists only reports of no account while no account is known', () => {
    expect(reportsOf(all, undefined).map((m) => m.clientId)).toEqual(['legacy']);
    expect(reportsOf(all, 'u-someone-else').map((m) => m.clientId)).toEqual(['legacy']);
  });
});

describe('sentReport', () => {
  it('keeps the account that wrote the report, from its outbox entry', () => {
    const m = sentReport(entry('r1', an), receipt, undefined, 5_000);
    expect(m).toEqual({
      clientId: 'r1',
      createdAt: 1_000,
      category: 'lighting',
      description: 'Đèn tắt',
      owner: an,
      number: 'PA-000042',
      serverId: '42',
      status: 'new',
      updatedAt: 5_000,
      rejectedPhotos: undefined,
    });
    expect(reportsOf([m], binh.id)).toEqual([]);
  });

  it('names no account for a report queued before owners were kept', () => {
    const m = sentReport(entry('r1'), receipt, undefined, 5_000);
    expect(m).not.toHaveProperty('owner');
    expect(reportsOf([m], binh.id)).toEqual([m]);
  });

  it('keeps what an earlier answer told when this one says less', () => {
    const prev = { ...report('r1', an), createdAt: 500, serverId: '42', rejectedPhotos: [] };
    const m = sentReport(entry('r1'), undefined, prev, 5_000);
    expect(m).toMatchObject({ createdAt: 500, owner: an, number: 'PA-r1', serverId: '42', status: 'new' });
  });
});
