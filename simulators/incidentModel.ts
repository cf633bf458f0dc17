import type { CityModel } from '#contract/assets.ts';
import type { IncidentCategory } from '#contract/vocab.ts';
import { INCIDENT_CATEGORIES } from '#contract/vocab.ts';
import { pointAlong } from './geo.ts';
import { type Rng, rngFor } from './rng.ts';
import { type SegmentGraph, upstreamWithin } from './segmentGraph.ts';
import { type Disruption, demandAt, localClock } from './trafficModel.ts';

const HOUR_MS = 3_600_000;

/** A report from the street, and (for what blocks roads) the traffic it holds up. */
export interface Incident {
  id: string;
  ts: number;
  category: IncidentCategory;
  severity: number;
  lat: number;
  lon: number;
  segmentId: string;
  segmentIndex: number;
  description: string;
  reporter: string;
  /** present when the incident slows traffic */
  disruption?: Disruption;
}

/** What the incident model needs to know about the city, prepared once. */
export interface IncidentContext {
  city: CityModel;
  seed: number;
  perHour: number;
  graph: SegmentGraph;
  indexOf: Map<string, number>;
  /** cumulative pick weights: busy roads see more crashes and jams */
  roadWeights: Float64Array;
  districtName: Map<string, string>;
}

/** Prepares the incident model for a city. */
export function createIncidentContext(
  city: CityModel,
  graph: SegmentGraph,
  seed: number,
  perHour: number,
): IncidentContext {
  const roadWeights = new Float64Array(city.segments.length);
  let acc = 0;
  city.segments.forEach((s, i) => {
    acc += s.speedLimitKmh >= 80 ? 2 : s.speedLimitKmh >= 60 ? 3 : s.speedLimitKmh >= 50 ? 1.5 : 1;
    roadWeights[i] = acc;
  });
  return {
    city,
    seed,
    perHour,
    graph,
    indexOf: new Map(city.segments.map((s, i) => [s.id, i])),
    roadWeights,
    districtName: new Map(city.districts.map((d) => [d.id, d.name])),
  };
}

const CATEGORIES: readonly IncidentCategory[] = INCIDENT_CATEGORIES;
const TRAFFIC: ReadonlySet<IncidentCategory> = new Set([
  'traffic_accident',
  'traffic_jam',
  'flooding',
  'fire',
]);

/** Relative frequency of each category at a time: jams follow the rush, lights fail at night, floods in the rainy season. */
export function categoryWeights(tMs: number): number[] {
  const { hour, month } = localClock(tMs);
  const demand = demandAt(tMs);
  const dark = hour < 5.5 || hour >= 18;
  // Bình Định's rainy season is September to December, with typhoons and flash floods.
  const rainy = month >= 9 && month <= 12;
  return [
    22 * (0.5 + demand),
    20 * (0.15 + 1.6 * demand),
    rainy ? 14 : 2,
    2,
    dark ? 12 : 7,
    7,
    10,
    dark ? 16 : 3,
    11,
    5,
  ];
}

/** How the hourly rate rises and falls through the day (averages about 1 over a day). */
function hourShape(tMs: number): number {
  const { hour } = localClock(tMs);
  if (hour < 5) return 0.3;
  return 0.55 + 0.9 * demandAt(tMs);
}

const SEVERITY: Record<IncidentCategory, number[]> = {
  traffic_accident: [20, 35, 25, 15, 5],
  traffic_jam: [30, 40, 20, 8, 2],
  flooding: [15, 30, 30, 18, 7],
  fire: [5, 15, 30, 30, 20],
  public_order: [40, 35, 18, 6, 1],
  environment: [40, 35, 18, 6, 1],
  infrastructure: [35, 35, 20, 8, 2],
  lighting: [55, 35, 8, 2, 0],
  waste: [50, 35, 12, 3, 0],
  other: [50, 30, 15, 5, 0],
};

// Minutes until the road is clear again, by category: [min, max].
const CLEARS_IN: Partial<Record<IncidentCategory, [number, number]>> = {
  traffic_accident: [20, 60],
  traffic_jam: [25, 90],
  flooding: [60, 240],
  fire: [30, 90],
};

