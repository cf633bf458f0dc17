import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
import { startIoc } from './main.ts';

// The server has no city and no simulation of its own: the product (ioc.ts) plugs the simulators in.
describe('startIoc without a simulation plugged in', () => {
  let dir: string;
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const config = async (env: Record<string, string>) => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ioc-main-'));
    return loadConfig({ DATA_DIR: dir, PORT: '0', MQTT_PORT: '0', LOG_LEVEL: 'silent', ...env });
  };

  it('refuses to start without CITY_FILE, before opening anything', async () => {
    const cfg = await config({ SIMULATE: 'false' });
    await expect(startIoc(cfg)).rejects.toThrow(ConfigError);
    await expect(startIoc(cfg)).rejects.toThrow(/CITY_FILE/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses SIMULATE with nothing to simulate', async () => {
    // (the file need not exist: the check comes before anything is read)
    const cfg = await config({ SIMULATE: 'true', CITY_FILE: '/nonexistent/city.geojson' });
    await expect(startIoc(cfg)).rejects.toThrow(/SIMULATE.*no simulation/);
  });
});
