// The product: the IOC server with the simulators plugged in. `npm start` and `npm run dev` run this file;
// server/main.ts is the composition root it starts (and the server never imports simulators/).
import { type Config, ConfigError, loadConfig } from './server/config.ts';
import { PortInUseError } from './server/ingest/embeddedBroker.ts';
import { loggerFor, type RunningIoc, startIoc } from './server/main.ts';
import { DataDirInUseError } from './server/store/dataDirLock.ts';
import { simulators } from './simulators/plugin.ts';

async function cli(): Promise<void> {
  let cfg: Config;
  try {
    cfg = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = loggerFor(cfg);
  let ioc: RunningIoc;
  try {
    ioc = await startIoc(cfg, { log, simulation: simulators });
  } catch (err) {
    if (err instanceof PortInUseError || err instanceof DataDirInUseError) {
      console.error(`\n${err.message}\n`);
      process.exit(1);
    }
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    log.fatal({ err }, 'could not start');
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal: sig }, 'stopping: writing what is pending');
    setTimeout(() => {
      log.error('could not stop within 20 s; exiting anyway');
      process.exit(1);
    }, 20_000).unref();
    ioc.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void cli();
