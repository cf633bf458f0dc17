import { describe, expect, it } from 'vitest';
import type { MyReportView } from '#contract/incidentsApi.ts';
import { latestNote, type MyReport, withServerView } from './outbox.ts';

const owner = { id: 'u1', username: 'an', displayName: 'An' };
const view = (over: Partial<MyReportView> = {}): MyReportView => ({
  clientId: 'c1',
  id: '42',
  number: 'PA-000042',
  status: 'acknowledged',
  updatedAt: 2000,
  category: 'public_order',
  severity: 3,
  createdAt: 1000,
  description: null,
  updates: [{ time: 2000, action: 'acknowledge', toStatus: 'acknowledged', note: 'Đang cử người' }],
  ...over,
});

describe("the server's view of a report over the phone's", () => {
  const kept: MyReport = {
    clientId: 'c1',
    createdAt: 990,
    category: 'public_order',
    description: 'Lấn chiếm vỉa hè',
    owner,
    number: 'PA-000042',
    status: 'new',
    updatedAt: 5_000_000,
  };

  it("takes the server's state and notes, keeps what the phone wrote", () => {
    const m = withServerView(kept, view(), owner);
    expect(m).toMatchObject({
      status: 'acknowledged',
      description: 'Lấn chiếm vỉa hè',
      createdAt: 990,
      owner,
    });
    expect(latestNote(m)?.note).toBe('Đang cử người');
  });

  it('adds a report sent from another phone of the account', () => {
    expect(withServerView(undefined, view({ description: 'Ồn' }), owner)).toMatchObject({
      clientId: 'c1',
      description: 'Ồn',
      owner,
      serverId: '42',
    });
  });

  it('never goes back to an older view (a push overtaken by a fetch)', () => {
    const newer = withServerView(kept, view({ status: 'resolved', updatedAt: 3000 }), owner);
    expect(withServerView(newer, view(), owner).status).toBe('resolved');
  });
});
