import { describe, expect, it } from 'vitest';
import { fitWithin, jpegName } from './photo.ts';

describe('fitWithin', () => {
  it('shrinks the longest side to 1600 px, keeping the shape', () => {
    expect(fitWithin(4032, 3024)).toEqual({ width: 1600, height: 1200 });
    expect(fitWithin(3024, 4032)).toEqual({ width: 1200, height: 1600 });
    expect(fitWithin(4000, 1000)).toEqual({ width: 1600, height: 400 });
  });
  it('never enlarges a small photo', () => {
    expect(fitWithin(800, 600)).toEqual({ width: 800, height: 600 });
    expect(fitWithin(1600, 1600)).toEqual({ width: 1600, height: 1600 });
  });
  it('keeps at least one pixel on a very thin panorama', () => {
    expect(fitWithin(100_000, 10)).toEqual({ width: 1600, height: 1 });
  });
  it('refuses an image without size', () => {
    expect(() => fitWithin(0, 100)).toThrow();
  });
});

describe('jpegName', () => {
  it('keeps the stem and says jpg', () => {
    expect(jpegName('IMG_0042.HEIC', 0)).toBe('IMG_0042.jpg');
    expect(jpegName('ảnh hiện trường.png', 1)).toBe('_nh_hi_n_tr_ng.jpg');
    expect(jpegName('', 2)).toBe('photo-3.jpg');
  });
});
