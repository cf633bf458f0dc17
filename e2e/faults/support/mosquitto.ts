// A Mosquitto of the suite's own, with the project's configuration (deploy/mosquitto) and its
// persistence in a temporary folder, that a scenario may stop, kill and start again.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canConnect, freePort, onCleanup, poll, ROOT, removeDir } from './util.ts';

export interface PrivateMosquitto {
  port: number;
  url: string;
  /** SIGTERM (Mosquitto saves its persistence file) or SIGKILL (it does not); resolves once it is gone */
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** starts it again on the same port, configuration and persistence */
  start(): Promise<void>;
}

export async function startPrivateMosquitto(): Promise<PrivateMosquitto> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ioc-fault-mosq-'));
  onCleanup('mosquitto folder', () => removeDir(dir));
  const conf = readFileSync(path.join(ROOT, 'deploy/mosquitto/mosquitto.conf'), 'utf8')
    .replace(/^listener .*$/m, `listener ${port} 127.0.0.1`)
    .replace(/^persistence_location .*$/m, `persistence_location ${dir}/`);
  if (!/^persistence true$/m.test(conf) || !conf.includes(`persistence_location ${dir}/`))
    throw new Error('deploy/mosquitto/mosquitto.conf no longer sets persistence as the suite expects');
  const file = path.join(dir, 'mosquitto.conf');
  writeFileSync(file, `${conf}\nlog_dest file ${dir}/mosquitto.log\n`);
  // started as root, Mosquitto drops to its own user, which must be able to write its persistence
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'mosquitto', dir]);

  let child: ChildProcess | undefined;
  let gone: Promise<void> = Promise.resolve();
  const start = async () => {
    if (child) throw new Error('Mosquitto is already running');
    const c = spawn('mosquitto', ['-c', file], { stdio: 'ignore' });
    child = c;
    gone = new Promise((r) =>
      c.once('exit', () => {
        if (child === c) child = undefined;
        r();
      }),
    );
    await poll(
      async () => {
        if (!child) throw new Error(`mosquitto exited at start; see ${dir}/mosquitto.log`);
        return canConnect(port);
      },
      10_000,
      `Mosquitto on port ${port}`,
      100,
    );
  };
  const stop = async (signal: 'SIGTERM' | 'SIGKILL') => {
    if (!child) return;
    child.kill(signal);
    await gone;
  };
  await start();
  onCleanup('mosquitto', () => stop('SIGKILL'));
  return { port, url: `mqtt://127.0.0.1:${port}`, stop, start };
}
