import { describe, expect, it } from 'vitest';
import type { LonLat } from '#contract/assets.ts';
import type { TrafficItem } from '#contract/live.ts';
import type { MapSegment } from '../city.ts';
import { LEVEL_CODE, roadGeometry, simplifyPath, unknownLevels, updateLevels } from './trafficLayer.ts';

const now = 1_700_000_000_000;
const seg = (id: string, coords: LonLat[]): MapSegment => ({
  id,
  name: id,
  speedLimitKmh: 50,
  coords,
  lengthM: 0,
});

describe('simplifyPath', () => {
  it('drops points on a straight line and keeps the bends and the ends', () => {
    const straight: LonLat[] = [
      [109.2, 13.77],
      [109.201, 13.771],
      [109.202, 13.772],
      [109.203, 13.773],
    ];
    expect(simplifyPath(straight)).toEqual([straight[0], straight[3]]);
    const bent: LonLat[] = [
      [109.2, 13.77],
      [109.201, 13.77],
      [109.201, 13.771],
    ];
    expect(simplifyPath(bent)).toEqual(bent);
  });
  it('keeps a point that moves the line by more than half a metre', () => {
    // ~1.1 m off the chord at this latitude
    const p: LonLat[] = [
      [109.2, 13.77],
      [109.201, 13.77001],
      [109.202, 13.77],
    ];
    expect(simplifyPath(p)).toHaveLength(3);
  });
});

describe('roadGeometry', () => {
  it('flattens the simplified paths with their start indices', () => {
    const g = roadGeometry([
      seg('a', [
        [1, 1],
        [2, 2],
        [3, 3],
      ]),
      seg('b', [
        [0, 0],
        [0, 1],
        [1, 1],
      ]),
    ]);
    expect(g.length).toBe(2);
    expect([...g.startIndices]).toEqual([0, 2, 5]);
    expect([...g.positions]).toEqual([1, 1, 3, 3, 0, 0, 0, 1, 1, 1]);
  });
});

describe('updateLevels', () => {
  const segments = [seg('a', []), seg('b', [])];
  const reading = (speedKmh: number): TrafficItem => ({ id: 'x', ts: now, speedKmh, level: 'unknown' });
  it('answers whether a level changed, not whether a speed did', () => {
    const levels = unknownLevels(2);
    const traffic = new Map([['a', reading(45)]]);
    const changed: number[] = [];
    expect(updateLevels(levels, segments, traffic, now, (i) => changed.push(i))).toBe(true);
    expect([...levels]).toEqual([LEVEL_CODE.free, LEVEL_CODE.unknown]);
    expect(changed).toEqual([0]);
    // another speed in the same band: nothing to redraw
    traffic.set('a', reading(40));
    expect(updateLevels(levels, segments, traffic, now)).toBe(false);
    traffic.set('b', reading(5));
    expect(updateLevels(levels, segments, traffic, now)).toBe(true);
    expect(levels[1]).toBe(LEVEL_CODE.jam);
    // readings age into "no recent data"
    expect(updateLevels(levels, segments, traffic, now + 10 * 60_000)).toBe(true);
    expect([...levels]).toEqual([LEVEL_CODE.unknown, LEVEL_CODE.unknown]);
  });
});
