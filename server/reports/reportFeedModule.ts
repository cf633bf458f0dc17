import type { MyReportView } from '#contract/incidentsApi.ts';
import type { IncidentItem } from '#contract/live.ts';
import type { IocModule, ModuleDeps } from '../modules/module.ts';

/** What the feed reads: the reports as their reporters see them (IncidentsRepo.reportViews). */
export interface ReportViews {
  reportViews(f: {
    incidentIds: string[];
    limit: number;
  }): Promise<Array<MyReportView & { ownerUserId: string }>>;
}

/**
 * The reporter's side of a field report (issue 15): when an operator changes one (a step, a note, a
 * merge), its reporter's phone hears of it at once (`reports:changed`, pushed by the live module to the
 * account's connections) instead of polling. Reports without an owner (MQTT, Open311) have no one to tell.
 */
export function reportFeedModule(o: { repo: ReportViews }): IocModule {
  const name = 'reportFeed';
  let deps: ModuleDeps | undefined;
  let pending: Promise<void> = Promise.resolve();
  const tell = async (d: ModuleDeps, items: IncidentItem[]) => {
    const ids = [...new Set(items.filter((i) => i.source === 'field').map((i) => i.id))];
    if (!ids.length) return;
    try {
      for (const v of await o.repo.reportViews({ incidentIds: ids, limit: ids.length })) {
        const { ownerUserId, ...report } = v;
        d.bus.emit('reports:changed', { ownerUserId, report });
      }
    } catch (err) {
      // the phone still has the list it fetches when it comes back to "my reports"
      d.log.warn({ err, ids }, 'report feed: reading the changed reports failed');
    }
  };
  return {
    name,
    start(d) {
      deps = d;
      // one read at a time, in the order of the changes: a phone never gets an older view after a newer one
      d.bus.on('incidents:changed', name, (items) => {
        pending = pending.then(() => tell(d, items));
      });
    },
    async stop() {
      deps?.bus.removeAll(name);
      await pending;
    },
  };
}
