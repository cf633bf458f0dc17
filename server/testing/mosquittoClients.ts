// Test support: what Mosquitto's own command-line clients (mosquitto_pub, mosquitto_sub) see of a broker,
// read from their -d (debug) output, so the embedded broker and a Mosquitto can be held to the same answers.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export const MOSQUITTO_PUB = '/usr/bin/mosquitto_pub';
export const MOSQUITTO_SUB = '/usr/bin/mosquitto_sub';

/** Throws where the tests require the real services and the clients (Debian: mosquitto-clients) are missing. */
export function mosquittoClientsInstalled(): boolean {
  const ok = existsSync(MOSQUITTO_PUB) && existsSync(MOSQUITTO_SUB);
  if (!ok && process.env.IOC_REQUIRE_SERVICES === '1')
    throw new Error(
      `IOC_REQUIRE_SERVICES=1 but ${MOSQUITTO_PUB} / ${MOSQUITTO_SUB} are missing (apt-get install mosquitto-clients)`,
    );
  return ok;
}

export type MqttVersion = '311' | '5';

/** What one `mosquitto_pub -d` run was answered: the CONNACK's code, and the PUBACK's reason code (MQTT 5; 0 in 3.1.1). */
export interface PubAnswer {
  connack: number | null;
  puback: number | null;
}

const hostPort = (url: string) => {
  const u = new URL(url);
  return ['-h', u.hostname, '-p', u.port || '1883'];
};

/** One QoS 1 publish with mosquitto_pub, as a device would send it. */
export function mosquittoPub(
  url: string,
  o: { version: MqttVersion; username: string; password: string; topic: string; message: string },
): Promise<PubAnswer> {
  const args = ['-d', '-V', o.version, ...hostPort(url), '-q', '1'];
  args.push('-u', o.username, '-P', o.password, '-t', o.topic, '-m', o.message);
  return new Promise((resolve) => {
    // a refused login exits non-zero: the answer is in the output all the same
    execFile(MOSQUITTO_PUB, args, { timeout: 10_000 }, (_err, stdout, stderr) => {
      const text = `${stdout}${stderr}`;
      const connack = /received CONNACK \((\d+)\)/.exec(text);
      const puback = /received PUBACK \(Mid: \d+, RC:(\d+)\)/.exec(text);
      resolve({ connack: connack ? Number(connack[1]) : null, puback: puback ? Number(puback[1]) : null });
    });
  });
}

/** A running `mosquitto_sub -d`: resolves once its subscription is answered, with the QoS granted. */
export interface Sub {
  granted: number;
  /** everything it printed so far (received messages are printed with -v as "topic payload") */
  output(): string;
  stop(): void;
}

export function mosquittoSub(
  url: string,
  o: { version: MqttVersion; username: string; password: string; topic: string },
): Promise<Sub> {
  const args = ['-d', '-v', '-V', o.version, ...hostPort(url), '-q', '1'];
  args.push('-u', o.username, '-P', o.password, '-t', o.topic);
  // its debug lines go to stdout, block-buffered into a pipe: line-buffered, they arrive as they happen
  const child: ChildProcess = spawn('stdbuf', ['-oL', MOSQUITTO_SUB, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      const m = /Subscribed \(mid: \d+\): (\d+)/.exec(out);
      if (m)
        resolve({
          granted: Number(m[1]),
          output: () => out,
          stop: () => child.kill(),
        });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`mosquitto_sub exited ${code}: ${out}`)));
  });
}

/** What a device is answered, for each protocol version: its own topic, another's, a wrong secret. */
export type DeviceAnswers = Record<MqttVersion, { own: PubAnswer; other: PubAnswer; wrongSecret: PubAnswer }>;

/**
 * Mosquitto 2 with `npm run mosquitto-config`'s files (a subscriber to the topic connected): 3.1.1 has
 * no negative PUBACK, so a refused publish is acked as any other; MQTT 5 answers it 0x87 (135, not
 * authorized), and a wrong secret CONNACK 0x87 where 3.1.1 says 5.
 */
export const MOSQUITTO_ANSWERS: DeviceAnswers = {
  '311': {
    own: { connack: 0, puback: 0 },
    other: { connack: 0, puback: 0 },
    wrongSecret: { connack: 5, puback: null },
  },
  '5': {
    own: { connack: 0, puback: 0 },
    other: { connack: 0, puback: 135 },
    wrongSecret: { connack: 135, puback: null },
  },
};

/** Runs the three publishes of DeviceAnswers with mosquitto_pub -V 311, then -V 5. */
export async function deviceAnswers(
  url: string,
  d: {
    username: string;
    password: string;
    ownTopic: string;
    otherTopic: string;
    /** the payload of each publish: `login` is the one sent with a wrong secret */
    message: (kind: 'own' | 'other' | 'login') => string;
  },
): Promise<DeviceAnswers> {
  const out: Partial<DeviceAnswers> = {};
  for (const version of ['311', '5'] as const) {
    const pub = (topic: string, kind: 'own' | 'other' | 'login', password = d.password) =>
      mosquittoPub(url, { version, username: d.username, password, topic, message: d.message(kind) });
    out[version] = {
      own: await pub(d.ownTopic, 'own'),
      other: await pub(d.otherTopic, 'other'),
      wrongSecret: await pub(d.ownTopic, 'login', 'not-the-secret'),
    };
  }
  return out as DeviceAnswers;
}
