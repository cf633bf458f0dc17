// echarts options for the dashboard's charts: pure functions of the API's items and the language.
import { FLOOD_RATE_LIMIT } from '#contract/alarmVocab.ts';
import { LOCAL_OFFSET_MS, localDate } from '#contract/cityTime.ts';
import {
  ALARM_HEALTH_TARGETS,
  type AlarmRateBucket,
  type CalendarDay,
  type DistrictFigures,
  type IncidentGroup,
  type Kpi,
  type SeriesDay,
} from '#contract/dashboardApi.ts';
import { formatNumber, formatPct, type Lang, translate } from '../i18n/format.ts';
import type { MessageKey } from '../i18n/messages.ts';
import type { ChartOption } from './Chart.tsx';

export const PALETTE = [
  '#1f5fa8',
  '#e07b00',
  '#2e9e5b',
  '#c8102e',
  '#7a4fb3',
  '#0e9aa7',
  '#8c6d1f',
  '#d6336c',
  '#5c6f82',
  '#4a7c2a',
];
export const TEXT = {
  color: '#1c2733',
  fontFamily: '"Noto Sans", "DejaVu Sans", "Segoe UI", Roboto, Arial, sans-serif',
  fontSize: 13,
};
export const AXIS_LABEL = { color: '#4a5868', fontSize: 12 };
/**
 * A value axis's labels with the numbers in the reader's language ("1.500" / "1,500", "0,5"): echarts
 * writes them the English way whatever the page's language.
 */
export const valueAxisLabel = (lang: Lang, maxDigits = 2) => ({
  ...AXIS_LABEL,
  formatter: (v: number) => formatNumber(lang, v, maxDigits),
});
export const SPLIT = { lineStyle: { color: '#e6ebf1' } };

const tr = (lang: Lang, k: MessageKey) => translate(lang, k);
/** "10/03" (vi) or "10 Mar" (en) from YYYY-MM-DD */
export function shortDay(lang: Lang, day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  if (lang === 'vi') return `${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}`;
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
}

/** What every chart shares: text, palette, no animation (print), axis tooltip, legend top right. */
export const base = (): ChartOption => ({
  textStyle: TEXT,
  color: PALETTE,
  animation: false,
  tooltip: { trigger: 'axis', confine: true },
  legend: { top: 0, right: 0, textStyle: { ...TEXT, fontSize: 12 }, itemWidth: 16, itemHeight: 10 },
  grid: { left: 8, right: 12, top: 32, bottom: 4, containLabel: true },
});

export function speedOption(lang: Lang, days: SeriesDay[]): ChartOption {
  const num = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return {
    ...base(),
    xAxis: {
      type: 'category',
      data: days.map((d) => shortDay(lang, d.day)),
      axisLabel: AXIS_LABEL,
      boundaryGap: false,
    },
    yAxis: {
      type: 'value',
      axisLabel: valueAxisLabel(lang),
      splitLine: SPLIT,
      scale: true,
      name: 'km/h',
      nameTextStyle: AXIS_LABEL,
    },
    series: [
      {
        name: tr(lang, 'dash.series.avg'),
        type: 'line',
        data: days.map((d) => num(d.avgSpeedKmh)),
        symbolSize: 5,
        lineStyle: { width: 2.5 },
      },
      {
        name: tr(lang, 'dash.series.peak'),
        type: 'line',
        data: days.map((d) => num(d.peakSpeedKmh)),
        symbolSize: 5,
        lineStyle: { width: 2.5 },
      },
    ],
  };
}

export function incidentsOption(lang: Lang, days: SeriesDay[]): ChartOption {
  return {
    ...base(),
    color: ['#1f5fa8', '#2e9e5b'],
    xAxis: { type: 'category', data: days.map((d) => shortDay(lang, d.day)), axisLabel: AXIS_LABEL },
    yAxis: { type: 'value', axisLabel: valueAxisLabel(lang), splitLine: SPLIT, minInterval: 1 },
    series: [
      {
        name: tr(lang, 'dash.series.received'),
        type: 'bar',
        data: days.map((d) => d.received),
        barMaxWidth: 18,
      },
      {
        name: tr(lang, 'dash.series.resolved'),
        type: 'bar',
        data: days.map((d) => d.resolved),
        barMaxWidth: 18,
      },
    ],
  };
}

