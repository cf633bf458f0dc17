import { describe, expect, it } from 'vitest';
import { translate } from '../i18n/format.ts';
import { authBanner, fieldErrors } from './fieldErrors.ts';

describe('fieldErrors', () => {
  it('puts position errors next to the map, in Vietnamese', () => {
    const e = fieldErrors({ code: 'out_of_area', message: 'position is outside the city' });
    expect(Object.keys(e)).toEqual(['position']);
    expect(translate('vi', e.position?.key ?? 'field.err.generic')).toContain('ngoài địa bàn');
    expect(e.position?.detail).toBe('position is outside the city');
  });
  it('places each invalid field the server names', () => {
    const e = fieldErrors({
      code: 'invalid_field',
      message: 'invalid report',
      details: [
        { field: 'severity', message: 'must be 1..5' },
        { field: 'lat', message: 'not a number' },
        { field: 'description', message: 'too long' },
      ],
    });
    expect(e.severity?.key).toBe('field.err.severity');
    expect(e.position?.key).toBe('field.err.position');
    expect(e.description?.detail).toBe('too long');
    expect(e.form).toBeUndefined();
  });
  it('puts photo type and size errors next to the photos', () => {
    expect(fieldErrors({ code: 'photo_too_large', message: 'x' }).photos?.key).toBe(
      'field.err.photo_too_large',
    );
    expect(
      fieldErrors({
        code: 'unsupported_photo_type',
        message: 'x',
        details: [{ field: 'photo[1]', message: 'gif' }],
      }).photos?.key,
    ).toBe('field.err.unsupported_photo_type');
  });
  it('shows what it cannot place at the top of the form', () => {
    expect(fieldErrors({ code: 'forbidden', message: 'no' })).toEqual({
      form: { key: 'field.err.generic', detail: 'no' },
    });
  });
});

describe('authBanner', () => {
  const say = (lang: 'vi' | 'en', b: ReturnType<typeof authBanner>) => translate(lang, b.key, { n: b.n });

  it('asks to log in again to send the waiting reports', () => {
    const b = authBanner('unauthenticated', 3);
    expect(b.action).toBe('login');
    expect(say('vi', b)).toBe('Phiên đăng nhập đã hết hạn — đăng nhập lại để gửi 3 báo cáo đang chờ');
    expect(say('en', b)).toBe('Your session has expired — log in again to send 3 waiting reports');
    expect(say('en', authBanner('unauthenticated', 1))).toBe(
      'Your session has expired — log in again to send 1 waiting report',
    );
    expect(say('vi', authBanner('unauthenticated', 0))).toBe(
      'Phiên đăng nhập đã hết hạn — đăng nhập lại để gửi báo cáo',
    );
  });

  it('asks for another account when this one may not report, saying the reports are kept', () => {
    const b = authBanner('forbidden', 2);
    expect(b.action).toBe('switch');
    expect(say('vi', b)).toContain('2 báo cáo được giữ trên máy');
  });
});
