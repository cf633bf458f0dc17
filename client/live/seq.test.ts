import { describe, expect, it } from 'vitest';
import { checkSeq } from './seq.ts';

describe('checkSeq', () => {
  it('applies the next delta of a layer', () => {
    expect(checkSeq(4, 5)).toBe('apply');
  });
  it('drops a replayed or repeated delta', () => {
    expect(checkSeq(5, 5)).toBe('duplicate');
    expect(checkSeq(5, 3)).toBe('duplicate');
  });
  it('reports a gap when one was missed', () => {
    expect(checkSeq(5, 7)).toBe('gap');
  });
  it('takes the first delta when there is no baseline', () => {
    expect(checkSeq(undefined, 42)).toBe('apply');
  });
});
