import { readFileSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import type { CityModel } from '#contract/assets.ts';
import { cityFromGeoJson, cityToGeoJson } from '#contract/cityModel.ts';
import { LOCAL_OFFSET_MS } from '#contract/cityTime.ts';
import { generateCity } from './city.ts';
import { publishAll } from './publisher.ts';
import { createSimulation, type SimMessage } from './simulation.ts';

const HELP = `Quy Nhơn device simulator: publishes traffic readings, camera status and events, and incident
reports to an MQTT broker, in the IOC's contract (QoS 1).

usage: npm run simulate -- [options]

  --broker URL         MQTT broker (default mqtt://127.0.0.1:1883)
  --username ID        the device to publish as (the IOC's broker refuses anonymous publishers):
                       one owning every asset, e.g. npm run device -- add sim --name Sim --all-assets --report
  --password-file F    a file holding its password (or --password P, visible to other local users)
  --rate R             Nx: simulated time runs N times faster than real time (default 1x);
                       a plain number: a load of that many messages per second
  --seed N             seed of the city and of every model (default 42)
  --city FILE          a city GeoJSON (the contract's) instead of the generated Quy Nhơn
  --duration S         stop after S seconds (default: run until Ctrl-C)
  --backfill-days N    first publish N days of history, as fast as the broker takes it
  --write-city FILE    write the city as the contract's GeoJSON and exit
  --help               this text
`;

/** The simulator's settings, read from the command line. */
export interface CliOptions {
  broker: string;
  username?: string;
  password?: string;
  rate: { kind: 'multiplier'; value: number } | { kind: 'msgsPerSecond'; value: number };
  seed: number;
  cityFile?: string;
  durationS?: number;
  backfillDays: number;
  writeCity?: string;
  help: boolean;
}

/** Parses the command line; throws with a readable message on a bad option or value. */
export function parseCliArgs(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      broker: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
      username: { type: 'string' },
      password: { type: 'string' },
      'password-file': { type: 'string' },
      rate: { type: 'string', default: '1x' },
      seed: { type: 'string', default: '42' },
      city: { type: 'string' },
      duration: { type: 'string' },
      'backfill-days': { type: 'string', default: '0' },
      'write-city': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const num = (name: string, s: string, min: number) => {
    const n = Number(s);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got "${s}"`);
    return n;
  };
  const rateText = values.rate;
  const rate: CliOptions['rate'] = /x$/i.test(rateText)
    ? { kind: 'multiplier', value: num('rate', rateText.slice(0, -1), 0.001) }
    : { kind: 'msgsPerSecond', value: num('rate', rateText, 1) };
  if (values.password !== undefined && values['password-file'] !== undefined)
    throw new Error('--password or --password-file, not both');
  const password =
    values['password-file'] !== undefined
      ? readFileSync(values['password-file'], 'utf8').replace(/\r?\n$/, '')
      : values.password;
  if (password !== undefined && !values.username) throw new Error('--password needs --username');
  return {
    broker: values.broker,
    username: values.username,
    password,
    rate,
    seed: Math.floor(num('seed', values.seed, 0)),
    cityFile: values.city,
    durationS: values.duration === undefined ? undefined : num('duration', values.duration, 0),
    backfillDays: num('backfill-days', values['backfill-days'], 0),
    writeCity: values['write-city'],
    help: values.help,
  };
}

const localTime = (t: number) =>
  `${new Date(t + LOCAL_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ')} (UTC+7)`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function connect(url: string, username?: string, password?: string): Promise<MqttClient> {
  try {
    // No automatic reconnect: a broker that is not there should fail fast with a clear message.
    const client = await mqtt.connectAsync(url, {
      clientId: `ioc-sim-${process.pid}`,
      connectTimeout: 5000,
      reconnectPeriod: 0,
      ...(username ? { username, password } : {}),
    });
    // Nagle's algorithm adds ~20 ms a hop to small QoS 1 messages.
    (client.stream as Partial<Socket>).setNoDelay?.(true);
    return client;
  } catch (err) {
    const reason = err instanceof Error ? err.message || err.name : String(err);
    if ((err as { code?: number }).code === 5 || (err as { code?: number }).code === 4)
      throw new Error(
        `the MQTT broker at ${url} refused the login${username ? ` of ${username}` : ' (no credentials)'}: ${reason}\n` +
          'Publish as a registered device: npm run device -- add sim --name "Simulator" --all-assets --report,\n' +
          'then --username sim --password-file <file holding its password>',
      );
    throw new Error(
      `cannot reach the MQTT broker at ${url}: ${reason}\n` +
        'Is it running? (the IOC embeds one on port 1883 with `npm start`; or start Mosquitto: mosquitto -d)',
    );
  }
}

async function main(): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : err}\n\n${HELP}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const city: CityModel = opts.cityFile
    ? cityFromGeoJson(JSON.parse(readFileSync(opts.cityFile, 'utf8')), opts.cityFile)
    : generateCity(opts.seed);
  if (opts.writeCity) {
    writeFileSync(opts.writeCity, `${JSON.stringify(cityToGeoJson(city))}\n`);
    process.stdout.write(
      `wrote ${opts.writeCity}: ${city.segments.length} segments, ${city.cameras.length} cameras, ${city.districts.length} districts\n`,
    );
    return 0;
  }

  const client = await connect(opts.broker, opts.username, opts.password);
  let stopping = false;
  let lost = false;
  client.on('close', () => {
    if (!stopping) lost = true;
  });
  process.on('SIGINT', () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stdout.write('\nstopping (Ctrl-C again to quit at once)…\n');
  });
  const started = Date.now();
  const deadline = opts.durationS === undefined ? Number.POSITIVE_INFINITY : started + opts.durationS * 1000;
  const done = () => stopping || lost || Date.now() >= deadline;

  let sent = 0;
  let lastReport = { at: started, sent: 0 };
  let simNow = started;
  const report = (force = false) => {
    const now = Date.now();
    if (!force && now - lastReport.at < 5000) return;
    const rate = ((sent - lastReport.sent) * 1000) / Math.max(1, now - lastReport.at);
    process.stdout.write(
      `[sim] sent ${sent.toLocaleString('en')} msgs, ${Math.round(rate).toLocaleString('en')} msg/s, sim time ${localTime(simNow)}\n`,
    );
    lastReport = { at: now, sent };
  };
  const send = async (msgs: SimMessage[]) => {
    await publishAll(client, msgs);
    sent += msgs.length;
    report();
  };

  process.stdout.write(
    `[sim] ${city.name}: ${city.segments.length} segments, ${city.cameras.length} cameras → ${opts.broker} (seed ${opts.seed})\n`,
  );
  const sim = createSimulation({ city, seed: opts.seed });
  try {
    if (opts.backfillDays > 0) {
      process.stdout.write(`[sim] backfilling ${opts.backfillDays} day(s) of history…\n`);
      for (const chunk of sim.backfill(started - opts.backfillDays * 86_400_000, started)) {
        if (done()) break;
        simNow = (chunk[chunk.length - 1].payload as { ts: number }).ts;
        await send(chunk);
      }
    }
    const liveStart = Date.now();
    const queue: SimMessage[] = [];
    simNow = liveStart;
    while (!done()) {
      const elapsedS = (Date.now() - liveStart) / 1000;
      if (opts.rate.kind === 'multiplier') {
        simNow = liveStart + elapsedS * 1000 * opts.rate.value;
        await send(sim.tick(simNow));
      } else {
        // Load mode: simulated time runs as fast as needed to keep the requested message rate.
        // At most a quarter second's worth at once, so a slow broker cannot make us overrun --duration.
        const due = Math.min(Math.floor(opts.rate.value * elapsedS) - sent, Math.ceil(opts.rate.value / 4));
        while (queue.length < due) {
          simNow += 1000;
          queue.push(...sim.tick(simNow));
        }
        if (due > 0) await send(queue.splice(0, due));
      }
      await sleep(opts.rate.kind === 'multiplier' ? 250 : 20);
    }
  } catch (err) {
    if (!lost) throw err;
  }
  stopping = true;
  report(true);
  if (lost) {
    process.stderr.write(`[sim] lost the connection to ${opts.broker}\n`);
    return 1;
  }
  await client.endAsync();
  process.stdout.write(
    `[sim] done: ${sent.toLocaleString('en')} messages in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return 0;
}

// Run only as a program, so parseCliArgs can be imported without connecting anywhere.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : err}\n`);
      process.exit(1);
    },
  );
}
