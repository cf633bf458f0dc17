import client from 'prom-client';
import type { DeviceView } from '#contract/auth.ts';
import { parseTopic } from '#contract/mqtt.ts';
import { SOC_DETECTED } from '#contract/securityVocab.ts';
import type { AuditInput, AuditLog } from '../domain/audit.ts';
import type { BrokerAuth, BrokerDenial, BrokerDenialReason } from './embeddedBroker.ts';

/**
 * What the broker needs of the devices (server/auth/devices.ts's DevicesRepo): handed in, so that
 * ingest reads no table itself.
 */
export interface DeviceCredentials {
  /** the device these credentials belong to, or null (unknown, wrong secret, disabled) */
  verify(username: string | undefined, password: string | undefined): Promise<DeviceView | null>;
  /** the device as it is now, or null when its connection should end (disabled, secret rotated) */
  recheck(device: DeviceView): Promise<DeviceView | null>;
}

/**
 * The IOC's own login to its embedded broker, made fresh by each process and known to nobody else
 * (server/auth/secrets.ts's internalCredentials).
 */
export interface ServerLogin {
  username: string;
  /** whether a password given at login is this login's, compared in constant time */
  matches(password: string): boolean;
}

// What a device may publish: the embedded broker asks for every message

/**
 * Why a device may not publish to a topic: not a topic of the contract, an asset it does not own, a report
 * it may not make, or the device is disabled.
 */
export type PublishDenial = 'topic' | 'asset' | 'report' | 'revoked';

const assetSets = new WeakMap<DeviceView, Set<string>>();

/** The device's assets as a Set, made once per device object: O(1) checks for a device owning thousands. */
function assetSet(device: DeviceView): Set<string> {
  let s = assetSets.get(device);
  if (!s) {
    s = new Set(device.assets);
    assetSets.set(device, s);
  }
  return s;
}

/** What an owned id names: a segment, a camera, else an indicator of the feed. */
export type AssetKindOf = (id: string) => 'segment' | 'camera' | 'indicator';

/** The kind of asset each topic is for. */
const TOPIC_ASSET = {
  traffic: 'segment',
  camera_status: 'camera',
  camera_event: 'camera',
  indicator: 'indicator',
} as const;

/**
 * Why `device` may not publish to `topic`, or null when it may: the contract's topics only;
 * `ioc/traffic/{id}` for a segment it owns, `ioc/camera/{id}/status|event` for a camera it owns,
 * `ioc/kpi/{id}` for an indicator it owns (with `kindOf`; without, any owned id for any of them, as
 * before the kinds were known); `ioc/incident/report` with mayReport. The ACL that
 * `npm run mosquitto-config` writes grants the same topics.
 */
export function publishDenial(device: DeviceView, topic: string, kindOf?: AssetKindOf): PublishDenial | null {
  if (device.disabled) return 'revoked';
  const t = parseTopic(topic);
  if (!t) return 'topic';
  if (t.kind === 'incident_report') return device.mayReport ? null : 'report';
  // SIEM events count into soc_attacks_detected: a device that owns it may send them
  if (t.kind === 'security_event') return assetSet(device).has(SOC_DETECTED) ? null : 'asset';
  // an indicator is owned like an asset: its id in the device's list
  const id = t.kind === 'indicator' ? t.indicatorId : t.assetId;
  if (!assetSet(device).has(id)) return 'asset';
  // a unit is owned by its id alone (units are registered as they come, not part of the city's assets)
  if (t.kind === 'unit_position') return null;
  return kindOf && kindOf(id) !== TOPIC_ASSET[t.kind] ? 'asset' : null;
}

/** The kinds of the city's assets: its segments and cameras; any other id is an indicator. */
export function assetKinds(segments: Iterable<string>, cameras: Iterable<string>): AssetKindOf {
  const seg = new Set(segments);
  const cam = new Set(cameras);
  return (id) => (seg.has(id) ? 'segment' : cam.has(id) ? 'camera' : 'indicator');
}

/** Whether `device` may publish to `topic` (see publishDenial). Pure; O(1) after the device's first check. */
export function mayPublish(device: DeviceView, topic: string): boolean {
  return publishDenial(device, topic) === null;
}

export interface ThrottledAudit {
  /** records `e` at once the first time `key` is seen; repeats within the window are counted into one later entry */
  record(key: string, e: AuditInput): void;
  /** writes the counts still pending */
  stop(): void;
}

/**
 * At most one audit entry per key per window: the first occurrence is written at once (`details.count` 1),
 * later ones are counted and written as one entry (`details.count` n, `details.repeated` true) when the
 * window ends. A device publishing a wrong topic a thousand times a second adds one row a minute.
 * Past `maxKeys` distinct keys (a flood of different usernames), the rest of the window shares one key.
 */
