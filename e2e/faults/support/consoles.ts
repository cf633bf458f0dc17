// Operators' consoles as the scenarios see them: the console's own live client (client/live) with its
// state, logged in as an operator made in the scenario's database.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Delta, ServerToClientEvents, TrafficItem } from '#contract/live.ts';
import { LiveClient } from '../../../client/live/liveClient.ts';
import { LiveState } from '../../../client/live/liveState.ts';
import { generatePassword } from '../../../server/auth/secrets.ts';
import { UsersRepo } from '../../../server/auth/users.ts';
import { openPostgres } from '../../../server/store/postgresDb.ts';
import { login } from '../../../server/testing/sessions.ts';
import { onCleanup } from './util.ts';

/** An operator account in the database at `dbUrl`, logged in at `httpUrl`: the Cookie header to send. */
export async function operatorCookie(dbUrl: string, httpUrl: string): Promise<string> {
  const db = await openPostgres(dbUrl, { max: 1, logger: { warn() {}, error() {} } });
  const creds = { username: `fault-op-${Date.now().toString(36)}`, password: generatePassword() };
  try {
    await new UsersRepo(db).create({ ...creds, displayName: 'Fault operator', role: 'operator' });
  } finally {
    await db.close();
  }
  return login(httpUrl, creds.username, creds.password);
}

export interface Console {
  client: LiveClient;
  state: LiveState;
}

/** A console's live client on `url` (a balancer, or an instance). */
export function openConsole(url: string, cookie: string): Console {
  const state = new LiveState();
  const client = new LiveClient(state, url, { cookie });
  onCleanup('console', () => client.close());
  return { client, state };
}

/** A plain Socket.IO client subscribed to traffic on one instance: what it has seen of each segment. */
export async function trafficProbe(
  httpUrl: string,
  cookie: string,
): Promise<{ seen: Map<string, TrafficItem>; close(): void }> {
  const s: Socket<ServerToClientEvents, ClientToServerEvents> = io(httpUrl, {
    transports: ['websocket'],
    extraHeaders: { cookie },
  });
  onCleanup('probe', () => {
    s.close();
  });
  const seen = new Map<string, TrafficItem>();
  s.on('delta', (d: Delta) => {
    if (d.layer === 'traffic') for (const it of d.items as TrafficItem[]) seen.set(it.id, it);
  });
  const ack = await s.timeout(10_000).emitWithAck('subscribe', { layers: ['traffic'] });
  if (!ack.ok) throw new Error(`probe subscribe: ${ack.error.message}`);
  return { seen, close: () => s.close() };
}
