// Test and benchmark support: a NATS server of our own, with JetStream and the MQTT listener, made from
// the project's configuration (deploy/nats/nats.conf), that a test may stop, kill and start again.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canConnect, freePort } from './net.ts';
import { eventually } from './wait.ts';

const CONF = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../deploy/nats/nats.conf');

export interface PrivateNats {
  /** nats://127.0.0.1:<port> */
  url: string;
  /** mqtt://127.0.0.1:<port>: NATS's MQTT listener, where devices publish */
  mqttUrl: string;
  dir: string;
  /** SIGTERM (a clean shutdown) or SIGKILL; resolves once it is gone */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** starts it again on the same ports and store */
  start(): Promise<void>;
  /** kills it and deletes its files; safe to call twice */
  dispose(): Promise<void>;
}

/** The nats-server binary: on PATH, or /usr/sbin; undefined when absent. */
export function natsServerBin(): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/bin']) {
    const f = path.join(dir, 'nats-server');
    if (dir && existsSync(f)) return f;
  }
  return undefined;
}

export async function startPrivateNats(): Promise<PrivateNats> {
  const bin = natsServerBin();
  if (!bin) throw new Error('nats-server is not installed');
  const [port, mqttPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ioc-nats-'));
  const conf = readFileSync(CONF, 'utf8')
    .replace(/^server_name: .*$/m, `server_name: ioc-nats-${port}`)
    .replace(/^listen: .*$/m, `listen: 127.0.0.1:${port}`)
    .replace(/^http: .*$/m, '')
    .replace(/store_dir: .*$/m, `store_dir: "${dir}/js"`)
    .replace(/^ {2}listen: .*$/m, `  listen: 127.0.0.1:${mqttPort}`);
  if (!conf.includes(`127.0.0.1:${mqttPort}`) || !conf.includes(`${dir}/js`))
    throw new Error('deploy/nats/nats.conf no longer has the listeners and store the tests expect');
  const file = path.join(dir, 'nats.conf');
  writeFileSync(file, conf);
  let child: ChildProcess | undefined;
  let gone: Promise<void> = Promise.resolve();
  const start = async () => {
    if (child) throw new Error('nats-server is already running');
    const c = spawn(bin, ['-c', file, '-l', path.join(dir, 'nats.log')], { stdio: 'ignore' });
    child = c;
    gone = new Promise((r) =>
      c.once('exit', () => {
        if (child === c) child = undefined;
        r();
      }),
    );
    await eventually(
      async () => {
        if (!child) throw new Error(`nats-server exited at start; see ${dir}/nats.log`);
        return (await canConnect(port)) && (await canConnect(mqttPort));
      },
      15_000,
      `nats-server on ports ${port} and ${mqttPort}`,
      100,
    );
  };
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    if (!child) return;
    child.kill(signal);
    await gone;
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    dir,
    stop,
    start,
    dispose: async () => {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
