// Browser-test support: the whole IOC on its embedded defaults, in a temporary folder of its own.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config.ts';
import { type RunningIoc, startIoc } from '../../server/main.ts';
import { simulators } from '../../simulators/plugin.ts';
import { freePort } from './browser.ts';

/**
 * Starts the IOC with the embedded database and broker (broker on a free port), no simulators and
 * no demo accounts; `env` adds or overrides settings. `stop` stops it and removes its folder.
 */
export async function startTestIoc(
  name: string,
  env: Record<string, string> = {},
): Promise<{ ioc: RunningIoc; stop: () => Promise<void> }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `ioc-e2e-${name}-`));
  const removeDir = () => rm(dataDir, { recursive: true, force: true });
  const base = {
    HOST: '127.0.0.1',
    MQTT_PORT: '0',
    SIMULATE: 'false',
    DEMO_ACCOUNTS: 'false',
    LOG_LEVEL: 'warn',
  };
  try {
    const ioc = await startIoc(
      loadConfig({ ...base, PORT: String(await freePort()), DATA_DIR: dataDir, ...env }),
      { simulation: simulators },
    );
    return { ioc, stop: () => ioc.stop().finally(removeDir) };
  } catch (err) {
    await removeDir();
    throw err;
  }
}
