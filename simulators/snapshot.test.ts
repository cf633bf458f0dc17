import { describe, expect, it } from 'vitest';
import { renderSnapshotSvg } from './snapshot.ts';

const base = {
  cameraId: 'cam-001',
  cameraName: 'Ngã tư Trần Hưng Đạo – Lê Hồng Phong',
  timeMs: Date.UTC(2026, 10, 20, 0, 30, 5),
};
const vehicles = (svg: string) => (svg.match(/ rx="/g) ?? []).length;

describe('renderSnapshotSvg', () => {
  it('draws a frame with the camera name and the local time on screen', () => {
    const svg = renderSnapshotSvg({ ...base, online: true, speedKmh: 40 });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Ngã tư Trần Hưng Đạo – Lê Hồng Phong');
    expect(svg).toContain('20-11-2026 07:30:05');
    expect(svg).not.toMatch(/<image|url\(http|@import|font-face/);
  });

  it('shows more vehicles when the road is congested', () => {
    const jam = renderSnapshotSvg({ ...base, online: true, speedKmh: 6 });
    const free = renderSnapshotSvg({ ...base, online: true, speedKmh: 55 });
    expect(vehicles(jam)).toBeGreaterThan(vehicles(free) * 3);
  });

  it('says MẤT TÍN HIỆU / NO SIGNAL when the camera is offline', () => {
    const svg = renderSnapshotSvg({ ...base, online: false });
    expect(svg).toContain('MẤT TÍN HIỆU');
    expect(svg).toContain('NO SIGNAL');
    expect(vehicles(svg)).toBe(0);
  });

  it('is deterministic, and escapes names', () => {
    expect(renderSnapshotSvg({ ...base, online: true })).toBe(renderSnapshotSvg({ ...base, online: true }));
    const svg = renderSnapshotSvg({ ...base, cameraName: 'A & <B>', online: true });
    expect(svg).toContain('A &amp; &lt;B&gt;');
  });
});