const VEHICLES = [
  'xe máy',
  'ô tô con',
  'xe tải',
  'xe khách',
  'xe ba gác',
  'xe taxi',
  'xe buýt',
  'xe đầu kéo',
];
const TEMPLATES: Record<IncidentCategory, string[]> = {
  traffic_accident: [
    'Va chạm giữa {v1} và {v2} trên đường {street}, {n} người bị thương nhẹ.',
    'Tai nạn giao thông tại {street} ({ward}): {v1} tông {v2}, cần hỗ trợ phân luồng.',
    '{v1} tự ngã trên đường {street}, người điều khiển đã được đưa đi cấp cứu.',
    'Va chạm liên hoàn {n} xe trên {street}, giao thông ùn ứ một chiều.',
    'Tai nạn giữa {v1} và {v2} gần ngã tư trên {street}, đề nghị CSGT đến hiện trường.',
  ],
  traffic_jam: [
    'Ùn tắc kéo dài khoảng {m} m trên đường {street}, xe di chuyển rất chậm.',
    'Kẹt xe giờ cao điểm trên {street} ({ward}), cần người điều tiết.',
    'Đèn tín hiệu trên {street} hỏng, các hướng xe ùn ứ.',
    'Xe {v1} chết máy giữa đường {street} gây ùn tắc.',
    'Ùn tắc cục bộ trước cổng trường trên đường {street}.',
  ],
  flooding: [
    'Ngập sâu khoảng {cm} cm trên đường {street}, xe máy chết máy nhiều.',
    'Mưa lớn gây ngập cục bộ tại {street} ({ward}), nước chưa rút.',
    'Cống thoát nước trên {street} bị tắc, nước tràn lên mặt đường.',
    'Triều cường kết hợp mưa lớn, đường {street} ngập {cm} cm.',
  ],
  fire: [
    'Cháy nhà dân trên đường {street} ({ward}), khói lớn, đề nghị PCCC hỗ trợ.',
    'Cháy {v1} đang đỗ trên đường {street}.',
    'Chập điện gây cháy tại cửa hàng trên {street}.',
    'Cháy bãi cỏ, rác gần {street}, lửa đang lan.',
  ],
  public_order: [
    'Tụ tập gây mất trật tự trên đường {street} ({ward}).',
    'Lấn chiếm vỉa hè buôn bán trên {street}, cản trở người đi bộ.',
    'Đua xe trái phép trên đường {street} lúc khuya.',
    'Xô xát giữa nhóm thanh niên tại {street}.',
  ],
  environment: [
    'Mùi hôi nồng nặc từ cống thoát nước trên {street}.',
    'Khói bụi từ công trình trên đường {street} gây ô nhiễm.',
    'Xả nước thải ra đường {street} ({ward}).',
    'Cây xanh bị chặt trái phép trên {street}.',
  ],
  infrastructure: [
    'Ổ gà lớn trên đường {street}, nguy hiểm cho xe máy.',
    'Nắp hố ga bị mất trên {street} ({ward}).',
    'Cây xanh gãy đổ chắn một phần đường {street}.',
    'Mặt đường {street} bị sụt lún khoảng {m} m.',
    'Biển báo giao thông trên {street} bị đổ.',
  ],
  lighting: [
    'Đèn đường trên {street} không sáng, đoạn dài khoảng {m} m.',
    'Cột đèn chiếu sáng trên {street} ({ward}) chập chờn.',
    'Đèn tín hiệu giao thông trên {street} bị tắt.',
  ],
  waste: [
    'Rác thải tồn đọng nhiều ngày trên đường {street}.',
    'Đổ trộm xà bần, rác xây dựng trên {street} ({ward}).',
    'Thùng rác công cộng trên {street} bị tràn.',
    'Rác thải trên bãi biển gần {street}.',
  ],
  other: [
    'Người dân phản ánh sự việc bất thường trên đường {street} ({ward}).',
    'Động vật thả rông trên đường {street}.',
    'Dây điện, dây cáp viễn thông võng thấp trên {street}.',
  ],
};
const TAILS = [
  '',
  '',
  '',
  ' Đề nghị xử lý sớm.',
  ' Người dân đã có mặt tại chỗ.',
  ' Đã chụp ảnh hiện trường.',
  ' Khẩn cấp!',
];

const FAMILY = [
  'Nguyễn',
  'Trần',
  'Lê',
  'Phạm',
  'Hoàng',
  'Huỳnh',
  'Phan',
  'Võ',
  'Đặng',
  'Bùi',
  'Đỗ',
  'Hồ',
  'Ngô',
  'Dương',
  'Lý',
];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Ngọc', 'Thanh', 'Quốc', 'Hữu', 'Đức', 'Thu', 'Kim', 'Xuân', 'Hoài'];
const GIVEN = [
  'An',
  'Bình',
  'Cường',
  'Dũng',
  'Hà',
  'Hải',
  'Hạnh',
  'Hoa',
  'Hùng',
  'Lan',
  'Linh',
  'Long',
  'Mai',
  'Nam',
  'Nga',
  'Phúc',
  'Quân',
  'Sơn',
  'Tâm',
  'Thảo',
  'Trang',
  'Tuấn',
  'Vy',
  'Yến',
  'Khoa',
  'Nhân',
  'Tín',
  'Nhi',
];

