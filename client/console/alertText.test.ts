import { describe, expect, it } from 'vitest';
import type { IncidentHistoryEntry } from '#contract/incidentsApi.ts';
import { alertTitleText, historyLines, incidentText } from './alertText.ts';

describe('alertTitleText', () => {
  it('words each alert code in the reader language, asset names as they are', () => {
    const congestion = { code: 'congestion', params: { segment: 'Lê Lợi', speedKmh: 8 } } as const;
    expect(alertTitleText('vi', congestion)).toBe('Ùn tắc: Lê Lợi (8 km/h)');
    expect(alertTitleText('en', congestion)).toBe('Congestion: Lê Lợi (8 km/h)');
    const offline = { code: 'camera_offline', params: { camera: 'Ngã tư Lê Lợi' } } as const;
    expect(alertTitleText('vi', offline)).toBe('Camera mất kết nối: Ngã tư Lê Lợi');
    expect(alertTitleText('en', offline)).toBe('Camera offline: Ngã tư Lê Lợi');
    const flood = { code: 'camera_event', params: { camera: 'Ngã tư Lê Lợi', event: 'flood' } } as const;
    expect(alertTitleText('vi', flood)).toBe('Camera phát hiện: Ngập nước · Ngã tư Lê Lợi');
    expect(alertTitleText('en', flood)).toBe('Camera detection: Flood · Ngã tư Lê Lợi');
    const incident = { code: 'incident', params: { category: 'flooding', severity: 4 } } as const;
    // the category's name is the contract's, the one Open311 serves
    expect(alertTitleText('vi', incident)).toBe('Ngập úng (mức 4)');
    expect(alertTitleText('en', incident)).toBe('Flooding (severity 4)');
  });

  it('shows a title worded by an older server as it came', () => {
    expect(alertTitleText('en', 'Ùn tắc: Lê Lợi (8 km/h)')).toBe('Ùn tắc: Lê Lợi (8 km/h)');
  });
});

describe('incidentText', () => {
  const names = (id: string) => (id === 'cam-1' ? 'Ngã tư Lê Lợi' : undefined);

  it('words the camera detection behind an incident, with its confidence', () => {
    const detection = { cameraId: 'cam-1', event: 'flood', confidence: 0.94 } as const;
    expect(incidentText('vi', { detection }, names)).toBe(
      'Camera phát hiện: Ngập nước (94%) · Ngã tư Lê Lợi',
    );
    expect(incidentText('en', { detection }, names)).toBe('Camera detection: Flood (94%) · Ngã tư Lê Lợi');
    expect(incidentText('en', { detection: { cameraId: 'cam-9', event: 'fire' } }, names)).toBe(
      'Camera detection: Fire · cam-9',
    );
  });

  it("keeps a person's description, and a description stored before the detection was data", () => {
    expect(incidentText('en', { description: 'Ngập sâu 30 cm' }, names)).toBe('Ngập sâu 30 cm');
    expect(incidentText('en', { description: 'Ngã tư Lê Lợi: flood (94%)' }, names)).toBe(
      'Ngã tư Lê Lợi: flood (94%)',
    );
    expect(incidentText('vi', {}, names)).toBe('');
  });
});

describe('historyLines', () => {
  const h = (over: Partial<IncidentHistoryEntry>): IncidentHistoryEntry => ({
    time: 1,
    action: 'merged',
    actor: 'operator',
    fromStatus: 'new',
    toStatus: 'closed',
    note: null,
    ...over,
  });
  const ref = { id: '12', number: 'PA-000012' };

  it('words a merge from its action and reference, in both languages', () => {
    expect(historyLines('vi', h({ ref }))).toEqual(['Đã gộp vào PA-000012']);
    expect(historyLines('en', h({ ref }))).toEqual(['Merged into PA-000012']);
    expect(historyLines('vi', h({ action: 'merge', ref }))).toEqual(['PA-000012 được gộp vào đây']);
    expect(historyLines('en', h({ action: 'merge', ref, note: 'cùng vụ' }))).toEqual([
      'PA-000012 merged into this one',
      'cùng vụ',
    ]);
  });

  it('names whom an assignment went to, before the note', () => {
    const a = h({ action: 'assign', toStatus: 'dispatched', assignee: 'Tổ CSGT 113-02', note: 'đi ngay' });
    expect(historyLines('vi', a)).toEqual(['Giao cho: Tổ CSGT 113-02', 'đi ngay']);
    expect(historyLines('en', a)).toEqual(['Assigned to: Tổ CSGT 113-02', 'đi ngay']);
  });

  it('keeps notes people wrote, and drops the English notes older servers wrote for a merge', () => {
    expect(historyLines('vi', h({ action: 'acknowledge', note: 'đã xem camera' }))).toEqual([
      'đã xem camera',
    ]);
    expect(historyLines('vi', h({ ref, note: 'merged into PA-000012' }))).toEqual(['Đã gộp vào PA-000012']);
    expect(historyLines('vi', h({ action: 'merge', ref, note: 'PA-000012 merged into this one' }))).toEqual([
      'PA-000012 được gộp vào đây',
    ]);
  });
});
