import { LOCAL_OFFSET_MS } from '#contract/cityTime.ts';
import { createRng, hash32 } from './rng.ts';
import { localClock } from './trafficModel.ts';

/** What a generated camera frame shows. */
export interface SnapshotOptions {
  cameraId: string;
  cameraName: string;
  timeMs: number;
  online: boolean;
  speedKmh?: number;
  seed?: number;
}

const W = 640;
const H = 360;
const HORIZON = 130;
const VANISH_X = 330;

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function strHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The camera's on-screen clock: local time (UTC+7) the way Vietnamese CCTV recorders print it. */
function osdTime(tMs: number): string {
  const d = new Date(tMs + LOCAL_OFFSET_MS);
  return `${pad(d.getUTCDate())}-${pad(d.getUTCMonth() + 1)}-${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** Vehicles in view: a free road shows a few, a crawling one fills up. */
function vehiclesFor(speedKmh: number | undefined): number {
  if (speedKmh === undefined) return 7;
  if (speedKmh < 10) return 26;
  if (speedKmh < 20) return 19;
  if (speedKmh < 30) return 13;
  if (speedKmh < 45) return 8;
  return 4;
}

function osd(name: string, tMs: number, cameraId: string, live: boolean): string {
  const text = (x: number, y: number, s: string, anchor = 'start', size = 15) =>
    `<text x="${x}" y="${y}" font-family="monospace" font-size="${size}" text-anchor="${anchor}" fill="#fff" stroke="#000" stroke-width="3" paint-order="stroke">${esc(s)}</text>`;
  return [
    text(12, 24, name.length > 48 ? `${name.slice(0, 47)}…` : name),
    text(W - 12, 24, osdTime(tMs), 'end'),
    text(12, H - 14, cameraId.toUpperCase(), 'start', 13),
    live
      ? `<circle cx="${W - 58}" cy="${H - 19}" r="5" fill="#e53935"/>${text(W - 12, H - 14, 'REC', 'end', 13)}`
      : '',
  ].join('');
}

/** Renders a camera frame as SVG: a road in perspective with traffic, and the recorder's overlay. Deterministic. */
export function renderSnapshotSvg(o: SnapshotOptions): string {
  // The picture changes every 5 s, like a snapshot refreshed by a recorder, not on every request.
  const rng = createRng(hash32(o.seed ?? 42, strHash(o.cameraId), Math.floor(o.timeMs / 5000)));
  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`;
  if (!o.online) {
    const bars: string[] = [];
    for (let i = 0; i < 90; i++) {
      const g = rng.int(20, 90);
      bars.push(
        `<rect x="${rng.int(0, W)}" y="${rng.int(0, H)}" width="${rng.int(20, 200)}" height="${rng.int(1, 4)}" fill="rgb(${g},${g},${g})"/>`,
      );
    }
    return `${head}<rect width="${W}" height="${H}" fill="#111"/>${bars.join('')}<rect x="120" y="150" width="400" height="64" fill="#000" opacity="0.75"/><text x="${W / 2}" y="178" font-family="monospace" font-size="22" font-weight="bold" text-anchor="middle" fill="#fff">MẤT TÍN HIỆU</text><text x="${W / 2}" y="202" font-family="monospace" font-size="16" text-anchor="middle" fill="#ccc">NO SIGNAL</text>${osd(o.cameraName, o.timeMs, o.cameraId, false)}</svg>`;
  }

  const { hour } = localClock(o.timeMs);
  const night = hour < 5.5 || hour >= 18.25;
  const dusk = !night && (hour < 6.5 || hour >= 17.25);
  const sky = night ? ['#0b1026', '#1d2745'] : dusk ? ['#f4a261', '#e9c46a'] : ['#8ecae6', '#d9f0ff'];
  const ground = night ? '#1b1f1b' : '#5d7052';
  const road = night ? '#2a2a2e' : '#6b6b6b';
  const parts: string[] = [
    `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${sky[0]}"/><stop offset="1" stop-color="${sky[1]}"/></linearGradient></defs>`,
    `<rect width="${W}" height="${HORIZON}" fill="url(#sky)"/>`,
    `<rect y="${HORIZON}" width="${W}" height="${H - HORIZON}" fill="${ground}"/>`,
  ];
  // Shop-houses along both sides, smaller toward the horizon.
  for (let i = 0; i < 14; i++) {
    const left = i % 2 === 0;
    const d = rng.float(0.05, 1);
    const h = 20 + 90 * d;
    const w = 14 + 60 * d;
    const x = left ? VANISH_X - 60 - 260 * d - w : VANISH_X + 60 + 260 * d;
    const shade = rng.int(night ? 25 : 140, night ? 60 : 220);
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${(HORIZON + 8 * d - h).toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="rgb(${shade},${shade - 10},${shade - 25})"/>`,
    );
    if (night && rng.chance(0.6)) {
      parts.push(
        `<rect x="${(x + w * 0.3).toFixed(1)}" y="${(HORIZON + 8 * d - h * 0.7).toFixed(1)}" width="${(w * 0.3).toFixed(1)}" height="${(h * 0.2).toFixed(1)}" fill="#ffd166" opacity="0.8"/>`,
      );
    }
  }
  parts.push(
    `<polygon points="${VANISH_X - 14},${HORIZON} ${VANISH_X + 14},${HORIZON} ${W + 80},${H} ${-80},${H}" fill="${road}"/>`,
  );
  for (const lane of [-0.33, 0.33]) {
    parts.push(
      `<line x1="${VANISH_X + lane * 28}" y1="${HORIZON}" x2="${VANISH_X + lane * (W + 160)}" y2="${H}" stroke="#eee" stroke-width="3" stroke-dasharray="18 16" opacity="0.7"/>`,
    );
  }
  parts.push(
    `<line x1="${VANISH_X}" y1="${HORIZON}" x2="${VANISH_X}" y2="${H}" stroke="#f1c40f" stroke-width="3" opacity="0.8"/>`,
  );

  const n = vehiclesFor(o.speedKmh);
  const vehicles = Array.from({ length: n }, () => ({
    d: rng.next() ** 0.8,
    lane: rng.float(-0.95, 0.95),
    kind: rng.next(),
  }));
  vehicles.sort((a, b) => a.d - b.d);
  const colours = ['#c0392b', '#ecf0f1', '#2c3e50', '#7f8c8d', '#2980b9', '#f39c12', '#16a085', '#8e44ad'];
  for (const v of vehicles) {
    const y = HORIZON + (H - HORIZON) * (0.04 + 0.9 * v.d);
    const halfRoad = 14 + ((W + 160) / 2 - 14) * ((y - HORIZON) / (H - HORIZON));
    const x = VANISH_X + v.lane * halfRoad * 0.9;
    const s = 0.12 + 0.88 * v.d;
    // Most of Quy Nhơn's traffic is motorbikes; then cars, a few trucks and buses.
    const [w, h] = v.kind < 0.6 ? [14, 22] : v.kind < 0.9 ? [46, 30] : [58, 48];
    const fill = colours[Math.floor(v.kind * 97) % colours.length];
    const vw = w * s;
    const vh = h * s;
    parts.push(
      `<rect x="${(x - vw / 2).toFixed(1)}" y="${(y - vh).toFixed(1)}" width="${vw.toFixed(1)}" height="${vh.toFixed(1)}" rx="${(3 * s).toFixed(1)}" fill="${fill}" stroke="#111" stroke-width="${(1 * s).toFixed(2)}"/>`,
    );
    const light = night ? '#fff7c2' : '#ffffff';
    const lr = Math.max(0.8, 3 * s);
    if (v.lane < 0) {
      // Oncoming lane: headlights, glowing at night.
      parts.push(
        `<circle cx="${(x - vw * 0.3).toFixed(1)}" cy="${(y - vh * 0.3).toFixed(1)}" r="${lr.toFixed(1)}" fill="${light}"/>`,
        `<circle cx="${(x + vw * 0.3).toFixed(1)}" cy="${(y - vh * 0.3).toFixed(1)}" r="${lr.toFixed(1)}" fill="${light}"/>`,
      );
    } else {
      parts.push(
        `<rect x="${(x - vw * 0.4).toFixed(1)}" y="${(y - vh * 0.35).toFixed(1)}" width="${(vw * 0.8).toFixed(1)}" height="${Math.max(1, 2.5 * s).toFixed(1)}" fill="${night ? '#ff3b30' : '#b03a2e'}"/>`,
      );
    }
  }
  if (night) parts.push(`<rect width="${W}" height="${H}" fill="#000" opacity="0.15"/>`);
  parts.push(osd(o.cameraName, o.timeMs, o.cameraId, true));
  return `${head}${parts.join('')}</svg>`;
}
