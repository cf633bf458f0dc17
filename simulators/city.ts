import type { Camera, CityModel, District, LonLat, Segment } from '#contract/assets.ts';
import { bboxOf } from '#contract/cityModel.ts';
import { clipHalfPlane, pointInRing, ringArea } from './geo.ts';
import { createRng, hashFloat, type Rng } from './rng.ts';

// The generator works in a local frame in km: u runs along the beach (SW → NE), v inland (NW),
// so streets can follow the coast the way Quy Nhơn's do.
const ORIGIN: LonLat = [109.215, 13.75];
const AZIMUTH = (50 * Math.PI) / 180;
const UE = Math.sin(AZIMUTH);
const UN = Math.cos(AZIMUTH);
const KM_PER_DEG_LON = 111.32 * Math.cos((ORIGIN[1] * Math.PI) / 180);
const KM_PER_DEG_LAT = 110.6;

type UV = [number, number];

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

function toLonLat([u, v]: UV): LonLat {
  const e = u * UE - v * UN;
  const n = u * UN + v * UE;
  return [round6(ORIGIN[0] + e / KM_PER_DEG_LON), round6(ORIGIN[1] + n / KM_PER_DEG_LAT)];
}

function toUV([lon, lat]: LonLat): UV {
  const e = (lon - ORIGIN[0]) * KM_PER_DEG_LON;
  const n = (lat - ORIGIN[1]) * KM_PER_DEG_LAT;
  return [e * UE + n * UN, -e * UN + n * UE];
}

/** The beach from the south (Quốc lộ 1D, past the Ghềnh Ráng headland) to the port at the tip, in (u, v). */
const COAST: UV[] = [
  [-4.6, 0.35],
  [-4.0, 0.15],
  [-3.4, -0.05],
  [-2.8, -0.25],
  [-2.3, -0.45],
  [-1.8, -0.4],
  [-1.3, -0.15],
  [-0.7, 0],
  [0, 0],
  [0.8, 0.03],
  [1.6, 0.06],
  [2.4, 0.05],
  [3.2, 0],
  [3.8, -0.05],
  [4.3, 0.05],
];

/** Thị Nại lagoon's shore from the port westwards, then the city limit inland, in lon/lat. */
const SHORE: LonLat[] = [
  [109.2405, 13.783],
  [109.232, 13.7905],
  [109.222, 13.796],
  [109.21, 13.799],
  [109.2, 13.804],
  [109.192, 13.812],
  [109.186, 13.823],
  [109.178, 13.83],
  [109.165, 13.832],
];
const INLAND_LIMIT: LonLat[] = [
  [109.152, 13.826],
  [109.145, 13.806],
  [109.142, 13.782],
  [109.146, 13.757],
  [109.154, 13.737],
  [109.166, 13.727],
];

const LAND: UV[] = [...COAST, ...SHORE.map(toUV), ...INLAND_LIMIT.map(toUV)];

/** Ward centres: each ward is the part of the land nearer its centre than any other's. */
const WARDS: { id: string; name: string; at: LonLat }[] = [
  { id: 'hai-cang', name: 'Hải Cảng', at: [109.2395, 13.7775] },
  { id: 'thi-nai', name: 'Thị Nại', at: [109.229, 13.789] },
  { id: 'tran-phu', name: 'Trần Phú', at: [109.2315, 13.7705] },
  { id: 'le-loi', name: 'Lê Lợi', at: [109.2245, 13.7775] },
  { id: 'ly-thuong-kiet', name: 'Lý Thường Kiệt', at: [109.2235, 13.7655] },
  { id: 'tran-hung-dao', name: 'Trần Hưng Đạo', at: [109.2185, 13.7845] },
  { id: 'dong-da', name: 'Đống Đa', at: [109.2105, 13.7935] },
  { id: 'ngo-may', name: 'Ngô Mây', at: [109.2125, 13.7745] },
  { id: 'nguyen-van-cu', name: 'Nguyễn Văn Cừ', at: [109.2105, 13.7585] },
  { id: 'quang-trung', name: 'Quang Trung', at: [109.1975, 13.7765] },
  { id: 'ghenh-rang', name: 'Ghềnh Ráng', at: [109.1985, 13.7455] },
  { id: 'nhon-binh', name: 'Nhơn Bình', at: [109.1905, 13.8035] },
  { id: 'nhon-phu', name: 'Nhơn Phú', at: [109.1705, 13.8165] },
  { id: 'tran-quang-dieu', name: 'Trần Quang Diệu', at: [109.1665, 13.7885] },
  { id: 'bui-thi-xuan', name: 'Bùi Thị Xuân', at: [109.1645, 13.7525] },
];