function reporterFor(rng: Rng, category: IncidentCategory, ward: string): string {
  const r = rng.next();
  if (r < 0.12) return category === 'fire' ? 'Đội Cảnh sát PCCC Quy Nhơn' : `Công an phường ${ward}`;
  if (r < 0.2) return category.startsWith('traffic') ? 'Tổ CSGT Công an TP Quy Nhơn' : 'Tổng đài 1022';
  return `${rng.pick(FAMILY)} ${rng.pick(MIDDLE)} ${rng.pick(GIVEN)}`;
}

function describe(
  rng: Rng,
  category: IncidentCategory,
  severity: number,
  street: string,
  ward: string,
): string {
  const v1 = rng.pick(VEHICLES);
  const v2 = rng.pick(VEHICLES.filter((v) => v !== v1));
  const text = rng.pick(TEMPLATES[category]).replace(/\{(\w+)\}/g, (_, k: string) => {
    if (k === 'street') return street;
    if (k === 'ward') return ward;
    if (k === 'v1') return v1;
    if (k === 'v2') return v2;
    if (k === 'n') return String(rng.int(2, 4));
    if (k === 'm') return String(rng.int(2, 12) * 50);
    if (k === 'cm') return String(rng.int(2, 9) * 10);
    return k;
  });
  const tail = rng.pick(TAILS);
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${severity >= 4 || !tail.includes('!') ? tail : ''}`;
}

function pickRoad(ctx: IncidentContext, rng: Rng, busy: boolean): number {
  const n = ctx.roadWeights.length;
  if (!busy) return rng.int(0, n - 1);
  const x = rng.next() * ctx.roadWeights[n - 1];
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ctx.roadWeights[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The incidents reported during one hour (hour = floor(epoch ms / 3 600 000)), in time order; the same for a seed. */
export function incidentsInHour(ctx: IncidentContext, hour: number): Incident[] {
  const start = hour * HOUR_MS;
  const rng = rngFor(ctx.seed, 0x1c1d, hour);
  const count = rng.poisson(ctx.perHour * hourShape(start + HOUR_MS / 2));
  const times = Array.from({ length: count }, () => start + Math.floor(rng.next() * HOUR_MS)).sort(
    (a, b) => a - b,
  );
  return times.map((ts, k) => {
    const category = CATEGORIES[rng.weighted(categoryWeights(ts))];
    const severity = rng.weighted(SEVERITY[category]) + 1;
    const segIndex = pickRoad(ctx, rng, TRAFFIC.has(category));
    const seg = ctx.city.segments[segIndex];
    const [lon, lat] = pointAlong(seg.coords, rng.float(0.15, 0.85));
    const street = seg.name.replace(/ \(đoạn \d+\)$/, '');
    const ward = ctx.districtName.get(seg.districtId ?? '') ?? 'Quy Nhơn';
    const incident: Incident = {
      id: `s${ctx.seed}-ir-${hour}-${k}`,
      ts,
      category,
      severity,
      lat,
      lon,
      segmentId: seg.id,
      segmentIndex: segIndex,
      description: describe(rng, category, severity, street, ward),
      reporter: reporterFor(rng, category, ward),
    };
    const clears = CLEARS_IN[category];
    if (clears) {
      const minutes = clears[0] + (clears[1] - clears[0]) * rng.next() * (0.6 + 0.1 * severity);
      // A fire closes the street briefly; a crash or a flood backs traffic up several blocks.
      const maxHops = category === 'fire' ? 1 : Math.min(6, 1 + severity);
      const reach = upstreamWithin(ctx.graph, seg.id, maxHops);
      incident.disruption = {
        // A report comes in a few minutes after the road actually blocked.
        startMs: ts - rng.int(2, 6) * 60_000,
        clearMs: ts + Math.round(minutes * 60_000),
        severity: category === 'traffic_jam' ? Math.max(1, severity - 1) : severity,
        segments: Int32Array.from([...reach.keys()].map((id) => ctx.indexOf.get(id) ?? 0)),
        hops: Uint8Array.from(reach.values()),
      };
    }
    return incident;
  });
}
