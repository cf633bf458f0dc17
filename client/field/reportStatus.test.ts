import { describe, expect, it } from 'vitest';
import { INCIDENT_STATES } from '#contract/vocab.ts';
import { translate } from '../i18n/format.ts';
import { needsPolling, reportStatusLabel } from './reportStatus.ts';

describe('reportStatusLabel', () => {
  it('names every lifecycle state in Vietnamese as the reporter reads it', () => {
    const vi = INCIDENT_STATES.map((s) => translate('vi', reportStatusLabel(s).key));
    expect(vi).toEqual(['Mới', 'Đã tiếp nhận', 'Đã điều phối', 'Đã xử lý', 'Đã đóng']);
    expect(translate('en', reportStatusLabel('dispatched').key)).toBe('Dispatched');
  });
  it('labels reports still on the phone', () => {
    expect(translate('vi', reportStatusLabel('waiting').key)).toBe('Đang chờ gửi');
    expect(reportStatusLabel('rejected').tone).toBe('bad');
  });
  it('stops polling a closed report only', () => {
    expect(INCIDENT_STATES.filter(needsPolling)).toEqual(['new', 'acknowledged', 'dispatched', 'resolved']);
    expect(needsPolling(undefined)).toBe(true);
  });
});