type RoadClass = 'national' | 'arterial' | 'collector' | 'local';
const SPEED_LIMIT: Record<RoadClass, number> = { national: 80, arterial: 60, collector: 50, local: 40 };
const CLASS_WEIGHT: Record<RoadClass, number> = { national: 3, arterial: 3, collector: 1.5, local: 0.5 };
type Street = { name: string; cls: RoadClass };
const A = (name: string): Street => ({ name, cls: 'arterial' });
const C = (name: string): Street => ({ name, cls: 'collector' });
const L = (name: string): Street => ({ name, cls: 'local' });

// Streets parallel to the beach, from the sea inland: the town part, then the western part.
const ROWS_TOWN: Street[] = [
  C('Nguyễn Huệ'),
  C('Trần Phú'),
  L('Lê Lợi'),
  A('Trần Hưng Đạo'),
  L('Lê Thánh Tôn'),
  C('Phan Bội Châu'),
  A('Lê Hồng Phong'),
  L('Hai Bà Trưng'),
  A('Nguyễn Thái Học'),
  L('Tô Hiến Thành'),
  A('Hùng Vương'),
  C('Bạch Đằng'),
  A('Điện Biên Phủ'),
  L('Nguyễn Nhạc'),
  C('Lạc Long Quân'),
  L('Trần Thị Kỷ'),
  A('Võ Thị Sáu'),
  L('Hoa Lư'),
  C('Đào Tấn'),
  L('Lê Thanh Nghị'),
  A('Tôn Đức Thắng'),
  L('Nguyễn Văn Linh'),
];
const ROWS_WEST: Street[] = [
  L('Trần Nhân Tông'),
  L('Lý Thái Tổ'),
  C('Vũ Bảo'),
  L('Phan Huy Chú'),
  L('Trần Quý Cáp'),
  L('Nguyễn Trãi'),
  C('Lê Văn Thịnh'),
  L('Tản Đà'),
  A('Nguyễn Thị Định'),
  L('Đặng Thai Mai'),
];
// Streets running inland from the beach, from the south-west to the port.
const COLS: Street[] = [
  L('Bãi Xép'),
  L('Trần Quang Khải'),
  C('Lê Đại Hành'),
  L('Nguyễn Đình Chiểu'),
  A('Tây Sơn'),
  L('Chương Dương'),
  L('Nguyễn Lữ'),
  C('Phạm Hùng'),
  L('Hồ Tùng Mậu'),
  A('Ngô Mây'),
  L('Lý Thường Kiệt'),
  L('Hoàng Văn Thụ'),
  A('Nguyễn Tất Thành'),
  L('Mai Xuân Thưởng'),
  C('Phan Chu Trinh'),
  L('Trần Cao Vân'),
  A('Lê Duẩn'),
  L('Nguyễn Công Trứ'),
  L('Tăng Bạt Hổ'),
  C('Đống Đa'),
  L('Nguyễn Thị Minh Khai'),
  A('Phạm Văn Đồng'),
  L('Bà Triệu'),
  L('Lê Quý Đôn'),
  C('Diên Hồng'),
  L('Trần Bình Trọng'),
  L('Ngô Thì Nhậm'),
  C('Huỳnh Thúc Kháng'),
  L('Đặng Văn Ngữ'),
  L('Võ Liệu'),
  L('Ỷ Lan'),
  L('Chế Lan Viên'),
];
const COLS_INLAND: Street[] = [
  L('Nguyễn Diêu'),
  C('Đô Đốc Bảo'),
  L('Lâm Văn Tương'),
  A('Trường Chinh'),
  L('Biên Cương'),
  L('Hồ Xuân Hương'),
  L('Nguyễn Trung Tín'),
  C('Phan Đình Phùng'),
  L('Ngô Gia Tự'),
  L('Lê Văn Hưu'),
  A('Võ Nguyên Giáp'),
  L('Nguyễn Thiếp'),
  L('Hàn Mặc Tử'),
  C('Quang Trung'),
  L('Đào Duy Từ'),
];

