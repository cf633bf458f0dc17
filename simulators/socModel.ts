// The province's SOC, simulated (issue 15): Wazuh alerts about the public systems (ioc/security/event) and
// the systems themselves, served in-process on ports of their own so that the IOC's probe has something to
// check. The webmail goes down for a few minutes every half hour: the availability figures and the
// `system_down` alarm have something to show.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { topics } from '#contract/mqtt.ts';
import type { SimulatedSystem } from '#contract/simulation.ts';
import { createRng } from './rng.ts';
import type { SimMessage } from './simulation.ts';

/** The simulated systems (their `url` is set when served) and the agent names their events carry. */
export const SOC_SYSTEMS: ReadonlyArray<Omit<SimulatedSystem, 'url'>> = [
  {
    id: 'cong-thong-tin',
    nameVi: 'Cổng thông tin điện tử tỉnh',
    nameEn: 'Provincial web portal',
    kind: 'portal',
    agent: 'portal-web01',
  },
  {
    id: 'dich-vu-cong',
    nameVi: 'Cổng dịch vụ công',
    nameEn: 'Public-service portal',
    kind: 'public_service',
    agent: 'dvc-app01',
  },
  {
    id: 'thu-dien-tu',
    nameVi: 'Thư điện tử công vụ',
    nameEn: 'Government email',
    kind: 'email',
    agent: 'mail-gw01',
  },
];

/** Wazuh rules the simulated SOC sees, with their level and groups (an active response blocks). */
const RULES = [
  {
    id: '5710',
    level: 5,
    description: 'sshd: Attempt to login using a non-existent user',
    groups: ['syslog', 'sshd', 'invalid_login'],
    w: 30,
  },
  {
    id: '5712',
    level: 10,
    description: 'sshd: brute force trying to get access to the system. Non existent user.',
    groups: ['syslog', 'sshd', 'authentication_failures'],
    w: 8,
  },
  {
    id: '31103',
    level: 7,
    description: 'SQL injection attempt.',
    groups: ['web', 'accesslog', 'attack', 'sql_injection'],
    w: 10,
  },
  {
    id: '31151',
    level: 10,
    description: 'Multiple web server 400 error codes from same source ip.',
    groups: ['web', 'accesslog', 'web_scan', 'recon'],
    w: 10,
  },
  {
    id: '651',
    level: 3,
    description: 'Host Blocked by firewall-drop Active Response',
    groups: ['ossec', 'active_response'],
    w: 12,
  },
  {
    id: '31516',
    level: 12,
    description: 'Suspicious URL access: webshell upload attempt.',
    groups: ['web', 'accesslog', 'attack'],
    w: 3,
  },
  {
    id: '87105',
    level: 13,
    description: 'VirusTotal: Alert - malicious file detected',
    groups: ['virustotal'],
    w: 1,
  },
  {
    id: '100200',
    level: 15,
    description: 'Ransomware behaviour: mass file encryption detected',
    groups: ['windows', 'ransomware'],
    w: 0.2,
  },
];
const SOURCES = [
  '203.0.113.7',
  '198.51.100.23',
  '192.0.2.44',
  '45.155.205.99',
  '185.220.101.4',
  '103.75.190.12',
];

/** Alerts the simulated SOC raised in [from, to): about `perHour` an hour, deterministic for a seed. */
export function siemAlerts(seed: number, from: number, to: number, perHour = 6): SimMessage[] {
  const out: Array<{ t: number; m: SimMessage }> = [];
  const H = 3_600_000;
  const weights = RULES.map((r) => r.w);
  for (let h = Math.floor(from / H) * H; h < to; h += H) {
    // one generator per hour: the same hour gives the same alerts, whatever window asks for it
    const rng = createRng((seed * 7919 + h / H) >>> 0);
    const n = rng.poisson(perHour);
    for (let i = 0; i < n; i++) {
      const t = h + Math.floor(rng.next() * H);
      const rule = RULES[rng.weighted(weights)] ?? RULES[0];
      const k = rng.int(0, SOC_SYSTEMS.length - 1);
      const sys = SOC_SYSTEMS[k];
      const srcip = rng.pick(SOURCES);
      if (t < from || t >= to || !rule || !sys) continue;
      out.push({
        t,
        m: {
          topic: topics.securityEvent(),
          payload: {
            // as Wazuh writes it: an offset without a colon
            timestamp: new Date(t).toISOString().replace('Z', '+0000'),
            id: `${Math.floor(t / 1000)}.${h / H}${i}`,
            rule: { id: rule.id, level: rule.level, description: rule.description, groups: rule.groups },
            agent: { name: sys.agent, ip: `10.20.0.${k + 11}` },
            data: { srcip },
          },
        },
      });
    }
  }
  return out.sort((a, b) => a.t - b.t).map((x) => x.m);
}

/** Whether the simulated webmail is down at `ms`: 4 minutes of every 30. */
export const mailDown = (ms: number): boolean => Math.floor(ms / 60_000) % 30 >= 26;

/** Serves the simulated systems on 127.0.0.1, a port each; answers them with their addresses. */
export async function serveSystems(now: () => number = Date.now): Promise<{
  systems: SimulatedSystem[];
  stop(): Promise<void>;
}> {
  const servers: http.Server[] = [];
  const systems: SimulatedSystem[] = [];
  for (const s of SOC_SYSTEMS) {
    const server = http.createServer((_req, res) => {
      if (s.kind === 'email' && mailDown(now())) {
        res.statusCode = 503;
        res.end('maintenance');
        return;
      }
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>${s.nameVi}</title><h1>${s.nameVi}</h1>`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    servers.push(server);
    systems.push({ ...s, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
  }
  return {
    systems,
    stop: async () => {
      await Promise.all(
        servers.map(
          (sv) =>
            new Promise<void>((r) => {
              sv.close(() => r());
              sv.closeAllConnections();
            }),
        ),
      );
    },
  };
}
