/** What to do with a delta given the last applied seq of its layer. */
export type SeqVerdict = 'apply' | 'duplicate' | 'gap';

/**
 * Deltas rise by 1 per layer. Older or equal: already applied (a replay after recovery).
 * More than one ahead: something was missed, so the state can no longer be trusted.
 * Without a baseline (the server had not emitted that layer yet) the first one is taken.
 */
export function checkSeq(last: number | undefined, seq: number): SeqVerdict {
  if (last === undefined) return 'apply';
  if (seq <= last) return 'duplicate';
  if (seq === last + 1) return 'apply';
  return 'gap';
}
