import type { AlarmEventType } from '#contract/alarmLifecycle.ts';
import type { AlarmItem } from '#contract/alarms.ts';
import type { MyReportView } from '#contract/incidentsApi.ts';
import type { AlertItem, IncidentItem } from '#contract/live.ts';
import type { TopicKind } from '#contract/mqtt.ts';
import type { SecuritySystemView } from '#contract/securityVocab.ts';
import type { FieldTask, UnitItem } from '#contract/units.ts';
import type { RejectReason } from '#contract/vocab.ts';
import type { StateChanges } from './domain/cityState.ts';
import type { IndicatorRecord, IngestBatch } from './domain/records.ts';
import type { IgnoreReason } from './ingest/ingestPipeline.ts';
import type { LiveDropReason } from './live/liveGateway.ts';

/** Events that flow one way: ingest → bus → live → alerts → bus → live (and metrics). */
export interface BusEvents {
  /** a batch has been written to the database (duplicates included: applying one twice changes nothing) */
  'ingest:written': {
    batch: IngestBatch;
    incidents: IncidentItem[];
    /** the indicator values of the batch that were new (`stored`) or replaced a figure (`revised`); the others were duplicates */
    indicatorStatus: ReadonlyMap<IndicatorRecord, 'stored' | 'revised'>;
  };
  /** incidents changed outside ingest (console steps, field reports, Open311, a simulation's desk) */
  'incidents:changed': IncidentItem[];
  /** what a batch or an incident change did to the live state (the alert rules read it) */
  'state:changed': StateChanges;
  /** the security module probed the inventory's systems (every system, its latest probe) */
  'security:probed': { systems: SecuritySystemView[]; at: number };
  alert: AlertItem;
  /** a field report as its reporter sees it changed (a step, a note): to that account's connections */
  'reports:changed': { ownerUserId: string; report: MyReportView };
  /**
   * alarms changed (by the engine, an operator, an admin, or another instance: read back from the
   * database); an item in `normal` has left the list. The live `alarms` layer and the metrics read it.
   */
  'alarms:changed': AlarmItem[];
  /** transitions made on this instance, by event (the metrics) */
  'alarms:transitions': { event: AlarmEventType; count: number };
  /** flood control after each engine pass: in flood (EEMUA 191) and how many announcements the cap held */
  'alarms:flood': { inFlood: boolean; held: number };
  /** an admin changed the rules' settings or the assets out of service on this instance: read them again */
  'alarms:settings': { what: 'rules' | 'out_of_service' };
  /** units moved, or changed status or duty (the live `units` layer reads it) */
  'units:changed': UnitItem[];
  /** a task of a unit was assigned or changed: pushed to the unit's field account */
  'tasks:changed': { account: string; task: FieldTask };
  /** counts of messages stored by topic kind, per flush */
  'ingest:stored': { byKind: Record<TopicKind, number>; duplicates: number; writeMs: number; lagMs: number };
  'ingest:rejected': { reason: RejectReason; topic: string };
  /** a message taken and deliberately not stored (a broker's retained copy, an empty payload) */
  'ingest:ignored': { reason: IgnoreReason; topic: string };
  /** a batch write failed: the database was unavailable (the batch is kept and retried) or refused rows of it (data) */
  'ingest:write_failed': { cause: 'unavailable' | 'data' };
  /** a batch is written again after the database was unavailable */
  'ingest:write_retried': Record<string, never>;
  /** a field report refused for the cost of decoding its photos (the account's budget, or busy) */
  'photos:refused': { reason: 'photo_budget' | 'busy' };
  /** the live gateway dropped a client that flooded it or did not read */
  'live:dropped': { reason: LiveDropReason };
}

type Listener<K extends keyof BusEvents> = (payload: BusEvents[K]) => void;

/** A typed in-process event bus; listeners register under a key so a feature can remove all of its own. */
export class Bus {
  private readonly listeners = new Map<keyof BusEvents, Array<{ key: string; fn: Listener<never> }>>();

  on<K extends keyof BusEvents>(event: K, key: string, fn: Listener<K>): void {
    const list = this.listeners.get(event) ?? [];
    list.push({ key, fn: fn as Listener<never> });
    this.listeners.set(event, list);
  }

  /** Calls every listener; one that throws is reported and does not stop the others. */
  emit<K extends keyof BusEvents>(event: K, payload: BusEvents[K]): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        (l.fn as Listener<K>)(payload);
      } catch (err) {
        this.onListenerError(err, event, l.key);
      }
    }
  }

  /** Removes every listener registered under `key`. */
  removeAll(key: string): void {
    for (const [event, list] of this.listeners) {
      this.listeners.set(
        event,
        list.filter((l) => l.key !== key),
      );
    }
  }

  onListenerError: (err: unknown, event: string, key: string) => void = (err, event, key) => {
    console.error(`bus listener ${key} failed on ${event}:`, err);
  };
}