const TOWN_U = -0.9;
const INLAND_V = 4.2;

function coastV(u: number): number {
  if (u <= COAST[0][0]) return COAST[0][1];
  for (let i = 1; i < COAST.length; i++) {
    const [u1, v1] = COAST[i];
    if (u <= u1) {
      const [u0, v0] = COAST[i - 1];
      return v0 + ((v1 - v0) * (u - u0)) / (u1 - u0);
    }
  }
  return COAST[COAST.length - 1][1];
}

function rowStreet(j: number, u: number): Street {
  if (j === 0) {
    if (u < -1.1) return { name: 'Quốc lộ 1D', cls: 'national' };
    return u < 1.8 ? A('An Dương Vương') : A('Xuân Diệu');
  }
  if (u >= TOWN_U) return ROWS_TOWN[j - 1] ?? L(`Đường số ${j}`);
  if (j === 11) return { name: 'Quốc lộ 19', cls: 'national' };
  return ROWS_WEST[j - 1] ?? (j % 4 === 0 ? C(`Đường số ${j + 20}`) : L(`Đường số ${j + 20}`));
}

function colStreet(i: number, v: number): Street {
  if (v < INLAND_V) return COLS[i] ?? L(`Đường số ${60 + i}`);
  return COLS_INLAND[i % COLS_INLAND.length].cls === 'arterial' || i % 2 === 0
    ? (COLS_INLAND[Math.floor(i / 2) % COLS_INLAND.length] ?? L(`Đường số ${90 + i}`))
    : L(`Đường số ${90 + i}`);
}

interface GridNode {
  uv: UV;
  inLand: boolean;
  edges: number[];
}
interface Edge {
  from: number;
  to: number;
  street: Street;
  coastal: boolean;
}

function steps(from: number, to: number, step: (x: number) => number): number[] {
  const out: number[] = [];
  for (let x = from; x <= to; x += step(x)) out.push(x);
  return out;
}

/** How much of an ordinary street grid survives here: all of it in town, a sparse web in the hills and fields. */
function density(uv: UV, center: UV): number {
  const [u, v] = uv;
  if (u > -3.3 && u < -1.2 && v > 0.25 && v < 2.6) return 0.2; // the Ghềnh Ráng / Vũng Chua hills
  const d = Math.hypot(u - center[0], v - center[1]);
  if (d < 2.8) return 1;
  if (d > 5.5) return 0.3;
  return 1 - (0.7 * (d - 2.8)) / 2.7;
}

