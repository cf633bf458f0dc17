// npm run mosquitto-config: Mosquitto's password file, ACL and a configuration, from the IOC's devices.

import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { topics } from '#contract/mqtt.ts';
import { SOC_DETECTED } from '#contract/securityVocab.ts';
import { DEVICE_ID, DevicesRepo } from '../auth/devices.ts';
import { generateSecret, mosquittoHash } from '../auth/secrets.ts';
import { cityAssetIds } from '../store/assetsRepo.ts';
import type { Db } from '../store/db.ts';
import type { DeviceRecord } from '../store/devicesRepo.ts';
import { CliError, dbCommand, runIfMain } from './command.ts';

const HELP = `Writes Mosquitto 2.x files that let in the IOC's devices, each publishing only for its own
assets, and the IOC's ingest user (read only):

  <out>/passwd     device usernames with their Mosquitto-format hashes, and the ingest user
  <out>/acl        per device: topic write ioc/traffic/<segment>, ioc/camera/<camera>/status|event,
                   ioc/kpi/<indicator>, each for its own assets of that kind, ioc/unit/<unit>/position
                   for its units, ioc/security/event when it owns soc_attacks_detected
                   (and ioc/incident/report when it may report); ingest: topic read ioc/#
  <out>/ioc.conf   deploy/mosquitto/mosquitto.conf with allow_anonymous false, password_file, acl_file

usage: npm run mosquitto-config -- [options]

  --out DIR                   where to write (default ./mosquitto-auth)
  --server-user NAME          the IOC's ingest user, its MQTT_USERNAME (default ioc-server)
  --server-password-file F    a file holding its password; default <out>/server-password,
                              made with a random password the first time
  --port N                    the listener's port in ioc.conf (default 1883)
  --bind ADDR                 the listener's address (default: all)
  --persistence DIR           where Mosquitto keeps its sessions (default /var/lib/mosquitto/);
                              made, and given to user mosquitto, when this runs as root

Run as root (as Mosquitto's service starts), <out> is made readable by group mosquitto only:
Mosquitto reads the files after dropping root for user mosquitto.

Disabled devices are left out. Run it again after adding, disabling or rotating a device, then
reload Mosquitto (kill -HUP <pid>, or systemctl reload mosquitto). Reads DATABASE_URL, else the
embedded database under DATA_DIR (which a running IOC holds: stop it first).
`;

