/** The JSON error body of every failed HTTP request. */
export interface ApiError {
  error: { code: string; message: string; details?: unknown };
}

export interface Health {
  status: 'ok' | 'degraded';
  db: 'ok' | 'down';
  mqtt: 'ok' | 'down';
  uptimeS: number;
}

export interface TrafficHistoryPoint {
  /** bucket start, epoch ms */
  t: number;
  avgSpeedKmh: number | null;
  minSpeedKmh: number | null;
  volume: number | null;
  samples: number;
}

export interface TrafficHistory {
  segmentId: string;
  from: number;
  to: number;
  bucket: string;
  source: string;
  points: TrafficHistoryPoint[];
}

export interface RejectEntry {
  time: number;
  topic: string;
  reason: string;
  detail: string;
  payload: string;
}
