import type { Db } from './db.ts';

/** The latest detections of one camera, newest first. */
export async function recentCameraEvents(
  db: Db,
  q: { cameraId: string; limit: number },
): Promise<
  Array<{
    ts: number;
    kind: string;
    confidence: number | null;
    count: number | null;
    snapshotUrl: string | null;
  }>
> {
  const { rows } = await db.query<{
    time: Date;
    kind: string;
    confidence: number | null;
    count: number | null;
    snapshot_url: string | null;
  }>(
    `SELECT time, kind, confidence, count, snapshot_url FROM camera_events
      WHERE camera_id = $1 AND time > now() - interval '7 days'
      ORDER BY time DESC LIMIT $2`,
    [q.cameraId, q.limit],
  );
  return rows.map((r) => ({
    ts: new Date(r.time).getTime(),
    kind: r.kind,
    confidence: r.confidence,
    count: r.count,
    snapshotUrl: r.snapshot_url,
  }));
}