const TEMPLATE = fileURLToPath(new URL('../../deploy/mosquitto/mosquitto.conf', import.meta.url));
/** What may stand in a password-file username or an ACL topic level. */
const SAFE_USER = /^[A-Za-z0-9._:@-]{1,64}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
const SAFE_LEVEL = /^[^\s/+#\u0000-\u001f\u007f]{1,128}$/;

export interface MosquittoConfigOptions {
  outDir: string;
  serverUser: string;
  serverPassword: string;
  port: number;
  bind?: string;
  /** Mosquitto's persistence_location (default: the template's, /var/lib/mosquitto/) */
  persistence?: string;
  /** the configuration ioc.conf starts from (default deploy/mosquitto/mosquitto.conf) */
  template?: string;
}

/** The city's segments and cameras: an owned id opens only the topics of its kind; any other id is an indicator. */
export interface AssetIds {
  segments: ReadonlySet<string>;
  cameras: ReadonlySet<string>;
}

export interface MosquittoFiles {
  passwd: string;
  acl: string;
  conf: string;
}

/** The three files' text for these devices (disabled ones left out). */
export function renderMosquittoFiles(
  devices: DeviceRecord[],
  assets: AssetIds,
  o: MosquittoConfigOptions,
): MosquittoFiles {
  if (!SAFE_USER.test(o.serverUser))
    throw new CliError(`--server-user: 1–64 of A-Z a-z 0-9 . _ : @ -, got ${JSON.stringify(o.serverUser)}`);
  if (devices.some((d) => d.device.username === o.serverUser))
    throw new CliError(`--server-user ${o.serverUser} is also a device's username: choose another`);
  const active = devices.filter((d) => !d.device.disabled && DEVICE_ID.test(d.device.username));
  const stamp = `# written by npm run mosquitto-config, ${new Date().toISOString()}; do not edit: run it again\n`;
  const passwd = [
    `${o.serverUser}:${mosquittoHash(o.serverPassword)}`,
    ...active.map((d) => `${d.device.username}:${d.secretHash}`),
  ].join('\n');
  const acl: string[] = [
    stamp.trimEnd(),
    '# nothing for anonymous clients (allow_anonymous false)',
    '',
    '# the IOC ingest: reads every topic of the contract (also as $share/<group>/ioc/#), publishes none',
    `user ${o.serverUser}`,
    'topic read ioc/#',
  ];
  for (const { device } of active) {
    acl.push('', `# ${device.name.replace(/[\r\n]/g, ' ')}`, `user ${device.username}`);
    for (const a of device.assets) {
      if (!SAFE_LEVEL.test(a)) continue;
      // the topics of the asset's kind, as the embedded broker allows (brokerAuth.ts publishDenial)
      if (assets.segments.has(a)) acl.push(`topic write ${topics.traffic(a)}`);
      else if (assets.cameras.has(a))
        acl.push(`topic write ${topics.cameraStatus(a)}`, `topic write ${topics.cameraEvent(a)}`);
      // any other id: an indicator, or a unit (registered as it comes, so not known here)
      else acl.push(`topic write ${topics.kpi(a)}`, `topic write ${topics.unitPosition(a)}`);
    }
    // SIEM events count into soc_attacks_detected: its owner may send them (brokerAuth.ts publishDenial)
    if (device.assets.includes(SOC_DETECTED)) acl.push(`topic write ${topics.securityEvent()}`);
    if (device.mayReport) acl.push(`topic write ${topics.incidentReport()}`);
  }
  const outDir = path.resolve(o.outDir);
  const auth = [
    '# Devices log in (npm run device); each publishes only for its own assets (acl).',
    'allow_anonymous false',
    `password_file ${path.join(outDir, 'passwd')}`,
    `acl_file ${path.join(outDir, 'acl')}`,
  ].join('\n');
  const listener = `listener ${o.port}${o.bind ? ` ${o.bind}` : ''}`;
  let conf = o.template ?? readFileSync(TEMPLATE, 'utf8');
  conf = conf.replace(/^# Open for a lab;.*\n/m, '');
  conf = /^listener .*$/m.test(conf) ? conf.replace(/^listener .*$/m, listener) : `${listener}\n${conf}`;
  conf = /^allow_anonymous .*$/m.test(conf)
    ? conf.replace(/^allow_anonymous .*$/m, auth)
    : `${conf.trimEnd()}\n${auth}\n`;
  if (o.persistence) {
    const loc = `persistence_location ${path.resolve(o.persistence)}/`;
    conf = /^persistence_location .*$/m.test(conf)
      ? conf.replace(/^persistence_location .*$/m, loc)
      : `${conf.trimEnd()}\n${loc}\n`;
  }
  return { passwd: `${passwd}\n`, acl: `${acl.join('\n')}\n`, conf: `${stamp}${conf}` };
}

/** The uid or gid of `mosquitto` in /etc/passwd or /etc/group, when this runs as root (Mosquitto drops to that user). */
function mosquittoId(file: '/etc/passwd' | '/etc/group'): number | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('mosquitto:'));
    const id = line ? Number(line.split(':')[2]) : Number.NaN;
    return Number.isInteger(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes `dir` (0750) and, as root, gives it to group mosquitto, whether this run made it or an earlier
 * step did (the server password is written into it first): Mosquitto, as user mosquitto, must reach
 * the files in it.
 */
export function prepareOutDir(dir: string): void {
  const gid = mosquittoId('/etc/group');
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o750 });
  if (gid === undefined) return;
  const st = statSync(dir);
  if (st.uid === 0 && st.gid !== gid) {
    chownSync(dir, 0, gid);
    chmodSync(dir, (st.mode & 0o777) | 0o050);
  }
}

/** As root: the persistence folder, made if missing, writable by user mosquitto. */
function preparePersistence(dir: string): void {
  const uid = mosquittoId('/etc/passwd');
  const gid = mosquittoId('/etc/group');
  if (existsSync(dir) || uid === undefined || gid === undefined) return;
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  chownSync(dir, uid, gid);
}