/** Generates a believable Quy Nhơn: wards tiling the land, ~800 named street segments, ~80 cameras, water. */
export function generateCity(seed = 42): CityModel {
  const rng = createRng(seed);
  const center = toUV([109.225, 13.772]);
  const districts = makeDistricts();

  const us = steps(-4.7, 4.45, (u) => (u >= -1.7 ? 0.27 : 0.4));
  const offsets = steps(0.06, 10.6, (o) => (o < 3.4 ? 0.27 : 0.4));
  const nodes: GridNode[] = [];
  const idx = (i: number, j: number) => i * offsets.length + j;
  for (let i = 0; i < us.length; i++) {
    for (let j = 0; j < offsets.length; j++) {
      const u0 = us[i] + (j === 0 ? 0 : 0.06 * Math.sin(offsets[j] * 0.8 + i * 0.5)) + rng.normal(0, 0.02);
      const damp = Math.max(0, 1 - j / 6);
      const v =
        j === 0
          ? coastV(u0) + offsets[0]
          : coastV(u0) * damp + offsets[j] + 0.07 * Math.sin(u0 * 0.9 + j * 0.3) + rng.normal(0, 0.02);
      const uv: UV = [u0, v];
      nodes.push({ uv, inLand: pointInRing(uv, LAND), edges: [] });
    }
  }

  const edges: Edge[] = [];
  const tryEdge = (a: number, b: number, street: Street, coastal: boolean, line: number, pos: number) => {
    const na = nodes[a];
    const nb = nodes[b];
    if (!na.inLand || !nb.inLand) return;
    const mid: UV = [(na.uv[0] + nb.uv[0]) / 2, (na.uv[1] + nb.uv[1]) / 2];
    if (!pointInRing(mid, LAND)) return;
    const major = street.cls === 'arterial' || street.cls === 'national' || coastal;
    // Outside town a street survives in runs of a few blocks, not as scattered stubs.
    const run = hashFloat(seed, line, Math.floor((pos + (line % 3)) / 3));
    const keep = run < density(mid, center) * (street.cls === 'collector' ? 1.4 : 1);
    if (!major && !keep) return;
    // Alternate directions street by street, so congestion spreads upstream every way from an incident.
    const [from, to] = line % 2 === 0 ? [a, b] : [b, a];
    edges.push({ from, to, street, coastal });
    na.edges.push(edges.length - 1);
    nb.edges.push(edges.length - 1);
  };
  for (let j = 0; j < offsets.length; j++) {
    for (let i = 0; i + 1 < us.length; i++) {
      const mid = (nodes[idx(i, j)].uv[0] + nodes[idx(i + 1, j)].uv[0]) / 2;
      tryEdge(idx(i, j), idx(i + 1, j), rowStreet(j, mid), j === 0, j, i);
    }
  }
  for (let i = 0; i < us.length; i++) {
    for (let j = 0; j + 1 < offsets.length; j++) {
      const mid = (nodes[idx(i, j)].uv[1] + nodes[idx(i, j + 1)].uv[1]) / 2;
      tryEdge(idx(i, j), idx(i, j + 1), colStreet(i, mid), false, 1001 + i, j);
    }
  }

  const segments: Segment[] = [];
  const sectionOf = new Map<string, number>();
  for (const e of edges) {
    const coords = edgeCoords(nodes[e.from].uv, nodes[e.to].uv, e, density(nodes[e.from].uv, center), rng);
    const n = (sectionOf.get(e.street.name) ?? 0) + 1;
    sectionOf.set(e.street.name, n);
    const mid = coords[Math.floor(coords.length / 2)];
    segments.push({
      id: `seg-${String(segments.length + 1).padStart(4, '0')}`,
      name: `${e.street.name} (đoạn ${n})`,
      speedLimitKmh: SPEED_LIMIT[e.street.cls],
      districtId: districtAt(districts, mid),
      coords,
    });
  }

  const cameras = placeCameras(nodes, edges, segments, districts, center);
  const water = makeWater();
  const city: CityModel = {
    name: 'Quy Nhơn',
    center: [0, 0],
    bbox: [0, 0, 0, 0],
    segments,
    cameras,
    districts,
    water,
  };
  city.bbox = bboxOf(city);
  city.center = [(city.bbox[0] + city.bbox[2]) / 2, (city.bbox[1] + city.bbox[3]) / 2];
  return city;
}

function edgeCoords(a: UV, b: UV, e: Edge, dens: number, rng: Rng): LonLat[] {
  const pts: UV[] = [a];
  // Town streets are nearly straight; roads in the hills and fields wander.
  const extra = e.coastal ? 2 : dens >= 1 ? rng.int(0, 1) : rng.int(1, 4);
  const wiggle = dens >= 1 ? 0.006 : 0.02;
  const du = b[0] - a[0];
  const dv = b[1] - a[1];
  const len = Math.hypot(du, dv) || 1;
  for (let k = 1; k <= extra; k++) {
    const t = k / (extra + 1);
    if (e.coastal) {
      const u = a[0] + du * t;
      pts.push([u, coastV(u) + 0.06]);
    } else {
      const off = rng.normal(0, wiggle);
      pts.push([a[0] + du * t - (dv / len) * off, a[1] + dv * t + (du / len) * off]);
    }
  }
  pts.push(b);
  return pts.map(toLonLat);
}

