// Test and benchmark support: a NATS server of our own, with JetStream and the MQTT listener, made from
// the project's configuration (deploy/nats/nats.conf), that a test may stop, kill and start again.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './net.ts';
import { findBin, type RestartableProcess, startRestartable } from './privateProcess.ts';

const CONF = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../deploy/nats/nats.conf');

export interface PrivateNats extends RestartableProcess {
  /** nats://127.0.0.1:<port> */
  url: string;
  /** mqtt://127.0.0.1:<port>: NATS's MQTT listener, where devices publish */
  mqttUrl: string;
  dir: string;
}

/** The nats-server binary: on PATH, or /usr/sbin; undefined when absent. */
export const natsServerBin = () => findBin('nats-server', ['/usr/sbin', '/usr/local/bin']);

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
  const log = path.join(dir, 'nats.log');
  const p = await startRestartable({
    name: 'nats-server',
    bin,
    args: ['-c', file, '-l', log],
    ports: [port, mqttPort],
    dir,
    log,
    timeoutMs: 15_000,
    everyMs: 100,
  });
  return { url: `nats://127.0.0.1:${port}`, mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, dir, ...p };
}