export function throttledAudit(
  audit: AuditLog,
  opts: { windowMs?: number; maxKeys?: number; now?: () => number; onEntry?: (e: AuditInput) => void } = {},
): ThrottledAudit {
  const windowMs = opts.windowMs ?? 60_000;
  const maxKeys = opts.maxKeys ?? 5_000;
  const now = opts.now ?? Date.now;
  const windows = new Map<string, { e: AuditInput; since: number; count: number }>();
  const write = (e: AuditInput) => {
    audit.record(e);
    opts.onEntry?.(e);
  };
  const flushRepeats = (all: boolean) => {
    const t = now();
    for (const [k, w] of windows) {
      if (!all && t - w.since < windowMs) continue;
      if (w.count > 0) {
        write({
          ...w.e,
          ts: t,
          details: { ...w.e.details, count: w.count, repeated: true, since: new Date(w.since).toISOString() },
        });
        w.since = t;
        w.count = 0;
      } else windows.delete(k);
    }
    if (all) windows.clear();
  };
  const timer = setInterval(() => flushRepeats(false), Math.max(10, Math.floor(windowMs / 4)));
  timer.unref();
  return {
    record(key, e) {
      let k = key;
      let entry = e;
      if (!windows.has(k) && windows.size >= maxKeys) {
        k = `${e.action}|*`;
        entry = {
          ...e,
          actor: null,
          target: null,
          details: { ...e.details, note: 'many different callers' },
        };
      }
      const w = windows.get(k);
      if (w) {
        w.count++;
        return;
      }
      windows.set(k, { e: entry, since: now(), count: 0 });
      write({ ...entry, details: { ...entry.details, count: 1 } });
    },
    stop() {
      clearInterval(timer);
      flushRepeats(true);
    },
  };
}

/** Every reason of a refusal, so that each series of `ioc_mqtt_denied_total` exists from the start. */
const DENIAL_REASONS: Record<BrokerDenialReason, true> = {
  credentials: true,
  unavailable: true,
  topic: true,
  asset: true,
  report: true,
  server_publish: true,
  subscribe: true,
  revoked: true,
};

const ACTIONS: Record<BrokerDenial['kind'], { action: string; outcome: 'denied' | 'failed' }> = {
  connect: { action: 'mqtt.connect', outcome: 'failed' },
  publish: { action: 'mqtt.publish_denied', outcome: 'denied' },
  subscribe: { action: 'mqtt.subscribe_denied', outcome: 'denied' },
  revoked: { action: 'mqtt.disconnect', outcome: 'denied' },
};

const MESSAGES: Record<string, string> = {
  'mqtt.connect': 'MQTT login refused',
  'mqtt.publish_denied': 'MQTT publish refused: not a topic of this device',
  'mqtt.subscribe_denied':
    'MQTT subscription by a device: granted, but it receives nothing (only the IOC reads)',
  'mqtt.disconnect': 'MQTT device disconnected: disabled, or its secret changed',
};

/**
 * What the embedded broker enforces: the IOC's own client (subscribe only) and the devices of the
 * `devices` table (publish to their assets' topics only). Every refusal is counted in
 * `ioc_mqtt_denied_total{reason}` and audited, at most once a minute per device and topic.
 */
export function createBrokerAuth(o: {
  devices: DeviceCredentials;
  audit: AuditLog;
  server: ServerLogin;
  log: { warn(obj: object, msg: string): void };
  /** audit throttle window, default a minute */
  auditWindowMs?: number;
  /** what each owned id names, so a segment's id opens no camera topic (assetKinds) */
  assetKind?: AssetKindOf;
  sweepMs?: number;
}): { auth: BrokerAuth; denied: client.Counter<'reason'>; stop(): void } {
  // registered by the caller on the registry /metrics serves
  const denied = new client.Counter({
    name: 'ioc_mqtt_denied_total',
    help: 'MQTT connections, publishes and subscriptions the embedded broker refused, by reason',
    labelNames: ['reason'] as const,
    registers: [],
  });
  for (const reason of Object.keys(DENIAL_REASONS)) denied.inc({ reason }, 0);
  const audited = throttledAudit(o.audit, {
    windowMs: o.auditWindowMs,
    onEntry: (e) =>
      o.log.warn(
        { actor: e.actor, target: e.target, ip: e.ip, ...e.details },
        MESSAGES[e.action] ?? e.action,
      ),
  });
  const auth: BrokerAuth = {
    async authenticate(username, password) {
      if (username === o.server.username)
        return password !== undefined && o.server.matches(password) ? { kind: 'server' } : null;
      const device = await o.devices.verify(username, password);
      return device ? { kind: 'device', device } : null;
    },
    publishDenial: (device, topic) => publishDenial(device, topic, o.assetKind),
    recheck: (device) => o.devices.recheck(device),
    sweepMs: o.sweepMs,
    onDenied(d) {
      denied.inc({ reason: d.reason });
      const { action, outcome } = ACTIONS[d.kind];
      audited.record(`${action}|${d.actor ?? ''}|${d.topic ?? d.ip ?? ''}`, {
        actor: d.actor,
        role: d.role ?? 'device',
        action,
        target: d.topic ?? d.clientId ?? null,
        outcome,
        ip: d.ip ?? null,
        details: { reason: d.reason, ...(d.clientId ? { clientId: d.clientId } : {}) },
      });
    },
  };
  return { auth, denied, stop: () => audited.stop() };
}