export function categoryOption(lang: Lang, groups: IncidentGroup[]): ChartOption {
  const rows = [...groups].sort((a, b) => a.received - b.received);
  return {
    ...base(),
    color: ['#1f5fa8', '#2e9e5b'],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true },
    grid: { left: 8, right: 24, top: 32, bottom: 4, containLabel: true },
    xAxis: { type: 'value', axisLabel: valueAxisLabel(lang), splitLine: SPLIT, minInterval: 1 },
    yAxis: {
      type: 'category',
      data: rows.map((g) => translate(lang, `cat.${g.key}` as MessageKey)),
      axisLabel: { ...AXIS_LABEL, fontSize: 12 },
    },
    series: [
      {
        name: tr(lang, 'dash.series.received'),
        type: 'bar',
        data: rows.map((g) => g.received),
        barMaxWidth: 14,
      },
      {
        name: tr(lang, 'dash.series.onTime'),
        type: 'bar',
        data: rows.map((g) => g.resolvedOnTime),
        barMaxWidth: 14,
      },
    ],
  };
}

export function sourceOption(lang: Lang, kpis: Kpi[]): ChartOption {
  const rows = kpis.filter((k) => k.group === 'reports');
  return {
    textStyle: TEXT,
    color: ['#1f5fa8', '#e07b00', '#7a4fb3', '#0e9aa7'],
    animation: false,
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: { name: string; value: number; percent: number }) =>
        `${p.name}: ${formatNumber(lang, p.value)} (${formatPct(lang, p.percent)})`,
    },
    // the whole names, on as many lines as they need (a legend in one line cut them off)
    legend: {
      bottom: 0,
      left: 'center',
      width: '92%',
      textStyle: { ...TEXT, fontSize: 12, overflow: 'none' },
      itemWidth: 12,
      itemHeight: 10,
    },
    series: [
      {
        type: 'pie',
        radius: ['34%', '56%'],
        center: ['50%', '40%'],
        // in the reader's number format, one decimal, as every percent of the product; whole, never
        // cut to "2..." where the card is narrow (1366 px: a smaller ring and shorter label lines)
        label: {
          formatter: (p: { percent: number }) => formatPct(lang, p.percent),
          color: '#1c2733',
          fontSize: 12,
          overflow: 'none',
        },
        labelLine: { length: 8, length2: 8 },
        // a source with no reports gets no slice (its 0 is on the tiles beside)
        data: rows
          .filter((k) => (k.value ?? 0) > 0)
          .map((k) => ({ name: translate(lang, `dash.kpi.${k.key}` as MessageKey), value: k.value })),
      },
    ],
  };
}

export function districtMapOption(lang: Lang, rows: DistrictFigures[]): ChartOption {
  const max = Math.max(1, ...rows.map((r) => r.received));
  const pct = (v: number | null) => (v === null ? '—' : formatPct(lang, v * 100, 1, 1));
  return {
    textStyle: TEXT,
    animation: false,
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: { data?: { row?: DistrictFigures } }) => {
        const r = p.data?.row;
        if (!r) return '';
        return [
          `<b>${r.name}</b>`,
          `${tr(lang, 'dash.col.received')}: ${formatNumber(lang, r.received)}`,
          `${tr(lang, 'dash.col.onTime')}: ${pct(r.onTimeRate)}`,
          `${tr(lang, 'dash.col.speed')}: ${r.avgSpeedKmh === null ? '—' : `${formatNumber(lang, r.avgSpeedKmh, 1)} km/h`}`,
          `${tr(lang, 'dash.col.availability')}: ${pct(r.cameraAvailability)}`,
        ].join('<br>');
      },
    },
    visualMap: {
      min: 0,
      max,
      left: 0,
      bottom: 0,
      itemHeight: 90,
      calculable: false,
      text: [tr(lang, 'dash.more'), tr(lang, 'dash.less')],
      textStyle: { ...TEXT, fontSize: 11 },
      inRange: { color: ['#eef4fb', '#9cc3e6', '#3d7fc1', '#16427a'] },
    },
    series: [
      {
        type: 'map',
        map: 'ioc-districts',
        nameProperty: 'id',
        roam: false,
        aspectScale: 0.97,
        layoutCenter: ['56%', '50%'],
        layoutSize: '96%',
        label: {
          show: true,
          fontSize: 10,
          color: '#1c2733',
          textBorderColor: 'rgba(255,255,255,0.85)',
          textBorderWidth: 2,
          formatter: (p: { data?: { row?: DistrictFigures } }) =>
            p.data?.row ? String(p.data.row.received) : '',
        },
        itemStyle: { borderColor: '#ffffff', borderWidth: 1, areaColor: '#f1f3f5' },
        emphasis: { label: { show: true }, itemStyle: { areaColor: '#f2a900' } },
        select: { disabled: true },
        data: rows.map((r) => ({ name: r.districtId, value: r.received, row: r })),
      },
    ],
  };
}

