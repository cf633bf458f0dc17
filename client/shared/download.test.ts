import { describe, expect, it } from 'vitest';
import { DownloadError, downloadErrorText, filenameOf } from './download.ts';

describe('filenameOf', () => {
  it("reads the server's quoted file name", () => {
    expect(filenameOf('attachment; filename="ioc-worst-2026-11-17_2026-11-23.csv"')).toBe(
      'ioc-worst-2026-11-17_2026-11-23.csv',
    );
    expect(filenameOf('attachment; filename=ioc-audit-2026-11-23.csv')).toBe('ioc-audit-2026-11-23.csv');
  });

  it('prefers the UTF-8 name (RFC 6266) to the plain one', () => {
    expect(filenameOf(`attachment; filename="bao-cao.csv"; filename*=UTF-8''b%C3%A1o-c%C3%A1o.csv`)).toBe(
      'báo-cáo.csv',
    );
  });

  it('keeps no folder part, and gives nothing for no name', () => {
    expect(filenameOf('attachment; filename="../../etc/passwd"')).toBe('passwd');
    expect(filenameOf('attachment; filename="a\\\\b.csv"')).toBe('b.csv');
    expect(filenameOf('attachment')).toBeUndefined();
    expect(filenameOf('attachment; filename=""')).toBeUndefined();
    expect(filenameOf(null)).toBeUndefined();
  });
});

describe('downloadErrorText', () => {
  it("says why in the reader's language, with the server's words where it gave some", () => {
    expect(downloadErrorText(new DownloadError(503, 'unavailable', 'database unavailable'))).toBe(
      'Không tải được tệp: database unavailable',
    );
    expect(downloadErrorText(new DownloadError(0, 'unreachable', 'Failed to fetch'))).toMatch(
      /không kết nối được máy chủ/,
    );
    expect(downloadErrorText(new DownloadError(403, 'forbidden', 'no'))).toMatch(/không có quyền/);
  });
});
