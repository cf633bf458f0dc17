// npm run device -- <command>: MQTT devices and their credentials, in the IOC's database.
import type { DeviceChanged, DeviceView } from '#contract/auth.ts';
import { DeviceError, DevicesRepo } from '../auth/devices.ts';
import { allAssetIds, hasCityModel } from '../store/assetsRepo.ts';
import type { Db } from '../store/db.ts';
import { CliError, dbCommand, parseCommandLine, runIfMain } from './command.ts';

const HELP = `MQTT devices of the IOC: who may publish, and for which assets.

usage: npm run device -- <command> [options]

  add <id> --name "Name" (--assets seg-1,cam-2 | --all-assets) [--report]
                      register a device; prints its MQTT password once
  list                the devices, their assets and state
  update <id> [--name "Name"] [--assets a,b | --all-assets] [--report | --no-report]
  disable <id>        refuse its logins; an open connection to the embedded broker ends within a minute
  enable <id>
  rotate <id>         a new password (printed once); the old one stops working

The device id is its MQTT username: 1–63 of a-z 0-9 - _. A device publishes only to
ioc/traffic/<segment>, ioc/camera/<camera>/status and ioc/camera/<camera>/event of its own
assets, and to ioc/incident/report with --report.

Reads the same settings as the IOC: DATABASE_URL, else the embedded database under DATA_DIR
(which a running IOC holds: stop it first, or use the admin page). The embedded broker sees a
change within 30 s; Mosquitto after \`npm run mosquitto-config\` and a reload.
`;

interface Parsed {
  command: string;
  id?: string;
  name?: string;
  assets?: string[];
  allAssets: boolean;
  report?: boolean;
}

const OPTIONS = {
  name: { type: 'string' },
  assets: { type: 'string' },
  'all-assets': { type: 'boolean' },
  report: { type: 'boolean' },
  'no-report': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses the command line; throws a CliError with what is wrong. */
export function parseDeviceArgs(argv: string[]): Parsed | 'help' {
  const parsed = parseCommandLine(argv, OPTIONS, HELP);
  if (parsed === 'help') return 'help';
  const { values, positionals } = parsed;
  const [command, id, ...rest] = positionals;
  if (rest.length) throw new CliError(`unexpected: ${rest.join(' ')}`);
  if (!['add', 'list', 'update', 'disable', 'enable', 'rotate'].includes(command))
    throw new CliError(`unknown command "${command}"\n\n${HELP}`);
  if (command !== 'list' && !id)
    throw new CliError(`${command}: which device? (npm run device -- ${command} <id>)`);
  if (values.report && values['no-report']) throw new CliError('--report or --no-report, not both');
  if (values.assets !== undefined && values['all-assets'])
    throw new CliError('--assets or --all-assets, not both');
  const assets = values.assets
    ?.split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (command === 'add') {
    if (!values.name) throw new CliError('add: --name "..." is required');
    if (!assets?.length && !values['all-assets'] && !values.report)
      throw new CliError(
        'add: --assets a,b,c (or --all-assets, or --report) is required: else it may publish nothing',
      );
  }
  return {
    command,
    id,
    name: values.name,
    assets,
    allAssets: Boolean(values['all-assets']),
    report: values.report ? true : values['no-report'] ? false : undefined,
  };
}

async function allAssets(db: Db): Promise<string[]> {
  const ids = await allAssetIds(db);
  if (!ids.length)
    throw new CliError('the database holds no city model yet: start the IOC once, then try again');
  return ids;
}

function printSecret(out: DeviceChanged, what: string): void {
  process.stdout.write(
    `${what}\n  MQTT username: ${out.device.username}\n  MQTT password: ${out.secret}\n` +
      'The password is shown this once: put it in the device now. (Lost? `npm run device -- rotate <id>`.)\n' +
      'With Mosquitto: run `npm run mosquitto-config` and reload Mosquitto for the change to apply.\n',
  );
}

function describe(d: DeviceView): string {
  const assets =
    d.assets.length > 4 ? `${d.assets.slice(0, 4).join(',')},… (${d.assets.length})` : d.assets.join(',');
  return [
    d.id,
    d.disabled ? 'DISABLED' : 'enabled',
    d.mayReport ? 'reports' : '-',
    assets || '(none)',
    d.name,
  ].join('\t');
}

async function run(p: Parsed, repo: DevicesRepo, db: Db): Promise<void> {
  const id = p.id as string;
  const assets = p.allAssets ? await allAssets(db) : p.assets;
  switch (p.command) {
    case 'add':
      printSecret(
        await repo.create(id, p.name as string, assets ?? [], p.report ?? false),
        `device ${id} registered (${assets?.length ?? 0} assets${p.report ? ', may report incidents' : ''})`,
      );
      return;
    case 'list': {
      const list = await repo.list();
      process.stdout.write(
        list.length
          ? `id\tstate\treport\tassets\tname\n${list.map(describe).join('\n')}\n`
          : 'no devices yet: npm run device -- add <id> --name "..." --assets seg-1,cam-2\n',
      );
      return;
    }
    case 'update': {
      const out = await repo.update(id, { name: p.name, assets, mayReport: p.report });
      process.stdout.write(`updated: ${describe(out.device)}\n`);
      return;
    }
    case 'disable':
    case 'enable': {
      const out = await repo.update(id, { disabled: p.command === 'disable' });
      process.stdout.write(`${id} ${out.device.disabled ? 'disabled' : 'enabled'}\n`);
      return;
    }
    case 'rotate':
      printSecret(await repo.update(id, { rotateSecret: true }), `device ${id}: new password`);
      return;
  }
}

const main = dbCommand({
  help: HELP,
  parse: parseDeviceArgs,
  run: async (db, p) => {
    try {
      await run(p, new DevicesRepo(db), db);
    } catch (err) {
      if (err instanceof DeviceError) {
        const empty = err.code === 'unknown_asset' && !(await hasCityModel(db));
        throw new CliError(
          empty ? `${err.message}\n(the database holds no city model yet: start the IOC once)` : err.message,
        );
      }
      throw err;
    }
  },
});

runIfMain(import.meta.url, main);
