import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('gives the documented defaults on an empty environment: embedded broker, database and simulators', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 8080, MQTT_PORT: 1883, DATA_DIR: './data', simulate: true });
    expect(c.MQTT_URL).toBeUndefined();
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('turns the simulators off by default when an external broker is configured', () => {
    expect(loadConfig({ MQTT_URL: 'mqtt://127.0.0.1:1883' }).simulate).toBe(false);
    expect(loadConfig({ MQTT_URL: 'mqtt://127.0.0.1:1883', SIMULATE: 'true' }).simulate).toBe(true);
  });

  it('reads TRUST_PROXY as Express takes it: a boolean, a hop count, or addresses (loopback by default)', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe('loopback');
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toBe('loopback,10.0.0.0/8');
  });

  it('names every bad setting and its value in one message', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://db/x', SIMULATE: 'maybe' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/PORT="eighty"/);
    expect(msg).toMatch(/DATABASE_URL="mysql:\/\/db\/x".*postgres:\/\//);
    expect(msg).toMatch(/SIMULATE="maybe"/);
  });
});

describe('README', () => {
  it('documents every setting with its default', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = readme.slice(
      readme.indexOf('<!-- config:start -->'),
      readme.indexOf('<!-- config:end -->'),
    );
    for (const c of describeConfig()) {
      const cells = table
        .split('\n')
        .map((l) => l.split('|').map((x) => x.trim()))
        .find((r) => r[1] === `\`${c.name}\``);
      expect(cells, `README row for ${c.name}`).toBeDefined();
      expect(cells?.[2]).toBe(c.default ? `\`${c.default}\`` : 'unset');
    }
  });
});