function makeDistricts(): District[] {
  const seeds = WARDS.map((w) => toUV(w.at));
  return WARDS.map((w, i) => {
    let poly: UV[] = LAND;
    const [xi, yi] = seeds[i];
    for (let j = 0; j < seeds.length; j++) {
      if (j === i) continue;
      const [xj, yj] = seeds[j];
      poly = clipHalfPlane(poly, xj - xi, yj - yi, (xj * xj + yj * yj - xi * xi - yi * yi) / 2);
    }
    const ring = poly.map(toLonLat);
    if (ringArea(ring) < 0) ring.reverse();
    ring.push(ring[0]);
    return { id: w.id, name: w.name, ring };
  });
}

function districtAt(districts: District[], p: LonLat): string | undefined {
  return districts.find((d) => pointInRing(p, d.ring))?.id;
}

function placeCameras(
  nodes: GridNode[],
  edges: Edge[],
  segments: Segment[],
  districts: District[],
  center: UV,
): Camera[] {
  type Candidate = { node: number; score: number; streets: Street[]; inSeg: number };
  const candidates: Candidate[] = [];
  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n];
    if (node.edges.length < 3) continue;
    const streets: Street[] = [];
    for (const ei of node.edges) {
      const s = edges[ei].street;
      if (!streets.some((x) => x.name === s.name)) streets.push(s);
    }
    if (streets.length < 2 || !streets.some((s) => CLASS_WEIGHT[s.cls] >= 3)) continue;
    streets.sort((x, y) => CLASS_WEIGHT[y.cls] - CLASS_WEIGHT[x.cls]);
    const incoming = node.edges.filter((ei) => edges[ei].to === n);
    const inSeg =
      incoming.find((ei) => edges[ei].street.name === streets[0].name) ?? incoming[0] ?? node.edges[0];
    const d = Math.hypot(node.uv[0] - center[0], node.uv[1] - center[1]);
    const score =
      streets.reduce((s, x) => s + CLASS_WEIGHT[x.cls], 0) + Math.max(0, 4 - d) + node.edges.length * 0.2;
    candidates.push({ node: n, score, streets, inSeg });
  }
  candidates.sort((a, b) => b.score - a.score || a.node - b.node);
  const chosen: Candidate[] = [];
  for (const minGap of [0.5, 0.3, 0.2]) {
    for (const c of candidates) {
      if (chosen.length >= 80) break;
      if (chosen.includes(c)) continue;
      const uv = nodes[c.node].uv;
      if (chosen.every((o) => Math.hypot(nodes[o.node].uv[0] - uv[0], nodes[o.node].uv[1] - uv[1]) >= minGap))
        chosen.push(c);
    }
  }
  const names = new Set<string>();
  return chosen.map((c, k) => {
    const deg = nodes[c.node].edges.length;
    let name = `${deg >= 4 ? 'Ngã tư' : 'Ngã ba'} ${c.streets[0].name} – ${c.streets[1].name}`;
    for (let n = 2; names.has(name); n++) name = `${name.replace(/ \(\d+\)$/, '')} (${n})`;
    names.add(name);
    // Mounted on a pole at the corner, a few metres off the centre of the junction.
    const [lon, lat] = toLonLat([nodes[c.node].uv[0] + 0.008, nodes[c.node].uv[1] + 0.008]);
    return {
      id: `cam-${String(k + 1).padStart(3, '0')}`,
      name,
      lon,
      lat,
      segmentId: segments[c.inSeg].id,
      districtId: districtAt(districts, [lon, lat]),
    };
  });
}

function makeWater(): LonLat[][] {
  const coast = COAST.map(toLonLat);
  const tip = coast[coast.length - 1];
  const sea: LonLat[] = [
    ...coast,
    [109.256, 13.779],
    [109.268, 13.8],
    [109.31, 13.8],
    [109.31, 13.66],
    [109.17, 13.66],
    [109.172, 13.718],
  ];
  const lagoon: LonLat[] = [
    tip,
    ...SHORE,
    [109.158, 13.845],
    [109.168, 13.868],
    [109.19, 13.885],
    [109.23, 13.886],
    [109.262, 13.862],
    [109.268, 13.8],
    [109.256, 13.779],
  ];
  return [sea, lagoon].map((ring) => {
    const r = ring.map(([x, y]) => [round6(x), round6(y)] as LonLat);
    r.push(r[0]);
    return r;
  });
}

/** The frame's conversions, for tests and tools that place things along the beach. */
export const cityFrame = { toLonLat, toUV, coastV } as const;
