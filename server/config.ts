import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);
const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((u) => protocols.some((p) => u.startsWith(`${p}://`)), {
      message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });

/** `TRUST_PROXY` as Express's `trust proxy` takes it: a boolean, a hop count, or addresses and subnets. */
function trustProxy(v: string): boolean | number | string {
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^\d+$/.test(v)) return Number(v);
  return v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .join(',');
}

/** Every setting, its default and meaning; the README's configuration table is this list. */
const EnvSchema = z.object({
  PORT: port.default(8080).describe('HTTP and Socket.IO port'),
  HOST: z.string().default('0.0.0.0').describe('address to listen on'),
  MQTT_URL: url(['mqtt', 'mqtts', 'tcp', 'ws', 'wss'])
    .optional()
    .describe('external broker; unset → embedded broker'),
  MQTT_PORT: port.default(1883).describe('TCP port of the embedded broker'),
  MQTT_USERNAME: z.string().optional().describe('username for the external broker'),
  MQTT_PASSWORD: z.string().optional().describe('password for the external broker'),
  MQTT_CLIENT_ID: z
    .string()
    .max(64)
    .optional()
    .describe('client id of ingest (persistent session); default ioc-ingest-<host>'),
  MQTT_SESSION_EXPIRY_S: z.coerce
    .number()
    .int()
    .min(0)
    .default(3600)
    .describe("seconds the broker keeps ingest's session and queues messages while it is away (MQTT v5)"),
  MQTT_SHARED_GROUP: z
    .string()
    .optional()
    .describe('MQTT v5 shared-subscription group for several instances'),
  NATS_URL: url(['nats', 'tls'])
    .optional()
    .describe(
      'NATS JetStream between the broker and ingest, shared by several instances (devices publish to its MQTT listener, MQTT_URL); unset → ingest subscribes to the broker itself',
    ),
  NATS_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('IOC_INGEST')
    .describe("JetStream stream holding the devices' messages until an instance has committed them"),
  NATS_CONSUMER: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('ioc-ingest')
    .describe('durable consumer every instance pulls from (each message goes to one)'),
  NATS_ACK_WAIT_S: z.coerce
    .number()
    .min(1)
    .max(600)
    .default(10)
    .describe(
      "seconds before a message an instance took and did not commit goes to another (a dead one's share)",
    ),
  DATABASE_URL: url(['postgres', 'postgresql'])
    .optional()
    .describe('PostgreSQL/TimescaleDB; unset → embedded database'),
  DATA_DIR: z.string().min(1).default('./data').describe('embedded database files, photos, spool'),
  REDIS_URL: url(['redis', 'rediss']).optional().describe('Socket.IO adapter for several instances'),
  REDIS_KEY: z
    .string()
    .regex(/^[\w.:-]{1,64}$/)
    .default('ioc')
    .describe("prefix of the adapter's Redis channels: one per IOC sharing a Redis"),
  SIMULATE: bool.optional().describe('run the simulators in-process; default true with the embedded broker'),
  CITY_FILE: z.string().optional().describe('GeoJSON of the city model; unset → generated Quy Nhơn'),
  SIM_SEED: z.coerce.number().int().default(42).describe('seed of the generated city and simulators'),
  BACKFILL_DAYS: z.coerce
    .number()
    .min(0)
    .max(400)
    .default(7)
    .describe('days of history simulated on first start (SIMULATE only)'),
  INGEST_BATCH_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .max(100000)
    .default(5000)
    .describe('rows per database write'),
  INGEST_FLUSH_MS: z.coerce
    .number()
    .int()
    .min(1)
    .max(10000)
    .default(20)
    .describe('longest wait before a partial batch is written'),
  LIVE_FLUSH_MS: z.coerce
    .number()
    .int()
    .min(20)
    .max(10000)
    .default(100)
    .describe('shortest interval between two live deltas of a layer'),
  SESSION_IDLE_MIN: z.coerce
    .number()
    .int()
    .min(1)
    .max(1440)
    .default(30)
    .describe('minutes without activity after which a login ends (an open live console counts as activity)'),
  SESSION_MAX_H: z.coerce
    .number()
    .min(0.1)
    .max(168)
    .default(12)
    .describe('hours after which a login ends however active (a wall shift)'),
  ALARM_OPERATOR_POSITIONS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(1)
    .describe(
      "operator positions sharing the alarms: the dashboard's alarm rate (EEMUA 191) is per position",
    ),
  SECURITY_PROBE_S: z.coerce
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(60)
    .describe('seconds between two availability probes of each public system (information security)'),
  CORS_ORIGINS: z
    .string()
    .optional()
    .describe(
      'comma-separated origins allowed to call the API and Socket.IO from another site; unset → same origin only',
    ),
  TRUST_PROXY: z
    .string()
    .default('loopback')
    .transform(trustProxy)
    .describe(
      'which proxies in front may say the client address and scheme (X-Forwarded-For/-Proto: the cookie is Secure and URLs https when a trusted TLS proxy says so): false, true, a hop count, or comma-separated addresses, subnets, loopback/linklocal/uniquelocal',
    ),
  METRICS_TOKEN: z
    .string()
    .min(16)
    .optional()
    .describe('Bearer token that may read /metrics without logging in (Prometheus); unset → admins only'),
  DEMO_ACCOUNTS: bool
    .optional()
    .describe(
      'make one account per role with random passwords (printed once) when there are no users; default true',
    ),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('log verbosity (pino levels)'),
  LOG_FORMAT: z
    .enum(['auto', 'json', 'pretty'])
    .default('auto')
    .describe('json lines, short human lines, or auto: human lines on a terminal'),
});

export type Config = z.output<typeof EnvSchema> & {
  /** derived: simulators on or off */
  simulate: boolean;
};

/** Validates settings (process.env by default); throws one readable message listing every bad setting. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const r = EnvSchema.safeParse(picked);
  if (!r.success) {
    const lines = r.error.issues.map(
      (i) => `  ${i.path.join('.')}=${JSON.stringify(picked[String(i.path[0])])}: ${i.message}`,
    );
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (r.data.NATS_URL && !r.data.MQTT_URL)
    throw new ConfigError(
      `Invalid configuration:\n  NATS_URL=${JSON.stringify(picked.NATS_URL)}: needs MQTT_URL, the NATS server's MQTT listener where the devices publish (the embedded broker feeds ingest directly)`,
    );
  return { ...r.data, simulate: r.data.SIMULATE ?? !r.data.MQTT_URL };
}

/** Settings with their defaults and descriptions, for `--help` and the README. */
export function describeConfig(): Array<{ name: string; default: string; meaning: string }> {
  return Object.entries(EnvSchema.shape).map(([name, schema]) => {
    const d = (schema as z.ZodType).safeParse(undefined);
    return {
      name,
      default: d.success && d.data !== undefined ? String(d.data) : '',
      meaning: (schema as z.ZodType).description ?? '',
    };
  });
}

export class ConfigError extends Error {}
