import { Router } from 'express';
import { z } from 'zod';
import { REPLAY_MAX_CHANGES_MS } from '#contract/replayApi.ts';
import { HttpError } from '../http/errors.ts';
import { parseQuery, QueryTime } from '../http/query.ts';
import type { ReplayService } from './replayService.ts';

const AtQuery = z.object({ at: QueryTime });
const SpanQuery = z.object({ from: QueryTime, to: QueryTime });

/**
 * The replay (issue 16): `GET /api/replay?at=` (the picture at a moment), `GET /api/replay/changes?from=&to=`
 * (what changed in between, as live deltas) and `GET /api/replay/markers?from=&to=` (where incidents and
 * alarms began). Who may call them is the access table's (operators, leaders; never field accounts).
 */
export function replayRouter(deps: { replay: ReplayService; now?: () => number }): Router {
  const r = Router();
  const now = deps.now ?? Date.now;
  const notFuture = (t: number, name: string) => {
    if (t > now() + 60_000) throw new HttpError(400, 'bad_query', `${name}: the replay shows the past`);
  };
  r.get('/api/replay', async (req, res) => {
    const q = parseQuery(AtQuery, req.query);
    notFuture(q.at, 'at');
    res.set('Cache-Control', 'no-store').json(await deps.replay.state(q.at));
  });
  r.get('/api/replay/changes', async (req, res) => {
    const q = parseQuery(SpanQuery, req.query);
    if (!(q.to > q.from)) throw new HttpError(400, 'bad_query', 'to: must be after from');
    if (q.to - q.from > REPLAY_MAX_CHANGES_MS)
      throw new HttpError(
        400,
        'bad_query',
        `to: at most ${REPLAY_MAX_CHANGES_MS / 3_600_000} hours after from`,
      );
    notFuture(q.from, 'from');
    res.set('Cache-Control', 'no-store').json(await deps.replay.changes(q.from, q.to));
  });
  r.get('/api/replay/markers', async (req, res) => {
    const q = parseQuery(SpanQuery, req.query);
    if (!(q.to > q.from)) throw new HttpError(400, 'bad_query', 'to: must be after from');
    res.set('Cache-Control', 'no-store').json(await deps.replay.markers(q.from, q.to));
  });
  return r;
}
