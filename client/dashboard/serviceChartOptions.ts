// echarts options for the service tabs' charts: pure functions of the API's items and the language.
import { localDate } from '#contract/cityTime.ts';
import type { IndicatorUnit } from '#contract/indicatorVocab.ts';
import type { DossierDay, MentionBucket, SocioEconomicPoint } from '#contract/servicesApi.ts';
import { type Lang, translate } from '../i18n/format.ts';
import type { ChartOption } from './Chart.tsx';
import { AXIS_LABEL, base, bucketLabel, SPLIT, shortDay, valueAxisLabel } from './chartOptions.ts';
import { indicatorText, periodName, unitLabel } from './serviceFormat.ts';

/** Sentiment colours: green, grey, red, in the order the stack is read from the axis up. */
export const SENTIMENT_COLOURS = { positive: '#2e9e5b', neutral: '#9aa7b5', negative: '#c8102e' } as const;

const axisName = (name: string) => ({ name, nameTextStyle: { ...AXIS_LABEL, align: 'left' as const } });

/**
 * Dossiers per day: received beside resolved (on time and late stacked, so the bar's height is all
 * resolved), and the on-time rate as a line on its own 0–100 % axis.
 */
export function dossierOption(lang: Lang, days: DossierDay[]): ChartOption {
  const count = (v: number | null) => (v === null ? '—' : indicatorText(lang, v, 'dossier'));
  const pct = (v: number | null) => (v === null ? '—' : indicatorText(lang, v, 'percent'));
  return {
    ...base(),
    color: ['#1f5fa8', '#2e9e5b', '#c8102e', '#e07b00'],
    grid: { left: 8, right: 8, top: 40, bottom: 4, containLabel: true },
    xAxis: { type: 'category', data: days.map((d) => shortDay(lang, d.day)), axisLabel: AXIS_LABEL },
    yAxis: [
      {
        type: 'value',
        axisLabel: valueAxisLabel(lang),
        splitLine: SPLIT,
        minInterval: 1,
        ...axisName(unitLabel(lang, 'dossier')),
      },
      {
        type: 'value',
        min: 0,
        max: 100,
        axisLabel: valueAxisLabel(lang),
        splitLine: { show: false },
        name: '%',
        nameTextStyle: AXIS_LABEL,
      },
    ],
    series: [
      {
        name: translate(lang, 'dash.ps.series.received'),
        type: 'bar',
        data: days.map((d) => d.received),
        barMaxWidth: 16,
        tooltip: { valueFormatter: count },
      },
      {
        name: translate(lang, 'dash.ps.series.onTime'),
        type: 'bar',
        stack: 'resolved',
        data: days.map((d) => d.resolvedOnTime),
        barMaxWidth: 16,
        tooltip: { valueFormatter: count },
      },
      {
        name: translate(lang, 'dash.ps.series.late'),
        type: 'bar',
        stack: 'resolved',
        data: days.map((d) => d.resolvedLate),
        barMaxWidth: 16,
        tooltip: { valueFormatter: count },
      },
      {
        name: translate(lang, 'dash.ps.series.rate'),
        type: 'line',
        yAxisIndex: 1,
        data: days.map((d) => (d.onTimeRate === null ? null : Math.round(d.onTimeRate * 100) / 100)),
        symbolSize: 5,
        lineStyle: { width: 2.5 },
        // a day without a resolved dossier has no rate: the line goes on past it
        connectNulls: true,
        tooltip: { valueFormatter: pct },
      },
    ],
  };
}

/**
 * Mentions by sentiment, stacked: per hour for a period of two days or less (the evening peaks show),
 * per local day beyond. `days` is the period's length.
 */
export function mentionsOption(lang: Lang, buckets: MentionBucket[], days: number): ChartOption {
  const label = (b: MentionBucket) =>
    b.bucket === '1h' ? bucketLabel(lang, b.t, days > 1) : shortDay(lang, localDate(b.t));
  const count = (v: number | null) => (v === null ? '—' : indicatorText(lang, v, 'mention'));
  const series = (['positive', 'neutral', 'negative'] as const).map((s) => ({
    name: translate(lang, `sentiment.${s}`),
    type: 'bar',
    stack: 'mentions',
    data: buckets.map((b) => b[s]),
    barMaxWidth: 22,
    itemStyle: { color: SENTIMENT_COLOURS[s] },
    tooltip: { valueFormatter: count },
  }));
  return {
    ...base(),
    color: Object.values(SENTIMENT_COLOURS),
    grid: { left: 8, right: 12, top: 40, bottom: 4, containLabel: true },
    xAxis: { type: 'category', data: buckets.map(label), axisLabel: AXIS_LABEL },
    yAxis: {
      type: 'value',
      axisLabel: valueAxisLabel(lang),
      splitLine: SPLIT,
      minInterval: 1,
      ...axisName(unitLabel(lang, 'mention')),
    },
    series,
  };
}

/**
 * One socio-economic indicator over its periods (24 months or 8 quarters), with the same period a year
 * earlier as a dashed line. Rates and indices are read against each other (the axis does not start at
 * zero); amounts from zero.
 */
export function socioOption(lang: Lang, points: SocioEconomicPoint[], unit: IndicatorUnit): ChartOption {
  const value = (v: number | null) => (v === null ? '—' : indicatorText(lang, v, unit));
  const rate = unit === 'percent' || unit === 'index_point';
  return {
    ...base(),
    color: ['#1f5fa8', '#9aa7b5'],
    grid: { left: 8, right: 16, top: 40, bottom: 4, containLabel: true },
    xAxis: {
      type: 'category',
      data: points.map((p) => periodName(lang, p.period, true)),
      axisLabel: AXIS_LABEL,
      boundaryGap: false,
    },
    yAxis: {
      type: 'value',
      axisLabel: valueAxisLabel(lang),
      splitLine: SPLIT,
      scale: rate,
      ...axisName(unitLabel(lang, unit)),
    },
    series: [
      {
        name: translate(lang, 'dash.se.series.value'),
        type: 'line',
        data: points.map((p) => p.value),
        symbolSize: 6,
        lineStyle: { width: 2.5 },
        tooltip: { valueFormatter: value },
      },
      {
        name: translate(lang, 'dash.se.series.lastYear'),
        type: 'line',
        data: points.map((p) => p.sameLastYear),
        symbolSize: 4,
        lineStyle: { width: 2, type: 'dashed' },
        tooltip: { valueFormatter: value },
      },
    ],
  };
}