/** Replaces a file in one step, so a Mosquitto reloading meanwhile reads the old or the new one, not half. */
function writeAtomic(file: string, text: string, mode: number, gid: number | undefined): void {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  if (gid !== undefined) chownSync(tmp, 0, gid);
  renameSync(tmp, file);
}

/** Writes passwd, acl and ioc.conf under `o.outDir` from the devices in `db`. */
export async function writeMosquittoConfig(
  db: Db,
  o: MosquittoConfigOptions,
): Promise<{ dir: string; devices: number; disabled: number; files: MosquittoFiles }> {
  const records = await new DevicesRepo(db).records();
  const files = renderMosquittoFiles(records, await cityAssetIds(db), o);
  const dir = path.resolve(o.outDir);
  // Mosquitto reads the files after dropping root for user mosquitto: readable by its group, not by all
  const gid = mosquittoId('/etc/group');
  prepareOutDir(dir);
  if (o.persistence) preparePersistence(path.resolve(o.persistence));
  writeAtomic(path.join(dir, 'passwd'), files.passwd, 0o640, gid);
  writeAtomic(path.join(dir, 'acl'), files.acl, 0o640, gid);
  writeAtomic(path.join(dir, 'ioc.conf'), files.conf, 0o644, gid);
  const disabled = records.filter((r) => r.device.disabled).length;
  return { dir, devices: records.length - disabled, disabled, files };
}

export function parseMosquittoArgs(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      out: { type: 'string', default: 'mosquitto-auth' },
      'server-user': { type: 'string', default: 'ioc-server' },
      'server-password-file': { type: 'string' },
      port: { type: 'string', default: '1883' },
      bind: { type: 'string' },
      persistence: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new CliError(`--port: 1–65535, got ${values.port}`);
  return { ...values, port };
}

/** The ingest user's password: from the file given, else <out>/server-password (made once, random). */
function serverPassword(
  file: string | undefined,
  outDir: string,
): { password: string; file: string; made: boolean } {
  const f = path.resolve(file ?? path.join(outDir, 'server-password'));
  if (existsSync(f)) {
    const password = readFileSync(f, 'utf8').replace(/\r?\n$/, '');
    if (!password) throw new CliError(`${f} is empty`);
    return { password, file: f, made: false };
  }
  if (file) throw new CliError(`--server-password-file ${f}: no such file`);
  mkdirSync(path.dirname(f), { recursive: true, mode: 0o750 });
  const password = generateSecret();
  writeFileSync(f, `${password}\n`, { mode: 0o600 });
  return { password, file: f, made: true };
}

const main = dbCommand({
  help: HELP,
  parse: (argv) => {
    let args: ReturnType<typeof parseMosquittoArgs>;
    try {
      args = parseMosquittoArgs(argv);
    } catch (err) {
      throw new CliError(`${err instanceof Error ? err.message : err}\n\n${HELP}`);
    }
    return args.help ? 'help' : args;
  },
  run: async (db, args, where) => {
    // before the server password goes into it: made (or fixed) with the group Mosquitto reads it as
    prepareOutDir(path.resolve(args.out));
    const pw = serverPassword(args['server-password-file'], args.out);
    const r = await writeMosquittoConfig(db, {
      outDir: args.out,
      serverUser: args['server-user'],
      serverPassword: pw.password,
      port: args.port,
      bind: args.bind,
      persistence: args.persistence,
    });
    process.stdout.write(
      [
        `devices from ${where}: ${r.devices} written${r.disabled ? `, ${r.disabled} disabled left out` : ''}`,
        `wrote ${path.join(r.dir, 'passwd')}, ${path.join(r.dir, 'acl')}, ${path.join(r.dir, 'ioc.conf')}`,
        pw.made
          ? `made a password for the IOC's ingest user in ${pw.file}`
          : `ingest user's password: ${pw.file}`,
        '',
        'Start Mosquitto with it (or reload a running one: kill -HUP <pid>):',
        `  mosquitto -c ${path.join(r.dir, 'ioc.conf')}`,
        'and the IOC with:',
        `  MQTT_URL=mqtt://<host>:${args.port} MQTT_USERNAME=${args['server-user']} MQTT_PASSWORD="$(cat ${pw.file})" npm start`,
        '',
      ].join('\n'),
    );
  },
});

runIfMain(import.meta.url, main);
