import { signal } from '@preact/signals';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '#contract/live.ts';
import type { FieldTask } from '#contract/units.ts';

/** Whether the server's pushes reach this phone now (the list is live, not only as last fetched). */
export const feedLive = signal(false);

/** The live line: `retryNow` connects again at once (the network is back), not at the next backoff. */
export interface ReportFeed {
  retryNow(): void;
  stop(): void;
}

/**
 * The phone's live line to the server (issue 15): the server pushes `report:changed` for this account's
 * reports and `task:changed` for its unit's tasks, nothing is polled. On every (re)connection the whole list is fetched again, so what changed
 * while the phone was away is not missed. `onRefused`: the login behind it ended.
 */
export function startReportFeed(o: {
  onConnect: () => void;
  onChanged: Parameters<ServerToClientEvents['report:changed']> extends [infer R] ? (r: R) => void : never;
  onTask: (t: FieldTask) => void;
  onRefused: () => void;
}): ReportFeed {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
    transports: ['websocket'],
    reconnectionDelay: 1000,
    reconnectionDelayMax: 30_000,
  });
  socket.on('connect', () => {
    feedLive.value = true;
    o.onConnect();
  });
  socket.on('disconnect', () => {
    feedLive.value = false;
  });
  socket.on('report:changed', (r) => o.onChanged(r));
  socket.on('task:changed', (t) => o.onTask(t));
  socket.on('session_ended', () => o.onRefused());
  socket.on('connect_error', (err) => {
    feedLive.value = false;
    const data = (err as Error & { data?: { code?: string } }).data;
    // no login: the outbox waits for one; the socket tries again once the page asks it to
    if (data?.code === 'unauthenticated') {
      socket.disconnect();
      o.onRefused();
    }
  });
  return {
    // Socket.IO's backoff reaches 30 s after a long time offline: the phone would wait that long
    retryNow: () => {
      if (!socket.connected) socket.disconnect().connect();
    },
    stop: () => socket.disconnect(),
  };
}
