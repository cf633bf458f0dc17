import { describe, expect, it } from 'vitest';
import { ALARM_RULE_DEFAULTS, ALARM_RULES, AlarmRuleUpdateSchema } from '#contract/alarms.ts';
import {
  durationText,
  fieldError,
  formField,
  fromForm,
  isChanged,
  isDefault,
  numberText,
  parseNumber,
  rangeText,
  toForm,
  unitText,
} from './alarmRules.ts';

describe('alarm rule form', () => {
  it('shows shares as percentages, delays in seconds, with the decimal comma in Vietnamese', () => {
    const f = toForm('vi', ALARM_RULE_DEFAULTS.road_jam);
    expect(f).toMatchObject({ threshold: '30', margin: '10', delay: '300', clearDelay: '180' });
    expect(toForm('vi', { ...ALARM_RULE_DEFAULTS.road_jam, threshold: 0.075 }).threshold).toBe('7,5');
    expect(toForm('en', { ...ALARM_RULE_DEFAULTS.road_jam, threshold: 0.075 }).threshold).toBe('7.5');
    // the lag of system_health is in ms: shown in seconds
    expect(toForm('en', ALARM_RULE_DEFAULTS.system_health).threshold).toBe('5');
    // a rule without a threshold shows an empty one
    expect(toForm('vi', ALARM_RULE_DEFAULTS.camera_offline).threshold).toBe('');
  });

  it('gives back exactly the stored settings for every rule when nothing is typed', () => {
    for (const rule of ALARM_RULES)
      for (const lang of ['vi', 'en'] as const) {
        const out = fromForm(rule, toForm(lang, ALARM_RULE_DEFAULTS[rule]));
        expect(out, `${rule} ${lang}`).toEqual({ ok: true, body: ALARM_RULE_DEFAULTS[rule] });
        if (out.ok) expect(AlarmRuleUpdateSchema.safeParse(out.body).success).toBe(true);
      }
  });

  it('turns what the admin types into what the API takes', () => {
    const f = { ...toForm('vi', ALARM_RULE_DEFAULTS.road_jam), threshold: '25', delay: '0,5' };
    expect(fromForm('road_jam', f)).toEqual({
      ok: true,
      body: { ...ALARM_RULE_DEFAULTS.road_jam, threshold: 0.25, delayMs: 500 },
    });
    // an empty threshold is sent as none: the server says it is needed
    const empty = fromForm('road_jam', { ...f, threshold: '' });
    expect(empty.ok && empty.body.threshold).toBeNull();
  });

  it('refuses before sending only what is not a number, or an empty delay', () => {
    const f = toForm('en', ALARM_RULE_DEFAULTS.reject_spike);
    expect(fromForm('reject_spike', { ...f, threshold: 'abc', clearDelay: '' })).toEqual({
      ok: false,
      bad: ['threshold', 'clearDelay'],
    });
    expect(parseNumber(' 1,5 ')).toBe(1.5);
    expect(parseNumber('1.5')).toBe(1.5);
    expect(parseNumber('')).toBeNull();
    expect(parseNumber('1,5,5')).toBeUndefined();
    expect(parseNumber('1e3')).toBeUndefined();
    expect(numberText('vi', 0.1 * 3)).toBe('0,3');
  });

  it('knows when the row differs from what is stored, and when a rule has its shipped settings', () => {
    const s = ALARM_RULE_DEFAULTS.road_jam;
    const f = toForm('vi', s);
    expect(isChanged('vi', s, f)).toBe(false);
    // the same number written the other way is no change
    expect(isChanged('vi', s, { ...f, delay: '300.0' })).toBe(false);
    expect(isChanged('vi', s, { ...f, threshold: '25' })).toBe(true);
    expect(isChanged('vi', s, { ...f, enabled: false })).toBe(true);
    expect(isDefault(s)).toBe(true);
    expect(isDefault({ ...s, priority: 1 })).toBe(false);
  });

  it("says why the server refused a field in the reader's language, with the bounds in the form's units", () => {
    expect(formField('delayMs')).toBe('delay');
    expect(formField('threshold')).toBe('threshold');
    expect(formField('rule')).toBeUndefined();
    expect(fieldError('vi', 'road_jam', 'threshold', '200')).toBe(
      'Phải trong khoảng 5–90 % tốc độ giới hạn.',
    );
    expect(fieldError('en', 'road_jam', 'threshold', '200')).toBe(
      'Must be within 5–90 % of the speed limit.',
    );
    expect(fieldError('en', 'road_jam', 'threshold', '')).toBe('Required.');
    expect(fieldError('en', 'road_jam', 'margin', 'x')).toBe('Not a number.');
    expect(fieldError('vi', 'system_health', 'threshold', '0,1')).toBe('Phải trong khoảng 0,5–600 giây.');
    expect(fieldError('en', 'reject_spike', 'delay', '99999999')).toBe('Must be within 0–86,400 s.');
    expect(fieldError('en', 'camera_offline', 'threshold', '3')).toBe('This rule does not use this setting.');
    expect(fieldError('vi', 'road_jam', 'priority')).toBe('Chọn mức ưu tiên từ 1 đến 4.');
  });

  it('names units and ranges of each field, nothing for one the rule does not have', () => {
    expect(unitText('en', 'incident_new', 'threshold')).toBe('severity');
    expect(rangeText('en', 'incident_new', 'threshold')).toBe('1–5');
    expect(rangeText('vi', 'camera_detection', 'threshold')).toBe('0–100');
    expect(unitText('en', 'incident_new', 'margin')).toBe('');
    expect(rangeText('en', 'incident_new', 'margin')).toBe('');
    // the indicator rules: thresholds from the catalogue; a deadband as a share of the threshold
    expect(unitText('en', 'indicator_threshold', 'threshold')).toBe('');
    expect(unitText('vi', 'indicator_threshold', 'margin')).toBe('% ngưỡng');
    expect(toForm('vi', ALARM_RULE_DEFAULTS.indicator_threshold)).toMatchObject({
      threshold: '',
      margin: '2',
    });
    expect(unitText('en', 'indicator_baseline', 'threshold')).toBe('per hour');
    expect(rangeText('en', 'indicator_baseline', 'margin')).toBe('0–50');
  });

  it('puts a delay in words', () => {
    expect(durationText('vi', 300_000)).toBe('5 phút');
    expect(durationText('en', 5_400_000)).toBe('1 h 30 min');
    expect(durationText('en', 0)).toBe('0 s');
  });
});
