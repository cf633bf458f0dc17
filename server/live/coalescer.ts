import type { Delta, LayerItems } from '#contract/live.ts';
import type { LayerName } from '#contract/vocab.ts';

type Coalesced = Exclude<LayerName, 'alerts'>;

/**
 * Merges changes per layer by item id (the latest wins) until the next flush, and numbers each
 * flushed delta: `seq` rises by one per layer per flush, so a client can tell when it missed one.
 */
export class Coalescer {
  private readonly pending: { [L in Coalesced]: Map<string, LayerItems[L]> } = {
    traffic: new Map(),
    cameras: new Map(),
    incidents: new Map(),
    alarms: new Map(),
    units: new Map(),
  };
  private readonly seqs: Record<LayerName, number> = {
    traffic: 0,
    cameras: 0,
    incidents: 0,
    alerts: 0,
    alarms: 0,
    units: 0,
  };

  add<L extends Coalesced>(layer: L, items: LayerItems[L][]): void {
    const m = this.pending[layer] as Map<string, LayerItems[L]>;
    for (const it of items) {
      // delete first so the map's order is the order of the latest change
      m.delete(it.id);
      m.set(it.id, it);
    }
  }

  /** Takes every pending change as one delta per layer that has any. */
  flush(now: number): Delta[] {
    const out: Delta[] = [];
    for (const layer of Object.keys(this.pending) as Coalesced[]) {
      const m = this.pending[layer];
      if (m.size === 0) continue;
      this.seqs[layer]++;
      out.push({ layer, seq: this.seqs[layer], ts: now, items: [...m.values()] } as Delta);
      m.clear();
    }
    return out;
  }

  /** The seq of the latest delta of a layer (0 before the first). */
  seq(layer: LayerName): number {
    return this.seqs[layer];
  }

  /** For alerts, which are pushed one by one: the next seq. */
  nextSeq(layer: LayerName): number {
    return ++this.seqs[layer];
  }

  pendingCount(): number {
    return (
      this.pending.traffic.size +
      this.pending.cameras.size +
      this.pending.incidents.size +
      this.pending.alarms.size
    );
  }
}
