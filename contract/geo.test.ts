import { describe, expect, it } from 'vitest';
import { distanceM, pathLengthM } from './geo.ts';

describe('distanceM', () => {
  it('measures a degree of latitude as about 111 km and a point to itself as 0', () => {
    expect(distanceM([109, 13], [109, 14])).toBeCloseTo(111_195, -2);
    expect(distanceM([109.22, 13.77], [109.22, 13.77])).toBe(0);
  });

  it('measures a degree of longitude shorter away from the equator', () => {
    expect(distanceM([109, 13.77], [110, 13.77])).toBeCloseTo(108_050, -3);
  });
});

describe('pathLengthM', () => {
  it('adds up the legs of a polyline', () => {
    const a: [number, number] = [109.2, 13.77];
    const b: [number, number] = [109.21, 13.77];
    const c: [number, number] = [109.21, 13.78];
    expect(pathLengthM([a, b, c])).toBeCloseTo(distanceM(a, b) + distanceM(b, c), 6);
    expect(pathLengthM([a])).toBe(0);
  });
});
