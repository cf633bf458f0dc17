import { effect } from '@preact/signals';
import { render } from 'preact';
import { lang, t } from '../i18n/i18n.ts';
import { mayOpen } from '../shared/authPaths.ts';
import { loadSession, setUnauthenticatedHandler } from '../shared/session.ts';
import { App } from './App.tsx';
import type { ReportReceipt } from './api.ts';
import { lastSentAt, networkBack, resumeSharing } from './duty.ts';
import {
  applyPushed,
  authProblem,
  current,
  loadMine,
  loginEnded,
  mine,
  online,
  outbox,
  refresh,
  screen,
  sender,
} from './fieldStore.ts';
import { type ReportFeed, startReportFeed } from './reportFeed.ts';
import { applyTask, loadKeptTasks, loadTasks, stepSender, steps, tasks, unit } from './taskStore.ts';
import './field.css';

/** Retries are also tried on this period when nothing else wakes the sender (a missed `online`). */
const SAFETY_KICK_MS = 60_000;

async function start(): Promise<void> {
  effect(() => {
    document.documentElement.lang = lang.value;
    document.title = t('field.appName');
  });
  await refresh();
  render(<App />, document.getElementById('app') as HTMLElement);

  // "my reports" from the server: fetched when the list opens and on every (re)connection of the live
  // line, then kept current by its pushes (an operator's step or note); offline, the last known list
  const reload = () => void loadMine().catch(() => undefined);
  // a phone page keeps its form and outbox when the login ends: a banner asks to log in again
  setUnauthenticatedHandler(loginEnded);
  sender.on((e) => {
    authProblem.value = sender.halted;
    void refresh();
    // a report that waited while its screen stayed open: show its number now
    if (e?.outcome === 'sent' && screen.value === 'queued' && current.value?.id === e.id)
      current.value = { id: e.id, receipt: e.body as ReportReceipt };
    if (e?.outcome === 'sent' && screen.value === 'queued' && current.value?.id === e.id)
      screen.value = 'sent';
  });
  let feed: ReportFeed | undefined;
  /**
   * Who is signed in, and then the live line (once). A page opened offline (from the service worker's
   * cache) could not ask: it asks again when the network is back, or "my reports" would stay as the
   * phone kept it, with no pushes, until the next reload.
   */
  const checkSession = (force: boolean) =>
    loadSession(force).then((s) => {
      if (s === null) loginEnded();
      else if (s && !mayOpen('/report', s.user.role)) sender.halt('forbidden');
      else if (s && !feed) {
        resumeSharing(s.user.id);
        // the unit's tasks: as the phone kept them first, then the server's on every (re)connection
        void loadKeptTasks();
        feed = startReportFeed({
          onConnect: () => {
            reload();
            void loadTasks();
          },
          onChanged: (r) => void applyPushed(r),
          onTask: (t) => void applyTask(t),
          onRefused: loginEnded,
        });
      } else if (!s) {
        // offline: what the phone kept of the last account's tasks
        void loadKeptTasks();
      }
    });
  window.addEventListener('online', () => {
    online.value = true;
    void sender.kick(true);
    // the steps taken offline go in the order they were taken; then the duty's latest position
    void stepSender.kick(true);
    networkBack();
    if (feed) feed.retryNow();
    else void checkSession(true);
  });
  window.addEventListener('offline', () => {
    online.value = false;
  });
  setInterval(() => {
    void sender.kick();
    void stepSender.kick();
    // online, but the server did not answer when the network came back: ask again
    if (!feed && navigator.onLine) void checkSession(true);
  }, SAFETY_KICK_MS);
  void sender.kick(true);
  void stepSender.kick(true);
  // the page may come from the service worker's cache with no login behind it: say so before a report is written
  void checkSession(false);

  effect(() => {
    if (screen.value === 'mine') reload();
  });
  // the first position shared makes this account's unit: its (empty) task list is read then
  effect(() => {
    if (lastSentAt.value > 0 && !unit.peek()) void loadTasks();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') {
      void sender.kick(true);
      void stepSender.kick(true);
      if (screen.value === 'mine') reload();
    }
  });

  if ('serviceWorker' in navigator && window.isSecureContext) {
    // the worker sits at the root (so its scope may cover /report) and caches this page's files
    navigator.serviceWorker
      .register('/report-sw.js', { scope: '/report', updateViaCache: 'none' })
      .catch(() => undefined);
    // on the first visit the pin map's city came before the worker took the page: asked again through
    // the worker, which keeps its copy, so that the page opened offline later still draws the city
    if (!navigator.serviceWorker.controller)
      navigator.serviceWorker.addEventListener(
        'controllerchange',
        () => void fetch('/api/city', { headers: { accept: 'application/json' } }).catch(() => undefined),
        { once: true },
      );
  }

  // a stable hook for tests and debugging
  (window as unknown as { __field: unknown }).__field = {
    sender,
    refresh,
    screen,
    outbox,
    mine,
    current,
    tasks,
    steps,
    stepSender,
  };
}

void start();