export function calendarOption(lang: Lang, days: CalendarDay[]): ChartOption {
  const max = Math.max(1, ...days.map((d) => d.received));
  const first = days[0]?.day ?? '2025-01-01';
  const last = days.at(-1)?.day ?? first;
  return {
    textStyle: TEXT,
    animation: false,
    tooltip: {
      confine: true,
      // echarts also asks for a tooltip over parts without a day (value null): show none there
      formatter: (p: { value?: [string, number] | null }) =>
        Array.isArray(p.value)
          ? `${shortDay(lang, p.value[0])}/${p.value[0].slice(0, 4)}: <b>${formatNumber(lang, p.value[1])}</b>`
          : '',
    },
    visualMap: {
      min: 0,
      max,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemWidth: 12,
      itemHeight: 110,
      calculable: false,
      text: [tr(lang, 'dash.more'), tr(lang, 'dash.less')],
      textStyle: { ...TEXT, fontSize: 11 },
      inRange: { color: ['#f3f6f9', '#fde2b8', '#f5a54a', '#d9480f', '#8f1d0c'] },
    },
    calendar: {
      range: [first, last],
      top: 24,
      left: 40,
      right: 8,
      bottom: 40,
      cellSize: ['auto', 16],
      splitLine: { lineStyle: { color: '#9aa7b5', width: 1 } },
      itemStyle: { borderColor: '#ffffff', borderWidth: 2 },
      dayLabel: {
        ...AXIS_LABEL,
        fontSize: 10,
        firstDay: 1,
        nameMap: lang === 'vi' ? ['CN', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7'] : 'EN',
      },
      monthLabel: { ...AXIS_LABEL },
      yearLabel: { show: false },
    },
    series: [{ type: 'heatmap', coordinateSystem: 'calendar', data: days.map((d) => [d.day, d.received]) }],
  };
}

/** "08:40" in the city's time; with the day before it ("10/03 08:40") when the period is longer than one. */
export function bucketLabel(lang: Lang, t: number, withDay: boolean): string {
  const d = new Date(t + LOCAL_OFFSET_MS);
  const hm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  return withDay ? `${shortDay(lang, localDate(t))} ${hm}` : hm;
}

/**
 * Alarms per 10 minutes per operator position over the period, with the EEMUA 191 target (1) and the
 * flood limit (10) as labelled lines; periods in flood are marked with red triangles (in the legend).
 */
export function alarmRateOption(lang: Lang, buckets: AlarmRateBucket[], days: number): ChartOption {
  const target = ALARM_HEALTH_TARGETS.alarmRate;
  const num = (v: number) => formatNumber(lang, v, 2);
  return {
    ...base(),
    color: ['#1f5fa8', '#c8102e'],
    tooltip: {
      trigger: 'axis',
      confine: true,
      valueFormatter: (v: number | null) => (v === null ? '—' : `${num(v)} ${tr(lang, 'unit.alarmRate')}`),
    },
    // room on the right for the lines' labels
    grid: { left: 8, right: 104, top: 32, bottom: 4, containLabel: true },
    xAxis: {
      type: 'category',
      data: buckets.map((b) => bucketLabel(lang, b.t, days > 1)),
      axisLabel: AXIS_LABEL,
      boundaryGap: false,
    },
    yAxis: {
      type: 'value',
      axisLabel: valueAxisLabel(lang),
      splitLine: SPLIT,
      name: tr(lang, 'dash.series.alarmRate'),
      nameTextStyle: { ...AXIS_LABEL, align: 'left' },
      // the target line always in view
      max: (v: { max: number }) => (v.max < target * 1.5 ? target * 1.5 : null),
    },
    series: [
      {
        name: tr(lang, 'dash.series.alarmRate'),
        type: 'line',
        step: 'end',
        // a long period has more periods than pixels: each pixel keeps its busiest 10 minutes
        sampling: 'max',
        symbol: 'none',
        lineStyle: { width: 1.5 },
        areaStyle: { opacity: 0.18 },
        data: buckets.map((b) => b.perPosition),
        markLine: {
          silent: true,
          symbol: 'none',
          label: { position: 'end', fontSize: 12, fontWeight: 600 },
          data: [
            {
              yAxis: target,
              label: {
                formatter: translate(lang, 'dash.alarm.targetLine', { target: num(target) }),
                color: '#1e7a44',
              },
              lineStyle: { color: '#2e9e5b', type: 'dashed', width: 2 },
            },
            {
              yAxis: FLOOD_RATE_LIMIT,
              label: {
                formatter: translate(lang, 'dash.alarm.floodLine', { limit: num(FLOOD_RATE_LIMIT) }),
                color: '#a10d25',
              },
              lineStyle: { color: '#c8102e', type: 'dotted', width: 2 },
            },
          ],
        },
      },
      {
        name: tr(lang, 'dash.series.alarmFlood'),
        type: 'scatter',
        symbol: 'triangle',
        symbolSize: 10,
        data: buckets.map((b) => (b.flood ? b.perPosition : null)),
      },
    ],
  };
}
